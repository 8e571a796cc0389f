// What a metric series measures and where it lives: its role (traffic, errors, latency, saturation,
// memory, availability) and the host or node it belongs to.
import type { MetricSeries } from '../../core/model';
import type { SeriesRole } from '../../core/investigation';

const TRAFFIC = /request|rps|qps|throughput|traffic/i;
const SATURATION = /cpu|saturation|utili[sz]ation|queue|threads?_busy|load/i;
const MEMORY = /mem|heap|rss/i;

export function seriesRole(s: Pick<MetricSeries, 'name' | 'unit'>): SeriesRole {
  const name = s.name ?? '';
  if (MEMORY.test(name)) return 'memory';
  if (SATURATION.test(name)) return 'saturation';
  if (TRAFFIC.test(name + (s.unit ?? ''))) return 'traffic';
  return 'other';
}

/** The host or node a series belongs to, from the usual labels. */
export function hostOfSeries(s: Pick<MetricSeries, 'labels'>): string | undefined {
  return s.labels?.host ?? s.labels?.node ?? s.labels?.['host.name'] ?? s.labels?.['k8s.node.name'];
}

/** A host-level series: no service, but a host (node_exporter and the like). */
export function isNodeSeries(s: Pick<MetricSeries, 'labels' | 'service'>): boolean {
  return !s.service && !!(s.labels?.host ?? s.labels?.node ?? s.labels?.instance);
}
