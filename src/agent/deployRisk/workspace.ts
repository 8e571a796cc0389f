// A deployment-risk assessment of a workspace with only what the workspace itself holds: its git
// history, deploy tags and records, coverage reports, policy and SLO files. The command line uses
// it; the editor adds its live alerts, metrics and incident memory (src/vscode/deployRisk.ts).
import * as path from 'node:path';
import type { DeploymentRiskAssessment } from '../../core/deployRisk';
import { GitHistorySource } from '../../sources/changeHistory';
import { GitChangeSource } from '../../sources/git';
import { assessDeploymentRisk } from './assess';

export interface WorkspaceAssessOptions {
  workspace: string;
  rev?: string;
  base?: string;
  /** Which environment the deploy targets (freeze rules and deploy records name it); default production. */
  environment?: string;
  deployTagPattern?: string;
  /** Deploy records (JSON lines) relative to the workspace; GitChangeSource's default otherwise. */
  deployRecords?: string;
  serviceMap?: Record<string, string>;
}

export function assessWorkspace(opts: WorkspaceAssessOptions): Promise<DeploymentRiskAssessment> {
  const workspace = path.resolve(opts.workspace);
  // A person ran the command on a folder they chose: its files are read as the editor reads a trusted workspace's.
  const history = new GitHistorySource({ repo: workspace, trusted: true });
  const changes = new GitChangeSource({ workspace, trusted: true, deployTagPattern: opts.deployTagPattern, deployLog: opts.deployRecords });
  return assessDeploymentRisk(
    { workspace, trusted: true, history, deploys: (signal) => changes.listDeploys(signal), environment: opts.environment ?? 'production', serviceMap: opts.serviceMap },
    { rev: opts.rev, base: opts.base },
  );
}
