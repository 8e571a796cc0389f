// The domain model shared by every layer. Plain data only: everything here must survive
// JSON.stringify (it crosses into webviews and into incident bundles).
// Times are milliseconds since the Unix epoch unless a name says otherwise.

export type Severity = 'critical' | 'error' | 'warning' | 'info' | 'none';
export type AlertState = 'firing' | 'pending' | 'silenced' | 'resolved';
export type Labels = Record<string, string>;

export interface Alert {
  /** Stable identity: the source's fingerprint, or a hash of the sorted labels. */
  id: string;
  /** The alertname label, or the rule's name. */
  name: string;
  state: AlertState;
  severity: Severity;
  labels: Labels;
  annotations: Labels;
  startsAt: number;
  endsAt?: number;
  /** The value that made the rule fire, as the backend printed it. */
  value?: string;
  /** Which configured source reported it (its name) and what kind of backend that is. */
  sourceName: string;
  sourceKind: string;
  /** Link back to the rule or graph in the source's own UI. */
  generatorURL?: string;
  silencedBy?: string[];
  service?: string;
  environment?: string;
  /** The alerting rule behind the alert, when its source (or another that knows the rule) could tell. */
  rule?: AlertRule;
}

export type Comparison = '>' | '>=' | '<' | '<=' | '==' | '!=';

/** A threshold the alert's value is compared with: the rule fires when `value op threshold` holds. */
export interface Threshold {
  op: Comparison;
  value: number;
}

/**
 * What an alerting rule looks at, as plain data. Optional everywhere: bundles written before it, and
 * backends that do not expose their rules, simply have none.
 */
export interface AlertRule {
  /** The rule's name (the alertname, or Grafana's title). */
  name: string;
  /** The rule's expression as written (PromQL, LogQL, or a description of a built-in rule). */
  expression: string;
  /** promql, logql, builtin (the embedded receiver's rules), or what the backend called it. */
  language: string;
  /** The part of the expression whose value is compared with the threshold: what to graph. */
  valueExpression?: string;
  /** How long the condition must hold before the alert fires, in ms. */
  forMs?: number;
  /** Parsed from an expression of the form `<expr> <op> <number>`, or the backend's threshold. */
  threshold?: Threshold;
  /** The rule group (Prometheus), rule group or folder (Grafana). */
  group?: string;
  /** The labels the rule itself adds to every alert it fires (not those of the series). */
  labels?: Labels;
  /** Unit of the compared value (see core/units.ts), when it can be told from the expression or the backend. */
  unit?: string;
  /** The backend's own id of the rule (Grafana's uid). */
  uid?: string;
  /** The source that described the rule. */
  sourceName?: string;
}

/** One metric series: parallel arrays keep 100k points cheap. */
export interface MetricSeries {
  /** Stable id, e.g. the PromQL selector with labels. */
  id: string;
  name: string;
  labels: Labels;
  service?: string;
  timestamps: number[];
  values: number[];
  /** See core/units.ts: s, ms, bytes, bytes/s, ratio, percent, req/s, /s, cores, or a backend's own word. */
  unit?: string;
  /** The query that produced the series, in the source's language, when it is not just the id. */
  query?: string;
  /** Set on an alert's own expression: the rule's threshold, to draw beside the values. */
  threshold?: Threshold;
  /** Why the series was chosen: the alert's own expression, or what the alert is about. */
  role?: SeriesRole;
}

/** alert: the rule's own expression; use: a host's utilisation/saturation/errors; red: a service's rate/errors/duration; resource: a pod's or container's. */
export type SeriesRole = 'alert' | 'use' | 'red' | 'resource' | 'other';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'unknown';

export interface LogRecord {
  time: number;
  body: string;
  level: LogLevel;
  service?: string;
  attributes?: Record<string, string | number | boolean>;
  traceId?: string;
  spanId?: string;
}

export type SpanStatus = 'unset' | 'ok' | 'error';

export interface SpanEvent {
  name: string;
  time: number;
  attributes?: Record<string, string | number | boolean>;
}

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  /** server, client, internal, producer, consumer */
  kind?: string;
  startTime: number;
  endTime: number;
  status: SpanStatus;
  statusMessage?: string;
  attributes: Record<string, string | number | boolean>;
  events?: SpanEvent[];
}

export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootName: string;
  startTime: number;
  durationMs: number;
  spanCount: number;
  errorCount: number;
}

export interface ChangedFile {
  path: string;
  /** A added, M modified, D deleted, R renamed */
  status: 'A' | 'M' | 'D' | 'R';
  additions: number;
  deletions: number;
  /** Line ranges in the new version that the commit added or changed. */
  hunks?: { newStart: number; newLines: number; oldStart: number; oldLines: number }[];
}

export interface Change {
  sha: string;
  author: string;
  email?: string;
  time: number;
  message: string;
  files: ChangedFile[];
  parents?: string[];
  /** Set when the commit is a deploy: the tag or deploy record that names it, and when it went out. */
  deploy?: { ref: string; time: number; environment?: string };
}

export interface BlameLine {
  line: number;
  sha: string;
  author: string;
  time: number;
  summary: string;
  text: string;
}

export interface CodeLocation {
  path: string;
  startLine: number;
  endLine: number;
  function?: string;
  blame?: BlameLine[];
}

export type EvidenceKind = 'alert' | 'metric' | 'log-pattern' | 'span' | 'trace' | 'commit' | 'deploy' | 'topology' | 'config';

export interface Evidence {
  id: string;
  kind: EvidenceKind;
  /** What it points at: a series id, a log template id, "traceId/spanId", a commit sha. */
  ref: string;
  title: string;
  /** Why it matters for the hypothesis. */
  why: string;
  /** Contribution to the score, 0..1. */
  weight: number;
  time?: number;
}

export type CauseKind = 'code-change' | 'config-change' | 'dependency' | 'capacity' | 'infrastructure' | 'unknown';

export interface SuspectCommit {
  sha: string;
  author: string;
  time: number;
  message: string;
  score: number;
  files: string[];
  reasons: string[];
  location?: CodeLocation;
}

export interface Alternative {
  summary: string;
  causeKind: CauseKind;
  service?: string;
  commit?: string;
  confidence: number;
  whyLower: string;
}

export interface ProposedAction {
  /** An id from the action catalog, e.g. "rollback-deploy". */
  actionId: string;
  title: string;
  /** Parameters the catalog fills into its plan (service, revision, replicas...). Data, never a command line. */
  params: Record<string, string | number>;
  why: string;
}

export interface Hypothesis {
  alertId: string;
  summary: string;
  causeKind: CauseKind;
  service?: string;
  /** The host or node at fault, for infrastructure causes. */
  host?: string;
  suspectCommit?: SuspectCommit;
  suspectCommits: SuspectCommit[];
  location?: CodeLocation;
  /** Calibrated probability that the named cause is right, 0..1. */
  confidence: number;
  abstained: boolean;
  evidence: Evidence[];
  alternatives: Alternative[];
  confirm: string[];
  refute: string[];
  /** What was looked at, said always and especially when abstaining. */
  checked: string[];
  proposedActions: ProposedAction[];
  onset?: number;
}

export type RiskClass = 'low' | 'medium' | 'high';
export type PolicyVerdict = 'allow' | 'require-approval' | 'dry-run-only' | 'deny';

export interface PolicyDecision {
  verdict: PolicyVerdict;
  /** The rule that decided, or "default:<name>" for the built-in defaults. */
  decidedBy: string;
  matched: string[];
  reasons: string[];
}
