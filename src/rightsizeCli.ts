// `incident-lens rightsize`: KRR-style right-sizing from a Prometheus, printed as a table (or JSON),
// biggest saving first. Every label printed is data from the backend: control characters are escaped.

import { rightsize, type ContainerRecommendation } from './analysis/kubernetes/rightsizing';
import { PrometheusSource } from './sources/prometheus';

export const RIGHTSIZE_USAGE = `  incident-lens rightsize --prometheus URL [--namespace N] [--json] [--history 14d] [--strategy improved|krr]
                          [--price-core-hour X] [--price-gib-hour Y] [--at TIME]`;

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

function clean(text: string, max = 60): string {
  const s = text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

function historyMs(text: string): number | undefined {
  const m = /^(\d+)(h|d)$/.exec(text);
  return m ? Number(m[1]) * (m[2] === 'd' ? 86_400_000 : 3600_000) : undefined;
}

const cpu = (v: number | undefined) => (v === undefined ? '?' : `${Math.round(v * 1000)}m`);
const mem = (v: number | undefined) => (v === undefined ? '?' : v >= 2 ** 30 ? `${(v / 2 ** 30).toFixed(2)}Gi` : `${Math.round(v / 2 ** 20)}Mi`);

function row(r: ContainerRecommendation, currency: string): string[] {
  return [
    clean(r.namespace, 30),
    clean(`${r.workload.kind}/${r.workload.name}`, 50),
    clean(r.container, 30),
    String(r.podsNow),
    `${cpu(r.current.cpuRequest)} -> ${cpu(r.recommended.cpuRequest)}`,
    `${mem(r.current.memoryRequest)} -> ${mem(r.recommended.memoryRequest)}`,
    `${r.savings.cores.toFixed(2)} cores, ${r.savings.gib.toFixed(2)} GiB${r.savings.perMonth !== undefined ? `, ${currency}${r.savings.perMonth.toFixed(2)}/month` : ''}`,
    r.replicas ? `${r.replicas.now} -> ${r.replicas.recommended} replicas` : '',
  ];
}

export async function rightsizeCommand(flags: Record<string, string | boolean>, io: Io, usage: (message: string) => Error): Promise<number> {
  const url = flags.prometheus;
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw usage('rightsize needs --prometheus URL (http:// or https://)');
  const history = typeof flags.history === 'string' ? historyMs(flags.history) : 14 * 86_400_000;
  if (history === undefined) throw usage(`--history must be hours or days such as 36h or 14d (got ${JSON.stringify(flags.history)})`);
  const strategy = flags.strategy ?? 'improved';
  if (strategy !== 'improved' && strategy !== 'krr') throw usage(`--strategy must be improved or krr (got ${JSON.stringify(strategy)})`);
  const price = (name: string): number | undefined => {
    const v = flags[name];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (typeof v !== 'string' || !Number.isFinite(n) || n < 0) throw usage(`--${name} must be a price of 0 or more (got ${JSON.stringify(v)})`);
    return n;
  };
  const coreHour = price('price-core-hour');
  const gibHour = price('price-gib-hour');
  let now: number | undefined;
  if (typeof flags.at === 'string') {
    now = /^\d+$/.test(flags.at) ? Number(flags.at) : Date.parse(flags.at);
    if (!Number.isFinite(now)) throw usage(`--at must be a time (ISO 8601 or ms since the epoch), got ${JSON.stringify(flags.at)}`);
  }
  const namespace = typeof flags.namespace === 'string' ? flags.namespace : undefined;
  if (namespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) throw usage(`--namespace ${JSON.stringify(namespace)} is not a Kubernetes namespace name`);
  const source = new PrometheusSource({ name: 'prometheus', url, timeoutMs: 10 * 60_000 });
  const started = Date.now();
  const result = await rightsize(source, { historyMs: history, strategy, namespace, now, ...(coreHour !== undefined || gibHour !== undefined ? { prices: { coreHour, gibHour } } : {}) });
  if (flags.json) {
    io.out(JSON.stringify(result, null, 2));
    return 0;
  }
  const header = ['NAMESPACE', 'WORKLOAD', 'CONTAINER', 'PODS', 'CPU REQUEST', 'MEMORY REQUEST', 'SAVES', 'REPLICAS'];
  const rows = [header, ...result.recommendations.map((r) => row(r, '$'))];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) io.out(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
  for (const r of result.recommendations) for (const n of r.notes) io.out(`  ${clean(`${r.namespace}/${r.workload.name}/${r.container}`, 80)}: ${clean(n, 300)}`);
  io.out('');
  io.out(`${result.recommendations.length} containers; total ${result.total.cores.toFixed(2)} cores, ${result.total.gib.toFixed(2)} GiB${result.total.perMonth !== undefined ? `, $${result.total.perMonth.toFixed(2)}/month` : ''}; strategy ${strategy}${strategy === 'improved' ? " (KRR's simple strategy where it holds; see the README)" : " (KRR's simple strategy)"}; ${result.queries} queries in ${Date.now() - started} ms`);
  for (const w of result.warnings) io.err(`warning: ${clean(w, 300)}`);
  return 0;
}
