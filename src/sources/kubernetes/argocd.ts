// Argo CD as a deploy source, through its API (GET /api/v1/applications/{name}): each entry of an
// application's status.history (RevisionHistory: id, revision, deployedAt, source, initiatedBy) is a
// deploy, linked to the commit its revision names. Read-only; the token is a Bearer token from the
// secret store, like every other source's.

import type { DeployRecord, DeploySource } from '../../core/kubernetes';
import { SourceError } from '../../core/errors';
import { SourceHttp, type HttpSourceOptions } from '../http';

export interface ArgoCdOptions extends HttpSourceOptions {
  /** The applications to read ("name" or "namespace/name" for apps outside argocd's namespace). */
  apps: string[];
  environment?: string;
}

interface RevisionHistory {
  id?: number;
  revision?: string;
  revisions?: string[];
  deployedAt?: string;
  deployStartedAt?: string;
  source?: { repoURL?: string; path?: string; targetRevision?: string; chart?: string };
  initiatedBy?: { username?: string; automated?: boolean };
}

interface Application {
  metadata?: { name?: string; namespace?: string };
  spec?: { destination?: { namespace?: string; server?: string; name?: string } };
  status?: { history?: RevisionHistory[]; summary?: { images?: string[] } };
}

const appPattern = /^(?:([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/)?([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/;

export class ArgoCdSource implements DeploySource {
  readonly kind = 'argocd';
  readonly name: string;
  private readonly http: SourceHttp;

  constructor(private readonly opts: ArgoCdOptions) {
    this.name = opts.name;
    this.http = new SourceHttp(opts);
    for (const app of opts.apps) if (!appPattern.test(app)) throw new SourceError('config', opts.name, `Argo CD app ${JSON.stringify(app)} is not an application name (name or namespace/name)`);
  }

  async deploys(window: { start: number; end: number }, signal?: AbortSignal): Promise<DeployRecord[]> {
    const out: DeployRecord[] = [];
    for (const app of this.opts.apps) {
      const [ns, name] = app.includes('/') ? app.split('/') : [undefined, app];
      const body = await this.http.json<Application>('GET', `/api/v1/applications/${encodeURIComponent(name)}`, ns ? { appNamespace: ns } : {}, undefined, signal);
      if (!body || typeof body !== 'object' || !body.status) throw new SourceError('malformed', this.name, `/api/v1/applications/${name} is not an Application`);
      const images = Array.isArray(body.status.summary?.images) ? body.status.summary!.images!.filter((i) => typeof i === 'string') : [];
      for (const h of body.status.history ?? []) {
        const time = Date.parse(h.deployedAt ?? '');
        if (!Number.isFinite(time) || time < window.start || time > window.end) continue;
        const revision = h.revision ?? h.revisions?.[0];
        // A Git source's revision is a commit; a Helm chart's is its version, which names no commit.
        const commit = revision && /^[0-9a-f]{7,40}$/i.test(revision) ? revision.toLowerCase() : undefined;
        out.push({
          source: 'argocd',
          ref: `Argo CD app ${body.metadata?.name ?? name} #${h.id ?? '?'}`,
          time,
          ...(this.opts.environment ? { environment: this.opts.environment } : {}),
          ...(commit ? { commit, commitFrom: 'argocd' as const } : {}),
          ...(images.length ? { images } : {}),
          workload: { kind: 'Application', namespace: body.spec?.destination?.namespace ?? '', name: body.metadata?.name ?? name },
          ...(typeof h.id === 'number' ? { revision: h.id } : {}),
          ...(h.initiatedBy?.username || h.initiatedBy?.automated ? { changeCause: h.initiatedBy.automated ? 'automated sync' : `synced by ${h.initiatedBy.username}` } : {}),
        });
      }
    }
    return out.sort((a, b) => a.time - b.time);
  }
}
