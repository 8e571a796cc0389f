// Assess a deployment: what would ship (the commits between what is deployed and the target), how
// risky those commits are by the repository's own history, and the operational factors around it;
// a score, its level and a recommendation (deploy now, deploy in a window, delay) with the reason.
// Advice only: nothing here can stop a deploy, and the result says so.
//
// Each factor is measured on its own; one that fails or has no data says why and weighs nothing, so
// the score is the weighted mean of what was measured. Gates (an active freeze, a critical alert on a
// target service, a spent error budget) decide the recommendation whatever the score.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Alert } from '../../core/model';
import type { MetricSource } from '../../core/sources';
import { riskLevel, type DeploymentRecommendation, type DeploymentRiskAssessment, type RiskFactor } from '../../core/deployRisk';
import { errorMessage } from '../../core/errors';
import { serviceOfPath } from '../../analysis/suspectChanges';
import type { GitHistorySource } from '../../sources/changeHistory';
import type { DeployMarker } from '../../sources/git';
import type { ArgoCdSource } from '../../sources/argocd';
import { discoverCoverageReports, readCoverageReport, type LoadedReport } from '../../sources/coverage/reports';
import { emptyPolicy, loadPolicy } from '../../policy/load';
import type { Policy } from '../../policy/types';
import type { IncidentRecord } from '../incidentMemory';
import { analyseChangeRisk, changeRiskFactor, type ChangeRiskAnalysis, type ChangeRiskOptions } from './changeRisk';
import { alertsFactor, coverageFactor, dailyPattern, freezeFactor, incidentsFactor, requestRateOf, trafficFactor, type DailyPattern } from './factors';
import { errorBudgetFactor, parseSloFile, readErrorBudgets, type BudgetReading } from './slos';

export interface DeploymentRiskDeps {
  workspace: string;
  /** vscode.workspace.isTrusted: an untrusted workspace's policy and SLO files are not read. */
  trusted: boolean;
  history: GitHistorySource;
  /** Deploy tags and records (GitChangeSource.listDeploys). */
  deploys?: (signal?: AbortSignal) => Promise<DeployMarker[]>;
  argoCd?: { source: ArgoCdSource; application: string; appNamespace?: string };
  incidents?: () => readonly IncidentRecord[] | Promise<readonly IncidentRecord[]>;
  alerts?: (signal?: AbortSignal) => Promise<Alert[]>;
  metrics?: () => readonly MetricSource[];
  serviceMap?: Record<string, string>;
  environment: string;
  now?: () => number;
  /** Change-risk analyses by tip sha: the history is read and the model fitted once per tip. */
  cache?: Map<string, Promise<ChangeRiskAnalysis>>;
  /** SZZ results kept between sessions (FileSzzCache). */
  szzCache?: ChangeRiskOptions['szzCache'];
}

export interface AssessOptions {
  /** What would be deployed; default HEAD. */
  rev?: string;
  /** What is deployed; default: found from Argo CD, deploy records or deploy tags. */
  base?: string;
  signal?: AbortSignal;
}

const MAX_WORKSPACE_FILE = 1024 * 1024;

/** A workspace file as text: a regular file only (never a FIFO or a device), bounded; undefined when absent. */
function readWorkspaceFile(workspace: string, rel: string): string | undefined {
  const file = path.join(workspace, rel);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return undefined;
  }
  if (!stat.isFile()) throw new Error(`${rel} is not a regular file`);
  if (stat.size > MAX_WORKSPACE_FILE) throw new Error(`${rel} is larger than ${MAX_WORKSPACE_FILE} bytes`);
  return fs.readFileSync(file, 'utf8');
}

type BaseChoice = DeploymentRiskAssessment['base'];

async function findBase(deps: DeploymentRiskDeps, tip: string, opts: AssessOptions, notes: string[]): Promise<BaseChoice> {
  if (opts.base) return { sha: await deps.history.resolve(opts.base, opts.signal), label: opts.base, source: 'argument' };
  if (deps.argoCd) {
    try {
      const synced = await deps.argoCd.source.syncedRevision(deps.argoCd.application, { appNamespace: deps.argoCd.appNamespace, signal: opts.signal });
      const sha = await deps.history.resolve(synced.revision, opts.signal).catch(() => undefined);
      if (sha) return { sha, label: `Argo CD ${deps.argoCd.application} (${synced.syncStatus ?? 'sync status unknown'})`, source: 'argocd' };
      notes.push(`Argo CD ${deps.argoCd.application} runs ${synced.revision.slice(0, 12)}, which this repository does not have`);
    } catch (err) {
      notes.push(`Argo CD: ${errorMessage(err)}`);
    }
  }
  if (deps.deploys) {
    let markers: DeployMarker[] = [];
    try {
      markers = await deps.deploys(opts.signal);
    } catch (err) {
      notes.push(`deploy markers: ${errorMessage(err)}`);
    }
    const env = deps.environment.trim().toLowerCase();
    const candidates = markers.filter((m) => !m.environment || m.environment.trim().toLowerCase() === env).sort((a, b) => b.time - a.time);
    for (const m of candidates.slice(0, 50)) {
      if (m.sha === tip || (await deps.history.isAncestor(m.sha, tip, opts.signal))) {
        // A tag name cannot hold ":"; a deploy record's ref is "<file>:<line>".
        return { sha: m.sha, label: m.ref, source: m.ref.includes(':') ? 'deploy-record' : 'deploy-tag' };
      }
    }
  }
  notes.push('no deploy found (no deploy tag, deploy record or Argo CD application names an ancestor of the target): the target commit is assessed alone');
  return { label: 'nothing known to be deployed', source: 'none' };
}

function notMeasured(kind: RiskFactor['kind'], title: string, err: unknown): RiskFactor {
  return { kind, title, weight: 0, summary: 'not measured', evidence: [], notMeasured: errorMessage(err) };
}

async function trafficPatterns(sources: readonly MetricSource[], services: readonly string[], now: number, signal?: AbortSignal): Promise<{ service: string; pattern?: DailyPattern; problem?: string }[]> {
  const withRed = sources.filter((s) => typeof s.seriesForService === 'function');
  return Promise.all(
    services.slice(0, 3).map(async (service) => {
      if (!withRed.length) return { service, problem: 'no metrics source' };
      const problems: string[] = [];
      for (const source of withRed) {
        try {
          const series = await source.seriesForService!(service, { start: now - 7 * 86_400_000, end: now }, signal);
          const rate = requestRateOf(series);
          if (!rate) continue;
          const pattern = dailyPattern(rate, now);
          if (pattern) return { service, pattern };
          const hours = rate.t.length > 1 ? (rate.t[rate.t.length - 1] - rate.t[0]) / 3_600_000 : 0;
          problems.push(`${source.name} has ${hours.toFixed(1)} h of request rate, a daily pattern needs a day`);
        } catch (err) {
          problems.push(`${source.name}: ${errorMessage(err)}`);
        }
      }
      return { service, problem: problems.join('; ') || 'no request-rate series' };
    }),
  );
}

function recommend(factors: RiskFactor[], score: number, level: DeploymentRiskAssessment['level'], trafficWindow: { start: number; end: number; why: string } | undefined, freezeEnds: number | undefined): DeploymentRecommendation {
  const find = (k: RiskFactor['kind']) => factors.find((f) => f.kind === k);
  const freeze = find('freeze');
  if (freeze?.gate) {
    return {
      action: 'delay',
      reason: freeze.notMeasured ? `the policy file is invalid, so every action is denied: ${freeze.notMeasured}` : `${freeze.summary}: the policy denies deploys now`,
      ...(freezeEnds ? { window: { start: freezeEnds, end: freezeEnds + 3_600_000, why: 'the first hour after the freeze ends' } } : {}),
      blocking: false,
    };
  }
  const alerts = find('alerts');
  if (alerts?.gate) return { action: 'delay', reason: `critical alerts are firing on the target services (${alerts.summary}): understand them before changing what runs`, blocking: false };
  const budget = find('error-budget');
  if (budget?.gate) return { action: 'delay', reason: `${budget.summary}: hold changes until the service is back within its objective`, blocking: false };
  const drivers = factors
    .filter((f) => f.value !== undefined && f.value > 0 && f.weight > 0)
    .sort((a, b) => b.weight * b.value! - a.weight * a.value!)
    .slice(0, 2)
    .map((f) => `${f.title.toLowerCase()}: ${f.summary}`)
    .join('; ');
  if (level === 'high') return { action: 'delay', reason: `risk ${(score * 100).toFixed(0)}% is high (${drivers}): review the riskiest commits, or split the deploy`, ...(trafficWindow ? { window: trafficWindow } : {}), blocking: false };
  const traffic = find('traffic');
  if (level === 'medium' || (traffic?.value ?? 0) >= 0.75) {
    const why = level === 'medium' ? `risk ${(score * 100).toFixed(0)}% is medium (${drivers})` : `traffic is near its daily peak (${traffic!.summary})`;
    return trafficWindow
      ? { action: 'deploy-in-window', reason: `${why}: deploy when fewer users are affected`, window: trafficWindow, blocking: false }
      : { action: 'deploy-in-window', reason: `${why}: deploy when someone can watch the rollout (no daily traffic pattern to suggest an hour)`, blocking: false };
  }
  return { action: 'deploy-now', reason: `risk ${(score * 100).toFixed(0)}% is low${drivers ? ` (${drivers})` : ''}`, blocking: false };
}

export async function assessDeploymentRisk(deps: DeploymentRiskDeps, opts: AssessOptions = {}): Promise<DeploymentRiskAssessment> {
  const now = deps.now?.() ?? Date.now();
  const notes: string[] = [];
  const rev = opts.rev ?? 'HEAD';
  const tip = await deps.history.resolve(rev, opts.signal);
  const base = await findBase(deps, tip, opts, notes);
  const shas = base.sha === tip ? [] : base.sha ? await deps.history.commitsBetween(base.sha, tip, 500, opts.signal) : [tip];
  if (base.sha === tip) notes.push(`${rev} is what is deployed: nothing new to ship`);

  let cached = deps.cache?.get(tip);
  if (!cached) {
    cached = analyseChangeRisk(deps.history, tip, { signal: opts.signal, szzCache: deps.szzCache });
    deps.cache?.set(tip, cached);
    cached.catch(() => deps.cache?.delete(tip));
  }
  const analysis = await cached;
  notes.push(...analysis.notes);
  const { factor: changeFactor, commits } = changeRiskFactor(analysis, shas);

  const inSet = new Set(shas);
  const files = [...new Set(analysis.history.commits.filter((c) => inSet.has(c.sha)).flatMap((c) => c.files.map((f) => f.path)))].sort();
  const services = [...new Set(files.map((f) => serviceOfPath(f, deps.serviceMap)).filter((s): s is string => !!s))].sort();

  const factors: RiskFactor[] = [changeFactor];
  factors.push(incidentsFactor(await deps.incidents?.(), services, files, now));

  // Coverage of the changed lines.
  try {
    const changed = shas.length ? await deps.history.changedNewLines(base.sha, tip, opts.signal) : [];
    const reports: LoadedReport[] = [];
    const problems: string[] = [];
    for (const rel of await discoverCoverageReports(deps.workspace)) {
      try {
        reports.push(await readCoverageReport(deps.workspace, rel));
      } catch (err) {
        problems.push(errorMessage(err));
      }
    }
    const newest = Math.max(0, ...commits.map((c) => c.time));
    factors.push(coverageFactor(reports, problems, deps.workspace, changed, newest));
  } catch (err) {
    factors.push(notMeasured('coverage', 'Test coverage of the changed lines', err));
  }

  const traffic = trafficFactor(services.length ? await trafficPatterns(deps.metrics?.() ?? [], services, now, opts.signal) : []);
  const { window: trafficWindow, ...trafficRest } = traffic;
  factors.push(trafficRest);

  if (deps.alerts) {
    try {
      factors.push(alertsFactor(await deps.alerts(opts.signal), services));
    } catch (err) {
      factors.push(alertsFactor(undefined, services, errorMessage(err)));
    }
  } else factors.push(alertsFactor(undefined, services, 'no alert source configured'));

  let policy: Policy | undefined;
  let policyProblem: string | undefined;
  if (!deps.trusted) policyProblem = 'the workspace is not trusted: its policy file is not read';
  else {
    try {
      const text = readWorkspaceFile(deps.workspace, path.join('.incident-lens', 'policy.yaml'));
      policy = text === undefined ? emptyPolicy('built-in (no .incident-lens/policy.yaml)') : loadPolicy(text, '.incident-lens/policy.yaml');
    } catch (err) {
      policy = { ...emptyPolicy('.incident-lens/policy.yaml'), error: errorMessage(err) };
    }
  }
  const { freezeEnds, ...freeze } = freezeFactor(policy, services, deps.environment, now, policyProblem);
  factors.push(freeze);

  let readings: BudgetReading[] | undefined;
  let sloProblem: string | undefined;
  if (!deps.trusted) sloProblem = 'the workspace is not trusted: its SLO file is not read';
  else {
    try {
      const text = readWorkspaceFile(deps.workspace, path.join('.incident-lens', 'slos.yaml'));
      if (text === undefined) sloProblem = 'no .incident-lens/slos.yaml';
      else {
        const file = parseSloFile(text);
        if (file.errors.length) notes.push(...file.errors);
        readings = await readErrorBudgets(file.slos, deps.metrics?.() ?? [], now, opts.signal);
      }
    } catch (err) {
      sloProblem = errorMessage(err);
    }
  }
  factors.push(errorBudgetFactor(readings, services, sloProblem));

  const measured = factors.filter((f) => f.value !== undefined && f.weight > 0);
  const weight = measured.reduce((s, f) => s + f.weight, 0);
  const score = weight > 0 ? measured.reduce((s, f) => s + f.weight * f.value!, 0) / weight : 0;
  const level = riskLevel(score);
  return {
    target: { rev, sha: tip },
    base,
    commits,
    services,
    files,
    score,
    level,
    factors,
    recommendation: recommend(factors, score, level, trafficWindow, freezeEnds),
    model: { provenance: analysis.model.provenance, design: analysis.design, trainedOn: analysis.model.trainedOn, ...(analysis.validationAuc !== undefined ? { validationAuc: analysis.validationAuc } : {}) },
    assessedAt: now,
    notes,
  };
}
