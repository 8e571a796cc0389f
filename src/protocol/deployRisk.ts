// The deployment-risk panel's messages and view model. Plain data; the webview renders every string
// as text. It can ask for a new assessment, another target, or to open a commit or a file the
// evidence names; the host checks what it is asked against the assessment it showed.
import type { DeploymentRiskAssessment } from '../core/deployRisk';
import { defineCommand, defineNotification, noParams, objectCheck } from './ipc';

export const deployRiskViewType = 'incidentLens.deployRisk';

export interface DeployRiskView {
  phase: 'assessing' | 'ready' | 'error';
  /** What is being assessed, as the user picked it: "HEAD (main)", "tag v1.4", "commit 1a2b3c4d". */
  targetLabel: string;
  assessment?: DeploymentRiskAssessment;
  error?: string;
  /** Set while the change-risk model is being fitted for the first time on this history. */
  progress?: string;
}

const scope = 'deployRisk';
export const deployRiskReady = defineCommand<Record<string, never>>(scope, 'ready', noParams);
export const deployRiskState = defineNotification<DeployRiskView>(scope, 'state');
export const deployRiskReassess = defineCommand<Record<string, never>>(scope, 'reassess', noParams);
export const deployRiskPickTarget = defineCommand<Record<string, never>>(scope, 'pickTarget', noParams);
export const deployRiskOpenCommit = defineCommand<{ sha: string }>(scope, 'openCommit', objectCheck({ sha: 'string' }, 64));
export const deployRiskOpenFile = defineCommand<{ path: string; line?: number }>(scope, 'openFile', objectCheck({ path: 'string', line: 'integer?' }, 4096));
