// One investigation as data: the bundle of signals gathered around an alert, the findings computed from
// it once (in src/analysis/), and the hypothesis built from the findings (in src/agent/). The panel, the
// CLI, the LLM agent's tools and the MCP server all read this; none of them runs the analysis again.
// Plain data only: it must survive JSON.stringify.

import type { Alert, Hypothesis, LogLevel, SpanStatus, SuspectCommit, TraceSummary } from './model';
import type { IncidentBundle } from './bundle';
import type { KubeFinding } from './kubernetes';

/** The kinds of signal an investigation gathers, each from its own sources. */
export type SignalKind = 'metrics' | 'logs' | 'traces' | 'changes' | 'kubernetes';
/** Steps of one investigation, in the order they finish. */
export type InvestigationStep = SignalKind | 'findings' | 'hypothesis';
export const investigationSteps: readonly InvestigationStep[] = ['metrics', 'logs', 'traces', 'changes', 'kubernetes', 'findings', 'hypothesis'];

export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

/** A typed progress event: one step changed state. `count` is how many items it has so far. */
export interface ProgressEvent {
  step: InvestigationStep;
  state: StepState;
  /** A short human detail: "3 of 4 sources", "no trace source configured". */
  detail?: string;
  count?: number;
}

/** A source that failed costs only its own signals: it becomes one of these, tagged with its kind. */
export interface InvestigationError {
  kind: SignalKind;
  /** The configured source's name. */
  source: string;
  message: string;
}

// ---------- findings ----------

/** What a series measures, read from its type, unit and naming conventions (never from one system's names). */
export type SeriesRole = 'traffic' | 'errors' | 'latency' | 'saturation' | 'memory' | 'availability' | 'other';

/** What kind of failure a message describes (src/analysis/findings/errorClasses.ts). */
export type ErrorClass = 'tls' | 'dns' | 'refused' | 'reset' | 'timeout' | 'pool' | 'quota' | 'disk' | 'memory' | 'lock' | 'unavailable' | 'code' | 'crash' | 'config' | 'auth' | 'other';

export interface SeriesFinding {
  /** The series id: a bundle series, or a derived one (`rate(...)`, `p95(...)`, `mean(...)`); evidence points at it. */
  id: string;
  name: string;
  service?: string;
  /** host / node / instance, when the series is per host. */
  host?: string;
  zone?: string;
  unit?: string;
  role: SeriesRole;
  /** How it was made from the bundle's series (raw: it is one of them). */
  derivation?: 'raw' | 'rate' | 'p95' | 'mean';
  /** The bundle series it comes from. */
  sources?: string[];
  /** Points of a derived series (bounded), so a view can chart it without computing it. */
  points?: { timestamps: number[]; values: number[] };
  resource?: string;
  isLimit?: boolean;
  /** A steady climb that started at a knee (a leak, a filling disk), with the knee's time. */
  slope?: { start: number; perHour: number; ratio: number; sinceStart?: boolean };
  /** Set when the series left its baseline and stayed out until the alert. */
  excursion?: {
    onset: number;
    direction: 'up' | 'down';
    /** Robust z of the excursion, capped at 50. */
    score: number;
    /** Mean during the excursion over the baseline median. */
    ratio: number;
  };
  /** Stretches a chart shades as anomalous. */
  regions: { start: number; end: number }[];
}

export interface OnsetSignal {
  kind: 'metric' | 'log' | 'span' | 'change' | 'alert';
  /** What it points at (a series id, a pattern id, "traceId/spanId"). */
  ref: string;
  time: number;
  weight: number;
  service?: string;
}

export interface OnsetFinding {
  /** Best estimate of when the incident started. */
  time: number;
  /** What dated it: corroborated signals, a series excursion alone, or a fallback when nothing moved. */
  basis: 'signals' | 'metric' | 'fallback';
  /** The series that dated it, when one did. */
  seriesId?: string;
  /** The earliest and latest plausible onset. */
  low?: number;
  high?: number;
  /** The signals that dated it, earliest first. */
  signals?: OnsetSignal[];
}

export interface LogPatternFinding {
  /** Content-derived, stable id: the same template gets the same id whatever else was mined. */
  id: string;
  template: string;
  level: LogLevel;
  service?: string;
  countBefore: number;
  countAfter: number;
  isNew: boolean;
  /** log2 of the after/before rate ratio. */
  rateChange: number;
  /** New or clearly more frequent after the onset (at least 3 lines, over 3x the rate before). */
  rising: boolean;
  firstAfter?: number;
  /** First line of the pattern in the window, to the pattern's bucket resolution. */
  firstSeen?: number;
  samples: string[];
}

export interface ErrorOriginFinding {
  /** "traceId/spanId" of a sample span: what evidence points at. */
  ref: string;
  service: string;
  operation: string;
  kind?: string;
  /** For a failing client call: the service it calls when that service has telemetry here. */
  callee?: string;
  /** The failure class of its message. */
  errorClass?: ErrorClass;
  /** First time it failed after (or at) the onset. */
  firstAt?: number;
  /** Failing spans with no failing child, after the onset. */
  count: number;
  /** The same origin before the onset (chronic failures are not the incident). */
  countBefore: number;
  traceCount: number;
  exceptionType?: string;
  exceptionMessage?: string;
  stacktrace?: string;
  statusMessage?: string;
  code?: { filepath?: string; function?: string; lineno?: number };
  /** A client span's peer that has no telemetry of its own here (peer.service, server.address, db.system). */
  external?: string;
}

export interface OperationLatencyFinding {
  /** "traceId/spanId" of a sample span. */
  ref: string;
  service: string;
  operation: string;
  kind?: string;
  /** Median own time (duration minus children) before and after the onset, ms. */
  beforeMs: number;
  afterMs: number;
  count: number;
  external?: string;
  code?: { filepath: string; function?: string; lineno?: number };
}

export interface CallEdgeFinding {
  from: string;
  to: string;
  calls: number;
  errors: number;
  p95Ms: number;
}

export interface HostFinding {
  host: string;
  /** Weighted count of series off on this host while the same series is fine on other hosts. */
  anomalies: number;
  /** Share of all host-attributed anomalies. */
  share: number;
  /** A host-level (node) series is among them. */
  nodeLevel: boolean;
  /** Node-level series of this host that moved. */
  seriesIds: string[];
}

/** A suspect change with the strength of each kind of evidence for it. */
export interface SuspectFinding extends SuspectCommit {
  strength: {
    /** 0..1: stack frames / code attributes point into its changed lines (1) or files (0.65) or folders (0.3). */
    code: number;
    /** 1 when it touches the most implicated service, 0.6 another implicated one, else 0. */
    service: number;
    /** 0..1: exp(-age / 2 h), times 0.6 when it was never deployed. */
    recency: number;
    /** 0..1: deployed within 30 min before the onset (1 = at the onset). */
    close: number;
    config: boolean;
    deployed: boolean;
    services: string[];
  };
}

export interface StackFrameFinding {
  path: string;
  line?: number;
  function?: string;
  library?: boolean;
  /** The service whose failure printed it. */
  service?: string;
  /** The failure class of the error that printed it. */
  errorClass?: ErrorClass;
}

export interface ServiceRank {
  service: string;
  /** Share of the implicating signal this service carries, 0..1. */
  share: number;
}

export interface WaterfallRowData {
  spanId: string;
  parentSpanId?: string;
  depth: number;
  service: string;
  name: string;
  startOffsetMs: number;
  durationMs: number;
  selfMs: number;
  status: SpanStatus;
  isErrorOrigin: boolean;
  onCriticalPath: boolean;
}

export interface TraceWaterfall {
  traceId: string;
  totalMs: number;
  rows: WaterfallRowData[];
}

/** A runtime change seen in the telemetry: a flag flip, a configuration change or reload, an operator's action, a restart, a migration. */
export interface ChangeEventFinding {
  id: string;
  time: number;
  kind: 'flag' | 'config' | 'operation' | 'migration' | 'restart' | 'deploy' | 'infrastructure';
  /** The line or event as it was written (bounded). */
  text: string;
  /** Who wrote it: a service, a control-plane component, or "span-event" / "metric". */
  source: string;
  /** Known services and hosts the event names. */
  services: string[];
  hosts: string[];
  /** What evidence points at: a log pattern id, a series id or "traceId/spanId". */
  ref: string;
}

/** Where new errors and latency originate, walked down the call graph: a service, or a peer with no telemetry of its own. */
export interface LocusFinding {
  service: string;
  external: boolean;
  /** Reached at this host's own loopback address: part of this host. */
  local?: boolean;
  /** Share of the new failing work that originates here, 0..1. */
  errorShare: number;
  /** Share of the added latency spent here, 0..1. */
  latencyShare: number;
  /** Failure classes of the messages seen here, with counts. */
  errorClasses: Partial<Record<ErrorClass, number>>;
  /** Services whose calls into it fail or slow down. */
  callers: string[];
  firstErrorAt?: number;
  refs: string[];
}

/** How the failures of a service split over one dimension (host, zone, pod, version). */
export interface EntitySplit {
  service: string;
  dimension: 'host' | 'zone' | 'pod' | 'version';
  values: { value: string; failing: number; total: number; failingBefore: number }[];
}

export interface Findings {
  window: { start: number; end: number };
  /** The earliest start of the alerts explained together. */
  alertTime: number;
  alertServices: string[];
  counts: { series: number; logs: number; spans: number; traces: number; changes: number };
  onset: OnsetFinding;
  series: SeriesFinding[];
  logPatterns: LogPatternFinding[];
  errorOrigins: ErrorOriginFinding[];
  slowOperations: OperationLatencyFinding[];
  callGraph: CallEdgeFinding[];
  hosts: HostFinding[];
  services: ServiceRank[];
  changeEvents: ChangeEventFinding[];
  /** Lines (other than errors) that speak of the clock: a leap second, a clock step, time going backwards. */
  clockLines?: string[];
  loci: LocusFinding[];
  splits: EntitySplit[];
  /** Instrumented services: they have server spans of their own here. */
  instrumented: string[];
  /** Every service name seen (alerts, spans, logs, series). */
  knownServices: string[];
  /** Client-call peer addresses resolved to the services that answer them. */
  peerServices: Record<string, string>;
  /** Feature flags each service evaluates (OpenFeature span events), with the variants seen after the onset. */
  flags: Record<string, Record<string, string[]>>;
  /** Client calls per request that rose after the onset: median calls per trace, before and after. */
  fanout: { service: string; callee: string; before?: number; after: number; traces: number }[];
  stackFrames: StackFrameFinding[];
  codeAttributes: { filepath: string; function?: string; lineno?: number }[];
  suspects: SuspectFinding[];
  /** Kubernetes state as evidence (src/analysis/kubernetes/), when the bundle holds a snapshot or throttling series. */
  kubernetes?: KubeFinding[];
  traces: { slowest: TraceSummary[]; failing: TraceSummary[]; waterfalls: TraceWaterfall[] };
  /** Things the analysis repaired or could not do (cycles cut, a failing miner). */
  warnings: string[];
  /** Stage timings in ms (diagnostics and benchmarks). */
  timingsMs?: Record<string, number>;
  /**
   * Set while what only the panel shows is still to be computed: the patterns of routine log lines
   * (trace, debug, info; logPatterns holds warnings, errors and lines without a level), the charts'
   * anomalous regions (each moved series has its excursion), the traces (empty). The hypothesis reads
   * none of it; completeFindings (analysis/findings/computeFindings.ts) computes it and clears this.
   */
  panelPending?: true;
}

export interface Investigation {
  alert: Alert;
  bundle: IncidentBundle;
  findings: Findings;
  hypothesis: Hypothesis;
  errors: InvestigationError[];
  startedAt: number;
  finishedAt: number;
}
