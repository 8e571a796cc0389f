// The investigation panel's messages and view model. Plain data; the webview renders every string
// in it as text. The webview asks for actions by id and index only: the host decides what runs.
import type { Alert, Hypothesis, TraceSummary } from '../core/model';
import type { InvestigationStep } from '../core/investigation';
import { defineCommand, defineNotification, defineRequest, noParams, objectCheck } from './ipc';

export const viewType = 'incidentLens.investigation';

export interface StepView {
  step: InvestigationStep;
  label: string;
  state: 'pending' | 'running' | 'done' | 'failed';
  detail?: string;
}

export interface ChartView {
  id: string;
  title: string;
  service?: string;
  unit?: string;
  timestamps: number[];
  values: (number | null)[];
  anomalies: { start: number; end: number }[];
  /** Evidence ids that point at this chart. */
  evidenceIds: string[];
}

export interface MarkerView {
  time: number;
  label: string;
  kind: 'alert' | 'deploy' | 'onset';
}

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
}

/** UI-only state the webview keeps in getState/setState. */
export interface PanelUiState {
  alertId: string;
  sourceName: string;
  tab?: string;
  logLevel?: string;
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
