// Rollout revisions as deploys in the timeline, linked to commits. A revision names its commit through
// the pod template's `org.opencontainers.image.revision` annotation, an `app.kubernetes.io/version`
// label that is a commit hash, or an image tag that carries one (`:7d9c5a1`, `:sha-7d9c5a1`,
// `:1.5.0-7d9c5a1e`). A linked commit becomes a deployed change (Change.deploy), which is what the
// suspect-change ranking reads; an Argo CD sync names its commit directly.

import type { DeployRecord, KubernetesSnapshot } from '../../core/kubernetes';
import type { Change } from '../../core/model';

const hexRun = /(?:^|[^0-9a-f])([0-9a-f]{7,40})$/;

/** A commit hash an image reference's tag carries, if any (the digest is not a commit). */
export function commitFromImage(image: string): string | undefined {
  const noDigest = image.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  if (colon <= slash) return undefined;
  const tag = noDigest.slice(colon + 1).toLowerCase();
  const m = hexRun.exec(tag);
  // A tag of digits only is a version or a build number, not a hash.
  return m && /[a-f]/.test(m[1]) ? m[1] : undefined;
}

/** Each revision of each workload that went out within [since, until], as a deploy record. */
export function rolloutDeploys(snapshots: KubernetesSnapshot[], since: number, until: number): DeployRecord[] {
  const out: DeployRecord[] = [];
  for (const s of snapshots) {
    for (const w of s.workloads) {
      for (const r of w.history) {
        if (r.time === undefined || r.time < since || r.time > until) continue;
        const fromVersion = r.version && /^[0-9a-f]{7,40}$/i.test(r.version) ? r.version.toLowerCase() : undefined;
        const fromImage = r.images.map(commitFromImage).find(Boolean);
        const commit = r.commit?.toLowerCase() ?? fromVersion ?? fromImage;
        out.push({
          source: 'kubernetes',
          ref: `${w.kind} ${w.namespace}/${w.name} revision ${r.revision}`,
          time: r.time,
          ...(s.environment ? { environment: s.environment } : {}),
          ...(commit ? { commit, commitFrom: r.commit ? 'annotation' : fromVersion ? 'version-label' : 'image-tag' } : {}),
          images: r.images,
          workload: { kind: w.kind, namespace: w.namespace, name: w.name },
          revision: r.revision,
          ...(r.changeCause ? { changeCause: r.changeCause } : {}),
        });
      }
    }
  }
  return out.sort((a, b) => a.time - b.time);
}

/**
 * Marks the commits the deploys name as deployed (a copy; the input is not changed). A commit already
 * marked (by a deploy tag) keeps its mark; a commit deployed several times gets the latest deploy.
 * Returns the changes and, per deploy, the sha it was linked to.
 */
export function linkDeploysToChanges(changes: Change[], deploys: DeployRecord[]): { changes: Change[]; linked: Map<DeployRecord, string> } {
  const linked = new Map<DeployRecord, string>();
  const out = changes.map((c) => ({ ...c }));
  for (const d of deploys) {
    if (!d.commit || d.commit.length < 7) continue;
    const hits = out.filter((c) => c.sha.toLowerCase().startsWith(d.commit!));
    if (hits.length !== 1) continue; // an ambiguous short hash links nothing
    const c = hits[0];
    linked.set(d, c.sha);
    if (!c.deploy || (c.deploy.ref.startsWith('k8s:') || c.deploy.ref.startsWith('argocd:')) && c.deploy.time < d.time) {
      c.deploy = { ref: `${d.source === 'argocd' ? 'argocd' : 'k8s'}:${d.ref}`, time: d.time, ...(d.environment ? { environment: d.environment } : {}) };
    }
  }
  return { changes: out, linked };
}
