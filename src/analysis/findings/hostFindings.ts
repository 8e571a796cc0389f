// Host asymmetry: the same metric of the same service (or of the nodes) is off on one host and fine on
// the others. Callers hurt everywhere say nothing about hosts, so uniform anomalies don't count.
import type { MetricSeries } from '../../core/model';
import type { HostFinding } from '../../core/investigation';
import { hostOfSeries, isNodeSeries } from '../series/roles';

export function hostFindings(metrics: MetricSeries[], movedIds: Set<string>): HostFinding[] {
  const groups = new Map<string, { host: string; off: boolean; node: boolean; id: string }[]>();
  for (const s of metrics) {
    const h = hostOfSeries(s);
    if (!h) continue;
    const key = `${s.name}\u0000${s.service ?? ''}`;
    const list = groups.get(key) ?? [];
    list.push({ host: h, off: movedIds.has(s.id), node: isNodeSeries(s), id: s.id });
    groups.set(key, list);
  }
  const anomalies = new Map<string, number>();
  const nodeOff = new Map<string, string[]>();
  for (const list of groups.values()) {
    const off = list.filter((x) => x.off);
    if (list.length < 2 || off.length === 0 || off.length === list.length) continue;
    for (const x of off) {
      anomalies.set(x.host, (anomalies.get(x.host) ?? 0) + (x.node ? 2 : 1));
      if (x.node) nodeOff.set(x.host, [...(nodeOff.get(x.host) ?? []), x.id]);
    }
  }
  const total = [...anomalies.values()].reduce((a, b) => a + b, 0) || 1;
  return [...anomalies.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([host, n]) => ({ host, anomalies: n, share: n / total, nodeLevel: nodeOff.has(host), seriesIds: nodeOff.get(host) ?? [] }));
}
