// Right-sizing: CPU and memory requests and limits of every container against its usage over a window,
// with the PromQL pushed down to Prometheus (cAdvisor's container_cpu_usage_seconds_total and
// container_memory_working_set_bytes, kube-state-metrics' requests, limits, owners and OOM kills).
//
// The baseline is Robusta KRR's documented simple strategy: 14 days at a 1.25 min step, at least 100
// points; CPU request = the 95th percentile of each pod's CPU rate, then the maximum over pods, no CPU
// limit; memory request = limit = the peak working set over pods x 1.15 (with OOM-kill data, at least the
// killed limit x 1.25); rounded up to 1 m and 1 MiB, floors of 10 m and 100 MiB; nothing for a resource an
// HPA scales on. `strategy: 'krr'` gives exactly that. The default strategy improves on it where it is
// known to fail (see `improve`): an HPA-targeted resource is sized so the HPA keeps its equilibrium, a
// container OOM-killed in the window never gets less memory, and a peak that recurs every day is covered.

import type { MetricSeries } from '../../core/model';
import { median } from '../series/robust';

/** What right-sizing needs of a Prometheus source (PrometheusSource has it). */
export interface InstantQuerier {
  query(expr: string, time?: number, limit?: number, signal?: AbortSignal): Promise<{ series: MetricSeries[] }>;
}

export interface RangeQuerier {
  queryRange(q: { query: string; start: number; end: number; stepSeconds: number; limit?: number }, signal?: AbortSignal): Promise<MetricSeries[]>;
}

export interface RightsizeOptions {
  /** How far back usage is read (KRR: 14 days). */
  historyMs?: number;
  /** The subquery step (KRR: 1.25 min). */
  stepSeconds?: number;
  cpuPercentile?: number;
  memoryBufferPercent?: number;
  oomBufferPercent?: number;
  pointsRequired?: number;
  /** Only this namespace. */
  namespace?: string;
  strategy?: 'krr' | 'improved';
  /** Prices for savings in money: per core-hour and per GiB-hour of requests. */
  prices?: { coreHour?: number; gibHour?: number; currency?: string };
  /** Evaluation time (default now). */
  now?: number;
  /** Series per query (default 20,000). */
  limit?: number;
  /** Queries in flight at once (default 4): the subqueries over the whole history are heavy for Prometheus. */
  concurrency?: number;
  signal?: AbortSignal;
  /** HPAs known from the Kubernetes API, when kube-state-metrics does not export them. */
  hpas?: { namespace: string; target: { kind: string; name: string }; metrics: { resource: string; targetUtilization?: number }[]; minReplicas?: number }[];
}

export interface ResourceValues {
  cpuRequest?: number;
  cpuLimit?: number;
  memoryRequest?: number;
  memoryLimit?: number;
}

export interface ContainerRecommendation {
  namespace: string;
  /** The owning workload (Deployment, StatefulSet, DaemonSet, Job...), or the pod itself. */
  workload: { kind: string; name: string };
  container: string;
  /** Pods of the workload seen in the window, and running now. */
  podsSeen: number;
  podsNow: number;
  /** Names of the pods seen (at most 50), for charts and commands. */
  pods: string[];
  current: ResourceValues;
  /** KRR's simple strategy on the same data; undefined values are KRR's "?" (see `info`). */
  krr: ResourceValues & { cpuInfo?: string; memoryInfo?: string };
  /** What we recommend (the improved strategy, or KRR's when strategy is 'krr'). */
  recommended: ResourceValues;
  /** Why the recommendation differs from KRR's, or why there is none. */
  notes: string[];
  usage: { cpuP95?: number; cpuDailyPeak?: number; memoryPeak?: number; oomKilledLimit?: number; cpuPoints: number; memoryPoints: number };
  hpa?: { cpuTarget?: number; memoryTarget?: number };
  /**
   * For a workload without an HPA that runs 2 or more pods: the replicas its pods' CPU needs at 80 % of
   * the current request (every pod at the busiest pod's percentile), never below 2 (one replica is no
   * redundancy). Set only when fewer than it runs now.
   */
  replicas?: { now: number; recommended: number };
  /** Requests freed (negative: added) over the pods running now. */
  savings: { cores: number; gib: number; perMonth?: number };
}

export interface RightsizeResult {
  recommendations: ContainerRecommendation[];
  /** Sums over every recommendation. */
  total: { cores: number; gib: number; perMonth?: number };
  queries: number;
  /** Query text by role, for the README and for people who want to run them by hand. */
  promql: Record<string, string>;
  warnings: string[];
}

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** Prometheus duration text for ms. */
function dur(ms: number): string {
  const s = Math.round(ms / 1000);
  return s % 86400 === 0 ? `${s / 86400}d` : s % 3600 === 0 ? `${s / 3600}h` : s % 60 === 0 ? `${s / 60}m` : `${s}s`;
}

function selector(namespace: string | undefined, extra = ''): string {
  const parts = ['container!=""', 'container!="POD"'];
  if (namespace) parts.push(`namespace=${JSON.stringify(namespace)}`);
  if (extra) parts.push(extra);
  return `{${parts.join(',')}}`;
}

/** The queries, as KRR writes them per object, but for every container at once (one query each). */
export function rightsizeQueries(o: { historyMs: number; stepSeconds: number; cpuPercentile: number; namespace?: string }): Record<string, string> {
  const d = dur(o.historyMs);
  const step = dur(o.stepSeconds * 1000);
  const by = 'namespace, pod, container, job';
  const cpuRate = `max by (${by}) (rate(container_cpu_usage_seconds_total${selector(o.namespace)}[${step}]))`;
  const nsSel = o.namespace ? `,namespace=${JSON.stringify(o.namespace)}` : '';
  return {
    cpuPercentile: `quantile_over_time(${Math.round(o.cpuPercentile) / 100}, ${cpuRate}[${d}:${step}])`,
    cpuPoints: `count_over_time(max by (${by}) (container_cpu_usage_seconds_total${selector(o.namespace)})[${d}:${step}])`,
    memoryMax: `max_over_time(max by (${by}) (container_memory_working_set_bytes${selector(o.namespace)})[${d}:${step}])`,
    memoryPoints: `count_over_time(max by (${by}) (container_memory_working_set_bytes${selector(o.namespace)})[${d}:${step}])`,
    oomKilledLimit: `max_over_time(max by (namespace, pod, container) (max by (namespace, pod, container) (kube_pod_container_resource_limits{resource="memory"${nsSel}}) * on (namespace, pod, container) group_left max by (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{reason="OOMKilled"${nsSel}}))[${d}:${step}])`,
    // The usage a day's busiest moment needs: the maximum of each day (a range query, one point a day).
    cpuDailyMax: `max_over_time(${cpuRate}[1d:${step}])`,
    requests: `max by (namespace, pod, container, resource) (kube_pod_container_resource_requests{resource=~"cpu|memory"${nsSel}})`,
    limits: `max by (namespace, pod, container, resource) (kube_pod_container_resource_limits{resource=~"cpu|memory"${nsSel}})`,
    podOwners: `max by (namespace, pod, owner_kind, owner_name) (max_over_time(kube_pod_owner{owner_is_controller="true"${nsSel}}[${d}]))`,
    replicaSetOwners: `max by (namespace, replicaset, owner_kind, owner_name) (max_over_time(kube_replicaset_owner{owner_is_controller="true"${nsSel}}[${d}]))`,
    jobOwners: `max by (namespace, job_name, owner_kind, owner_name) (max_over_time(kube_job_owner{owner_is_controller="true"${nsSel}}[${d}]))`,
    podsNow: `max by (namespace, pod) (kube_pod_status_phase{phase="Running"${nsSel}}) == 1`,
    hpaTargets: `max by (namespace, horizontalpodautoscaler, metric_name) (kube_horizontalpodautoscaler_spec_target_metric{metric_target_type="utilization"${nsSel}})`,
    hpaInfo: `max by (namespace, horizontalpodautoscaler, scaletargetref_kind, scaletargetref_name) (kube_horizontalpodautoscaler_info${o.namespace ? `{namespace=${JSON.stringify(o.namespace)}}` : ''})`,
  };
}

function lastValue(s: MetricSeries): number | undefined {
  const v = s.values[s.values.length - 1];
  return Number.isFinite(v) ? v : undefined;
}

/** The CPU usage (cores) of every container over the window, at `points` points: for charts. */
export function cpuUsageQuery(stepSeconds: number, namespace?: string): string {
  return `max by (namespace, pod, container) (rate(container_cpu_usage_seconds_total${selector(namespace)}[${dur(Math.max(stepSeconds, 60) * 1000)}]))`;
}

/** KRR's rounding: up to a whole millicore / MiB, never below the floors. */
export function roundCpu(cores: number): number {
  return Math.max(0.01, Math.ceil(cores * 1000 - 1e-9) / 1000);
}
export function roundMemory(bytes: number): number {
  return Math.max(100 * MiB, Math.ceil(bytes / MiB - 1e-9) * MiB);
}

export interface ContainerUsage {
  namespace: string;
  workload: { kind: string; name: string };
  container: string;
  pods: Set<string>;
  podsNow: number;
  /** Per pod (and scrape job): the percentile of its CPU rate; per pod: its peak working set. */
  cpuPercentiles: number[];
  memoryPeaks: number[];
  cpuPoints: number;
  memoryPoints: number;
  oomKilledLimit?: number;
  /** Median over days of each day's maximum CPU rate, over pods (max). */
  cpuDailyPeak?: number;
  current: ResourceValues;
  hpa?: { cpuTarget?: number; memoryTarget?: number };
}

export interface StrategySettings {
  memoryBufferPercent: number;
  oomBufferPercent: number;
  pointsRequired: number;
}

/** KRR's simple strategy on one container's usage. */
export function krrSimple(u: ContainerUsage, s: StrategySettings): ContainerRecommendation['krr'] {
  const out: ContainerRecommendation['krr'] = {};
  if (!u.cpuPercentiles.length) out.cpuInfo = 'No data';
  else if (u.cpuPoints < s.pointsRequired) out.cpuInfo = 'Not enough data';
  else if (u.hpa?.cpuTarget !== undefined) out.cpuInfo = 'HPA detected';
  else out.cpuRequest = roundCpu(Math.max(...u.cpuPercentiles));
  if (!u.memoryPeaks.length) out.memoryInfo = 'No data';
  else if (u.memoryPoints < s.pointsRequired) out.memoryInfo = 'Not enough data';
  else if (u.hpa?.memoryTarget !== undefined) out.memoryInfo = 'HPA detected';
  else {
    const m = roundMemory(Math.max(Math.max(...u.memoryPeaks) * (1 + s.memoryBufferPercent / 100), (u.oomKilledLimit ?? 0) * (1 + s.oomBufferPercent / 100)));
    out.memoryRequest = m;
    out.memoryLimit = m;
    if (u.oomKilledLimit) out.memoryInfo = 'OOMKill detected';
  }
  return out;
}

/**
 * Where KRR's simple strategy is known to fail, and what we do instead:
 * - An HPA that scales on CPU (or memory) utilisation divides usage by the request: KRR gives no
 *   recommendation. Sized at usage / target utilisation, the HPA's equilibrium replica count at that
 *   usage stays what it is now, and the request still follows the usage.
 * - A container OOM-killed in the window never gets less memory than it has (the peak a killed
 *   container shows is capped by the limit that killed it).
 * - A peak that recurs every day (the median of the daily maxima) but is too short for the 95th
 *   percentile to see still gets its CPU: the request covers it.
 */
export function improve(u: ContainerUsage, krr: ContainerRecommendation['krr'], s: StrategySettings): { recommended: ResourceValues; notes: string[] } {
  const notes: string[] = [];
  const rec: ResourceValues = { ...(krr.cpuRequest !== undefined ? { cpuRequest: krr.cpuRequest } : {}), ...(krr.memoryRequest !== undefined ? { memoryRequest: krr.memoryRequest, memoryLimit: krr.memoryLimit } : {}) };
  const enough = (points: number) => points >= s.pointsRequired;
  if (u.hpa?.cpuTarget && u.cpuPercentiles.length && enough(u.cpuPoints)) {
    rec.cpuRequest = roundCpu(Math.max(...u.cpuPercentiles) / (u.hpa.cpuTarget / 100));
    notes.push(`An HPA scales it at ${u.hpa.cpuTarget} % CPU: the request is the 95th percentile / ${u.hpa.cpuTarget} %, so the HPA keeps the replica count it reaches now (KRR gives none).`);
  }
  if (u.hpa?.memoryTarget && u.memoryPeaks.length && enough(u.memoryPoints)) {
    const m = roundMemory((Math.max(...u.memoryPeaks) * (1 + s.memoryBufferPercent / 100)) / (u.hpa.memoryTarget / 100));
    rec.memoryRequest = m;
    rec.memoryLimit = m;
    notes.push(`An HPA scales it at ${u.hpa.memoryTarget} % memory: the request is sized so that the HPA keeps its equilibrium (KRR gives none).`);
  }
  if (u.oomKilledLimit !== undefined && rec.memoryRequest !== undefined) {
    const floor = Math.max(u.current.memoryLimit ?? 0, u.current.memoryRequest ?? 0);
    if (rec.memoryRequest < floor) {
      rec.memoryRequest = roundMemory(floor);
      rec.memoryLimit = rec.memoryRequest;
      notes.push(`OOM-killed in the window at a ${Math.round(u.oomKilledLimit / MiB)} MiB limit: memory is never lowered (its peak is capped by the limit that killed it).`);
    }
  }
  if (u.cpuDailyPeak !== undefined && rec.cpuRequest !== undefined && u.cpuDailyPeak > rec.cpuRequest * 1.2) {
    const covered = roundCpu(u.cpuDailyPeak);
    notes.push(`A daily peak of ${Math.round(u.cpuDailyPeak * 1000)} m recurs (median of the daily maxima), above the 95th percentile's ${Math.round(rec.cpuRequest * 1000)} m: the request covers it.`);
    rec.cpuRequest = covered;
  }
  return { recommended: rec, notes };
}

interface Joined {
  podOwner: Map<string, { kind: string; name: string }>;
  rsOwner: Map<string, { kind: string; name: string }>;
  jobOwner: Map<string, { kind: string; name: string }>;
}

function workloadOf(j: Joined, ns: string, pod: string): { kind: string; name: string } {
  const o = j.podOwner.get(`${ns}/${pod}`);
  if (!o) return { kind: 'Pod', name: pod };
  if (o.kind === 'ReplicaSet') return j.rsOwner.get(`${ns}/${o.name}`) ?? o;
  if (o.kind === 'Job') return j.jobOwner.get(`${ns}/${o.name}`) ?? o;
  return o;
}

/** Right-sizes every container in scope. Queries run in parallel, at most `width` at a time. */
export async function rightsize(prom: InstantQuerier & Partial<RangeQuerier>, opts: RightsizeOptions = {}): Promise<RightsizeResult> {
  const historyMs = opts.historyMs ?? 14 * 86_400_000;
  const stepSeconds = opts.stepSeconds ?? 75;
  const cpuPercentile = opts.cpuPercentile ?? 95;
  const settings: StrategySettings = { memoryBufferPercent: opts.memoryBufferPercent ?? 15, oomBufferPercent: opts.oomBufferPercent ?? 25, pointsRequired: opts.pointsRequired ?? 100 };
  const now = opts.now ?? Date.now();
  const limit = opts.limit ?? 20_000;
  const q = rightsizeQueries({ historyMs, stepSeconds, cpuPercentile, namespace: opts.namespace });
  const warnings: string[] = [];
  let queries = 0;
  // A small semaphore: at most `concurrency` queries in flight.
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const slot = async <T>(work: () => Promise<T>): Promise<T> => {
    while (inFlight >= Math.max(1, opts.concurrency ?? 4)) await new Promise<void>((r) => waiting.push(r));
    inFlight++;
    try {
      return await work();
    } finally {
      inFlight--;
      waiting.shift()?.();
    }
  };
  const instant = async (name: keyof typeof q, optional = false): Promise<MetricSeries[]> => {
    queries++;
    try {
      return await slot(async () => (await prom.query(q[name], now, limit, opts.signal)).series);
    } catch (err) {
      if (!optional) throw err;
      warnings.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }
  };
  const daily = async (): Promise<MetricSeries[]> => {
    if (!prom.queryRange || opts.strategy === 'krr' || historyMs < 2 * 86_400_000) return [];
    queries++;
    try {
      const days = Math.floor(historyMs / 86_400_000);
      return await slot(() => prom.queryRange!({ query: q.cpuDailyMax, start: now - (days - 1) * 86_400_000, end: now, stepSeconds: 86_400, limit }, opts.signal));
    } catch (err) {
      warnings.push(`cpuDailyMax: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }
  };
  const [cpuP, cpuN, memMax, memN, oom, req, lim, podOwners, rsOwners, jobOwners, podsNow, hpaTargets, hpaInfo, dailyMax] = await Promise.all([
    instant('cpuPercentile'), instant('cpuPoints'), instant('memoryMax'), instant('memoryPoints'), instant('oomKilledLimit', true), instant('requests', true), instant('limits', true),
    instant('podOwners', true), instant('replicaSetOwners', true), instant('jobOwners', true), instant('podsNow', true), instant('hpaTargets', true), instant('hpaInfo', true), daily(),
  ]);

  const owner = (list: MetricSeries[], key: string) => new Map(list.filter((s) => s.labels.owner_kind && s.labels.owner_name).map((s) => [`${s.labels.namespace}/${s.labels[key]}`, { kind: s.labels.owner_kind, name: s.labels.owner_name }]));
  const joined: Joined = { podOwner: owner(podOwners, 'pod'), rsOwner: owner(rsOwners, 'replicaset'), jobOwner: owner(jobOwners, 'job_name') };
  const running = new Set(podsNow.map((s) => `${s.labels.namespace}/${s.labels.pod}`));

  // HPAs: what each one targets, and the utilisation it scales at.
  const hpaOf = new Map<string, { cpuTarget?: number; memoryTarget?: number }>();
  const targetByHpa = new Map(hpaInfo.map((s) => [`${s.labels.namespace}/${s.labels.horizontalpodautoscaler}`, `${s.labels.namespace}/${s.labels.scaletargetref_kind}/${s.labels.scaletargetref_name}`]));
  for (const s of hpaTargets) {
    const target = targetByHpa.get(`${s.labels.namespace}/${s.labels.horizontalpodautoscaler}`);
    const v = lastValue(s);
    if (!target || v === undefined) continue;
    const e = hpaOf.get(target) ?? {};
    if (s.labels.metric_name === 'cpu') e.cpuTarget = v;
    if (s.labels.metric_name === 'memory') e.memoryTarget = v;
    hpaOf.set(target, e);
  }
  for (const h of opts.hpas ?? []) {
    const e = hpaOf.get(`${h.namespace}/${h.target.kind}/${h.target.name}`) ?? {};
    for (const m of h.metrics) {
      if (m.resource === 'cpu' && m.targetUtilization !== undefined) e.cpuTarget = m.targetUtilization;
      if (m.resource === 'memory' && m.targetUtilization !== undefined) e.memoryTarget = m.targetUtilization;
    }
    hpaOf.set(`${h.namespace}/${h.target.kind}/${h.target.name}`, e);
  }

  const usage = new Map<string, ContainerUsage>();
  const entry = (s: MetricSeries): ContainerUsage | undefined => {
    const { namespace, pod, container } = s.labels;
    if (!namespace || !pod || !container) return undefined;
    const workload = workloadOf(joined, namespace, pod);
    const key = `${namespace}/${workload.kind}/${workload.name}/${container}`;
    let u = usage.get(key);
    if (!u) {
      u = { namespace, workload, container, pods: new Set(), podsNow: 0, cpuPercentiles: [], memoryPeaks: [], cpuPoints: 0, memoryPoints: 0, current: {}, ...(hpaOf.has(`${namespace}/${workload.kind}/${workload.name}`) ? { hpa: hpaOf.get(`${namespace}/${workload.kind}/${workload.name}`) } : {}) };
      usage.set(key, u);
    }
    u.pods.add(pod);
    return u;
  };
  for (const s of cpuP) {
    const v = lastValue(s);
    const u = entry(s);
    if (u && v !== undefined) u.cpuPercentiles.push(v);
  }
  for (const s of cpuN) {
    const u = entry(s);
    if (u) u.cpuPoints += lastValue(s) ?? 0;
  }
  for (const s of memMax) {
    const v = lastValue(s);
    const u = entry(s);
    if (u && v !== undefined) u.memoryPeaks.push(v);
  }
  for (const s of memN) {
    const u = entry(s);
    if (u) u.memoryPoints += lastValue(s) ?? 0;
  }
  const byPodContainer = new Map<string, ContainerUsage>();
  for (const u of usage.values()) for (const p of u.pods) byPodContainer.set(`${u.namespace}/${p}/${u.container}`, u);
  for (const s of oom) {
    const u = byPodContainer.get(`${s.labels.namespace}/${s.labels.pod}/${s.labels.container}`);
    const v = lastValue(s);
    if (u && v !== undefined && v > 0) u.oomKilledLimit = Math.max(u.oomKilledLimit ?? 0, v);
  }
  // Current values: from the pods running now, the largest (a rollout in progress has both).
  for (const [list, field] of [[req, 'Request'], [lim, 'Limit']] as const) {
    for (const s of list) {
      const u = byPodContainer.get(`${s.labels.namespace}/${s.labels.pod}/${s.labels.container}`);
      const v = lastValue(s);
      if (!u || v === undefined) continue;
      const k = `${s.labels.resource === 'cpu' ? 'cpu' : 'memory'}${field}` as keyof ResourceValues;
      u.current[k] = Math.max(u.current[k] ?? 0, v);
    }
  }
  const dailyByKey = new Map<ContainerUsage, number[]>();
  for (const s of dailyMax) {
    const u = byPodContainer.get(`${s.labels.namespace}/${s.labels.pod}/${s.labels.container}`);
    const vals = s.values.filter(Number.isFinite);
    // A pod that lived a day or two has no daily pattern to speak of.
    if (!u || vals.length < 3) continue;
    const list = dailyByKey.get(u) ?? [];
    list.push(median(vals));
    dailyByKey.set(u, list);
  }
  for (const [u, list] of dailyByKey) u.cpuDailyPeak = Math.max(...list);
  for (const u of usage.values()) u.podsNow = [...u.pods].filter((p) => running.has(`${u.namespace}/${p}`)).length || (podsNow.length ? 0 : u.pods.size);

  const hourly = 730;
  const out: ContainerRecommendation[] = [];
  for (const u of usage.values()) {
    const krr = krrSimple(u, settings);
    const { recommended, notes } = opts.strategy === 'krr' ? { recommended: { ...(krr.cpuRequest !== undefined ? { cpuRequest: krr.cpuRequest } : {}), ...(krr.memoryRequest !== undefined ? { memoryRequest: krr.memoryRequest, memoryLimit: krr.memoryLimit } : {}) }, notes: [] as string[] } : improve(u, krr, settings);
    if (krr.cpuInfo && recommended.cpuRequest === undefined) notes.push(`CPU: ${krr.cpuInfo}.`);
    if (krr.memoryInfo && recommended.memoryRequest === undefined) notes.push(`Memory: ${krr.memoryInfo}.`);
    const cores = recommended.cpuRequest !== undefined && u.current.cpuRequest !== undefined ? (u.current.cpuRequest - recommended.cpuRequest) * u.podsNow : 0;
    const gib = recommended.memoryRequest !== undefined && u.current.memoryRequest !== undefined ? ((u.current.memoryRequest - recommended.memoryRequest) * u.podsNow) / GiB : 0;
    const perMonth = opts.prices ? (cores * (opts.prices.coreHour ?? 0) + gib * (opts.prices.gibHour ?? 0)) * hourly : undefined;
    let replicas: ContainerRecommendation['replicas'];
    if (!u.hpa && u.podsNow >= 2 && u.current.cpuRequest && u.cpuPercentiles.length && u.cpuPoints >= settings.pointsRequired) {
      const needed = Math.max(2, Math.ceil((u.podsNow * Math.max(...u.cpuPercentiles)) / (0.8 * u.current.cpuRequest)));
      if (needed < u.podsNow) replicas = { now: u.podsNow, recommended: needed };
    }
    out.push({
      namespace: u.namespace,
      workload: u.workload,
      container: u.container,
      podsSeen: u.pods.size,
      podsNow: u.podsNow,
      pods: [...u.pods].slice(0, 50),
      current: u.current,
      krr,
      recommended,
      notes,
      usage: { ...(u.cpuPercentiles.length ? { cpuP95: Math.max(...u.cpuPercentiles) } : {}), ...(u.cpuDailyPeak !== undefined ? { cpuDailyPeak: u.cpuDailyPeak } : {}), ...(u.memoryPeaks.length ? { memoryPeak: Math.max(...u.memoryPeaks) } : {}), ...(u.oomKilledLimit !== undefined ? { oomKilledLimit: u.oomKilledLimit } : {}), cpuPoints: u.cpuPoints, memoryPoints: u.memoryPoints },
      ...(u.hpa ? { hpa: u.hpa } : {}),
      ...(replicas ? { replicas } : {}),
      savings: { cores, gib, ...(perMonth !== undefined ? { perMonth } : {}) },
    });
  }
  // By savings: money when priced, else cores plus GiB at the usual 1 core : 4 GiB ratio of cloud prices.
  const worth = (r: ContainerRecommendation) => r.savings.perMonth ?? r.savings.cores + r.savings.gib / 4;
  out.sort((a, b) => worth(b) - worth(a) || a.namespace.localeCompare(b.namespace) || a.workload.name.localeCompare(b.workload.name));
  const total = out.reduce((t, r) => ({ cores: t.cores + r.savings.cores, gib: t.gib + r.savings.gib, ...(opts.prices ? { perMonth: (t.perMonth ?? 0) + (r.savings.perMonth ?? 0) } : {}) }), { cores: 0, gib: 0 } as RightsizeResult['total']);
  return { recommendations: out, total, queries, promql: q, warnings };
}
