// The model panel's messages and view model. Plain data; the webview renders every string as text and
// asks for actions by index and id, commits by sha: the host decides what runs and what opens.
import type { DriftRankEntry, EvidentlyColumnDrift } from '../core/modelMonitoring';
import { defineCommand, defineNotification, noParams, objectCheck } from './ipc';

export const modelViewType = 'incidentLens.model';

export interface ModelChunkView {
  key: string;
  period: 'reference' | 'analysis';
  rows: number;
  small: boolean;
}

/** One statistic over the chunks, with its threshold and the chunks that broke it. */
export interface ModelSeriesView {
  label: string;
  method: string;
  values: (number | null)[];
  lower?: number;
  upper?: number;
  alerts: boolean[];
}

export interface FeatureDriftView {
  feature: string;
  type: 'continuous' | 'categorical';
  series: ModelSeriesView;
  alertCount: number;
  firstAlert?: string;
  explained?: number;
  drifted: boolean;
}

export interface PerformanceView extends ModelSeriesView {
  basis: 'realized' | 'estimated';
}

export interface ModelCommitView {
  sha: string;
  short: string;
  author: string;
  time: number;
  subject: string;
  areas: string[];
  files: string[];
}

export interface ModelActionView {
  index: number;
  actionId: string;
  title: string;
  why: string;
  enabled: boolean;
  disabledReason?: string;
}

export interface ModelView {
  model: { name: string; owner: string; service?: string; problem: string; declared?: string };
  /** The alert the panel was opened from, when it was. */
  alert?: { name: string; severity: string; summary: string };
  phase: 'loading' | 'ready' | 'error';
  error?: string;
  chunks: ModelChunkView[];
  features: FeatureDriftView[];
  prediction?: FeatureDriftView;
  performance: PerformanceView[];
  decayChunks: string[];
  ranking: DriftRankEntry[];
  registry?: { pointer: string; serving?: string; previous?: string; versions: { version: string; aliases: string[]; stage?: string; createdAt?: number }[]; runMetrics: [string, number][] };
  evidently: { file: string; format: string; datasetDrift?: boolean; driftedColumns?: number; columns: EvidentlyColumnDrift[] }[];
  serving?: { source: string; psi?: number; jensenShannon?: number; meanLast?: number; latencyP95Last?: number; errorRatioLast?: number };
  commits: ModelCommitView[];
  actions: ModelActionView[];
  actionsNote?: string;
  problems: { part: string; message: string }[];
  notes: string[];
  computedAt?: number;
}

/** UI-only state the webview keeps in getState/setState. */
export interface ModelPanelUiState {
  model: string;
  alertId?: string;
}

const scope = 'model';
export const modelReadyCommand = defineCommand<Record<string, never>>(scope, 'ready', noParams);
export const modelStateNotification = defineNotification<ModelView>(scope, 'state');
export const modelRunActionCommand = defineCommand<{ index: number; actionId: string }>(scope, 'runAction', objectCheck({ index: 'integer', actionId: 'string' }, 200));
export const modelOpenCommitCommand = defineCommand<{ sha: string }>(scope, 'openCommit', objectCheck({ sha: 'string' }, 64));
export const modelRefreshCommand = defineCommand<Record<string, never>>(scope, 'refresh', noParams);
