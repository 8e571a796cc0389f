// Instances of a service over time: pods renamed at every rollout (new ReplicaSet hash and suffix),
// hosts and zones, versions. Cases use these to put errors on instances that did or did not get a change.

import type { SeededRandom } from './random';

export interface Instance {
  /** Pod name (Kubernetes) or host name (VMs). */
  name: string;
  host: string;
  zone?: string;
  version: string;
  /** The ReplicaSet's pod-template-hash, for Kubernetes workloads. */
  templateHash?: string;
  from: number;
  to: number;
}

export interface Rollout {
  at: number;
  version: string;
  /** Seconds between pods being replaced, as a rolling update with maxSurge 1 does it. */
  podIntervalSec?: number;
}

/**
 * A Deployment's pods from `start` to `end`. Each rollout replaces the pods one by one with new names
 * under a new pod-template-hash; a pod's host is kept per replica slot unless `hosts` rotates.
 */
export function deploymentPods(
  rng: SeededRandom,
  deployment: string,
  replicas: number,
  start: number,
  end: number,
  initialVersion: string,
  rollouts: Rollout[],
  hosts: string[],
  zones?: string[],
): Instance[] {
  const pods: Instance[] = [];
  let hash = rng.hex(10).replace(/^[0-9]/, 'c');
  let version = initialVersion;
  const current: Instance[] = [];
  for (let r = 0; r < replicas; r++) {
    const pod: Instance = {
      name: `${deployment}-${hash}-${rng.podSuffix()}`,
      host: hosts[r % hosts.length],
      version,
      templateHash: hash,
      from: start - rng.int(2, 30) * 3_600_000,
      to: end + 1,
    };
    if (zones) pod.zone = zones[r % zones.length];
    current.push(pod);
    pods.push(pod);
  }
  for (const ro of [...rollouts].sort((a, b) => a.at - b.at)) {
    hash = rng.hex(10).replace(/^[0-9]/, 'd');
    version = ro.version;
    const interval = (ro.podIntervalSec ?? 40) * 1000;
    current.forEach((old, r) => {
      const at = ro.at + r * interval + rng.int(0, 8000);
      old.to = at;
      const pod: Instance = {
        name: `${deployment}-${hash}-${rng.podSuffix()}`,
        host: hosts[(r + 1) % hosts.length],
        version,
        templateHash: hash,
        from: at - rng.int(5000, 20000),
        to: end + 1,
      };
      if (zones) pod.zone = zones[(r + 1) % zones.length];
      current[r] = pod;
      pods.push(pod);
    });
  }
  return pods;
}

/** The pods serving at time t. */
export function liveAt(pods: Instance[], t: number): Instance[] {
  return pods.filter((p) => p.from <= t && t < p.to);
}

/** GKE-style node names: gke-<cluster>-<pool>-<hash>-<suffix>. */
export function gkeNodes(rng: SeededRandom, cluster: string, pool: string, count: number): string[] {
  const hash = rng.hex(8);
  return Array.from({ length: count }, () => `gke-${cluster}-${pool}-${hash}-${rng.podSuffix(4)}`);
}
