// The investigation panel's messages and view model. Plain data; the webview renders every string
// in it as text. The webview asks for actions by id and index only: the host decides what runs.
import type { Alert, AlertState, Hypothesis, Severity, Threshold, TraceSummary } from '../core/model';
import type { InvestigationStep } from '../core/investigation';
import { defineCommand, defineNotification, defineRequest, noParams, objectCheck } from './ipc';

export const viewType = 'incidentLens.investigation';

export interface StepView {
  step: InvestigationStep;
  label: string;
  state: 'pending' | 'running' | 'done' | 'failed';
  detail?: string;
}

/** One line of a chart: a series, named by the labels that tell it from the chart's other lines. */
export interface ChartSeriesView {
  /** The series id in the bundle (what metric evidence points at). */
  id: string;
  /** The labels that differ between the chart's series ("mode=user"), or the chart's title for a lone series. */
  label: string;
  values: (number | null)[];
  evidenceIds: string[];
  /** The series left its baseline before the alert. */
  moved: boolean;
}

/** A small multiple: the series of one metric (and unit) on one time axis. */
export interface ChartView {
  /** Stable for the metric: `chart:<name>|<unit>|<n>`. */
  id: string;
  title: string;
  /** The labels every line shares ("service=payments, instance=10.0.0.5:9100"). */
  subtitle?: string;
  service?: string;
  unit?: string;
  /** alert: the alert's own expression; use / red / resource / other: what the alert is about. */
  role?: string;
  timestamps: number[];
  series: ChartSeriesView[];
  /** Series of this metric left out to keep the chart readable. */
  omitted: number;
  /** The alert rule's threshold, drawn as a line. */
  threshold?: Threshold;
  anomalies: { start: number; end: number }[];
  /** Evidence ids that point at any of its series. */
  evidenceIds: string[];
}

export interface MarkerView {
  time: number;
  label: string;
  kind: 'alert' | 'deploy' | 'onset' | 'resolved' | 'action';
}

export type RangePreset = 'alert' | '15m' | '1h' | '6h' | 'custom';

export interface RangeView {
  preset: RangePreset;
  start: number;
  end: number;
}

/** A link out, by id: the host keeps the URL and opens it (the webview never opens a URL). */
export interface LinkView {
  id: string;
  label: string;
  kind: 'runbook' | 'metrics' | 'dashboard' | 'logs' | 'trace' | 'alert';
  /** Where it goes, for the tooltip (the host's URL with its query string cut). */
  detail?: string;
}

export interface IncidentAlertView {
  key: string;
  name: string;
  service?: string;
  state: AlertState;
  severity: Severity;
  startsAt: number;
  /** This panel's own alert. */
  current: boolean;
}

/** The other alerts this investigation explains with its own. */
export interface IncidentView {
  title: string;
  alerts: IncidentAlertView[];
}

/** Where an evidence link goes: computed once by the mapper, so the webview does not guess. */
export type EvidenceTarget =
  | { kind: 'chart'; chartId: string; seriesId: string }
  | { kind: 'pattern'; patternId: string }
  | { kind: 'span'; traceId: string; spanId?: string }
  | { kind: 'commit'; sha: string }
  | { kind: 'alert' };

export interface LogPatternView {
  id: string;
  template: string;
  level: string;
  service?: string;
  countBefore: number;
  countAfter: number;
  isNew: boolean;
  rateChange: number;
  samples: string[];
  evidenceIds: string[];
}

export interface WaterfallRowView {
  spanId: string;
  parentSpanId?: string;
  depth: number;
  service: string;
  name: string;
  startOffsetMs: number;
  durationMs: number;
  selfMs: number;
  status: string;
  isErrorOrigin: boolean;
  onCriticalPath: boolean;
}

export interface TraceView {
  traceId: string;
  rows: WaterfallRowView[];
  totalMs: number;
}

export interface ActionView {
  index: number;
  actionId: string;
  title: string;
  why: string;
  enabled: boolean;
  disabledReason?: string;
  /** running: in the remediation terminal now; done: it ran and is not offered again; tried: it did not run (rejected, denied). */
  state?: 'running' | 'done' | 'tried';
  /** The outcome as a sentence, with units ("Recovered: payments error ratio 0.4 % < 5 %"). */
  outcome?: string;
  outcomeOk?: boolean;
}

export interface InvestigationView {
  alert: Alert;
  phase: 'gathering' | 'ready' | 'error';
  steps: StepView[];
  error?: string;
  hypothesis?: Hypothesis;
  charts: ChartView[];
  markers: MarkerView[];
  logPatterns: LogPatternView[];
  slowTraces: TraceSummary[];
  failingTraces: TraceSummary[];
  trace?: TraceView;
  actions: ActionView[];
  sourceErrors: { source: string; message: string }[];
  /** Why actions are off, when they are (observe mode, untrusted workspace). */
  actionsNote?: string;
  startedAt: number;
  readyAt?: number;
  /** The time range read, and how it was chosen. */
  range: RangeView;
  /** The stretch of it the charts show: where data and markers are (a zoom-out goes back to it). */
  extent: { start: number; end: number };
  links: LinkView[];
  /** Set when the alert is one of several that share a cause. */
  incident?: IncidentView;
  /** "Fired 3 times in the last 7 days", where the source keeps the alert's history. */
  history?: string;
  evidenceTargets: Record<string, EvidenceTarget>;
}

/** UI-only state the webview keeps in getState/setState: it survives tab switches and reloads. */
export interface PanelUiState {
  alertId: string;
  sourceName: string;
  tab?: string;
  logLevel?: string;
  /** Ids of the sections the user collapsed. */
  collapsed?: string[];
  /** Keys of the details (alternatives, samples) the user opened, and of those open by default that they closed. */
  opened?: string[];
  closedDetails?: string[];
  scrollY?: number;
  /** The trace shown in the waterfall. */
  traceId?: string;
  /** A zoom the user dragged on the charts (ms since epoch). */
  zoom?: { start: number; end: number };
}

const scope = 'investigation';
export const readyCommand = defineCommand<Record<string, never>>(scope, 'ready', noParams);
export const stateNotification = defineNotification<InvestigationView>(scope, 'state');
export const goToCodeCommand = defineCommand<{ sha?: string }>(scope, 'goToCode', objectCheck({ sha: 'string?' }, 64));
export const openDiffCommand = defineCommand<{ sha: string; path?: string }>(scope, 'openDiff', objectCheck({ sha: 'string', path: 'string?' }));
export const runActionCommand = defineCommand<{ index: number; actionId: string }>(scope, 'runAction', objectCheck({ index: 'integer', actionId: 'string' }, 200));
export const markWrongCommand = defineCommand<Record<string, never>>(scope, 'markWrong', noParams);
export const rerunCommand = defineCommand<Record<string, never>>(scope, 'rerun', noParams);
export const cancelCommand = defineCommand<Record<string, never>>(scope, 'cancel', noParams);
export const traceRequest = defineRequest<{ traceId: string }, TraceView | undefined>(scope, 'trace', objectCheck({ traceId: 'string' }, 128));
export const setRangeCommand = defineCommand<{ preset: string; start?: number; end?: number }>(scope, 'setRange', objectCheck({ preset: 'string', start: 'integer?', end: 'integer?' }, 16));
export const openLinkCommand = defineCommand<{ id: string }>(scope, 'openLink', objectCheck({ id: 'string' }, 64));
export const copyMarkdownCommand = defineCommand<Record<string, never>>(scope, 'copyMarkdown', noParams);
export const exportMarkdownCommand = defineCommand<Record<string, never>>(scope, 'exportMarkdown', noParams);
export const openAlertCommand = defineCommand<{ key: string }>(scope, 'openAlert', objectCheck({ key: 'string' }, 600));
