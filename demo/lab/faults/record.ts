// The fault lab's recorder: for each fault, starts the embedded OTLP receiver for real, runs the lab
// with the fault, waits for the alert the real rules fire (the receiver's built-in rules, or the
// lab's Prometheus rules through Alertmanager), gathers the incident bundle with the real pipeline
// (investigate() over the receiver and a GitChangeSource on the lab workspace), adds the fault's
// truth with the guilty commit's sha from the workspace plan, and writes <out>/<fault>.json.
// Every wait is bounded and fails with a message that says what was seen instead.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { IncidentBundle } from '../../../src/core/bundle';
import type { IncidentTruth } from '../../../src/eval/truth';
import type { Alert } from '../../../src/core/model';
import type { MetricSource } from '../../../src/core/sources';
import { type Logger, scopedLogger, silentLogger } from '../../../src/core/logger';
import { investigate, type InvestigationLimits } from '../../../src/agent/investigate';
import { AlertmanagerSource } from '../../../src/sources/alertmanager';
import { GitChangeSource } from '../../../src/sources/git';
import { createEmbeddedDefault, type EmbeddedDefault } from '../../../src/sources/otlp/embeddedSource';
import { PrometheusSource } from '../../../src/sources/prometheus';
import { type FaultLab, startFaultLab } from './faultLab';
import type { FaultDefinition } from './types';

/** Bundles above this are gathered again with tighter limits. */
export const MAX_BUNDLE_BYTES = 1_500_000;
// Logs are the bulk of a bundle (error records carry stack traces); traces are tightened last.
const LIMIT_STEPS: InvestigationLimits[] = [
  { maxLogs: 3000, maxTraces: 40, maxSpans: 4000, maxSeries: 200 },
  { maxLogs: 1500, maxTraces: 30, maxSpans: 3000, maxSeries: 150 },
  { maxLogs: 800, maxTraces: 25, maxSpans: 2500, maxSeries: 150 },
  { maxLogs: 500, maxTraces: 20, maxSpans: 2000, maxSeries: 120 },
  { maxLogs: 300, maxTraces: 12, maxSpans: 1200, maxSeries: 100 },
];

export interface RecordOptions {
  /** Where <fault>.json goes. */
  outDir: string;
  /** Healthy traffic before the fault's first step (default 120 s). */
  baselineMs?: number;
  /** Data gathered after the alert fires, before the bundle is taken (default 20 s). */
  settleMs?: number;
  /** Keep the lab workspace (for a look afterwards) instead of removing it. */
  keepWorkspace?: boolean;
  logger?: Logger;
}

export interface RecordResult {
  fault: string;
  file: string;
  bytes: number;
  alert: Alert;
  truth: IncidentTruth;
  limits: InvestigationLimits;
  counts: { metrics: number; logs: number; spans: number; changes: number; alerts: number };
}

/** The lab was not healthy before the fault (a loaded machine, usually): the recording is void. */
export class UnhealthyBaselineError extends Error {
  override readonly name = 'UnhealthyBaselineError';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(ms: number): Promise<void> {
  const wait = ms - Date.now();
  if (wait > 0) await sleep(wait);
}

/** The truth as the bundle carries it: the guilty commit's plan id becomes its sha in this workspace. */
export function resolveTruth(fault: FaultDefinition, plan: Record<string, string>): IncidentTruth {
  const { commitRef, ...rest } = fault.truth;
  if (!commitRef) return { ...rest };
  const sha = plan[commitRef];
  if (!sha) throw new Error(`fault ${fault.name}: the truth names plan commit ${commitRef}, which was never committed`);
  return { ...rest, commit: sha };
}

function matches(alert: Alert, fault: FaultDefinition): boolean {
  return alert.state === 'firing' && (alert.labels.alertname ?? alert.name) === fault.alert.alertname && (alert.service ?? alert.labels.service) === fault.alert.service;
}

function describeAlerts(alerts: Alert[]): string {
  if (!alerts.length) return 'no alerts at all';
  return alerts.map((a) => `${a.labels.alertname ?? a.name}{service=${a.service ?? a.labels.service ?? '?'}} ${a.state} ${a.value ?? ''}`.trim()).join('; ');
}

/** Runs one fault end to end and writes its bundle. */
export async function recordFault(fault: FaultDefinition, opts: RecordOptions): Promise<RecordResult> {
  const log = scopedLogger(opts.logger ?? silentLogger, `record ${fault.name}`);
  const baselineMs = opts.baselineMs ?? 120_000;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `lab-record-${fault.name}-`));
  let embedded: EmbeddedDefault | undefined;
  let lab: FaultLab | undefined;
  try {
    // The receiver as a user runs it, built-in rules included; the store is large enough that the
    // baseline is never evicted.
    embedded = await createEmbeddedDefault({ host: '127.0.0.1', port: 0, maxMemoryMB: 512, logger: opts.logger });
    const started = Date.now();
    const expiry = fault.paymentsCertificateExpiresAtS;
    // The certificate is issued before payments starts, so its expiry is planned from now: setup,
    // then the baseline, then the steps (the setup takes well under a minute).
    const setupAllowanceMs = 60_000;
    const certificateNotAfter = expiry === undefined ? undefined : started + setupAllowanceMs + baselineMs + expiry * 1000;
    lab = await startFaultLab({ fault, workspaceDir: path.join(root, 'shop'), otlpEndpoint: `http://127.0.0.1:${embedded.port}`, paymentsCertificateNotAfter: certificateNotAfter, logger: opts.logger });
    const ready = Date.now();
    log.info(`lab up in ${Math.round((ready - started) / 1000)} s; baseline`);
    if (certificateNotAfter !== undefined && ready > started + setupAllowanceMs) throw new Error(`the lab took ${Math.round((ready - started) / 1000)} s to start, longer than the ${setupAllowanceMs / 1000} s the certificate's expiry was planned with`);
    const baselineEnd = certificateNotAfter === undefined ? ready + baselineMs : started + setupAllowanceMs + baselineMs;

    // No alert may fire before the fault: a recording whose baseline is unhealthy is no recording.
    await until(baselineEnd);
    const early = (await embedded.source.listAlerts()).filter((a) => a.state === 'firing');
    if (early.length) throw new UnhealthyBaselineError(`alerts fired during the healthy baseline, before any fault: ${describeAlerts(early)}; see ${path.join(lab.workspace.dir, '.lab', 'logs')}`);

    // The alert waited for must not be pending already when the fault goes in (its last step, or the
    // certificate's expiry): then something else started it, and the attempt is void.
    const notAlertingYet = async () => {
      const already = (await embedded!.source.listAlerts()).filter((a) => (a.state === 'pending' || a.state === 'firing') && (a.labels.alertname ?? a.name) === fault.alert.alertname && (a.service ?? a.labels.service) === fault.alert.service);
      if (already.length) throw new UnhealthyBaselineError(`${fault.alert.alertname} for ${fault.alert.service} was already ${already[0].state} before the fault was injected: ${describeAlerts(already)}`);
    };
    const steps = [...fault.steps].sort((a, b) => a.atS - b.atS);
    for (const [i, step] of steps.entries()) {
      await until(baselineEnd + step.atS * 1000);
      if (i === steps.length - 1 && certificateNotAfter === undefined) await notAlertingYet();
      log.info(`step at +${step.atS} s: ${step.what}`);
      await step.run(lab.control);
    }
    if (certificateNotAfter !== undefined) {
      await until(certificateNotAfter);
      await notAlertingYet();
      log.info(`payments' certificate expired at ${new Date(certificateNotAfter).toISOString()}`);
    }

    const alertmanager = fault.alert.via === 'alertmanager'
      ? new AlertmanagerSource({ name: 'lab-alertmanager', url: `http://127.0.0.1:${lab.lab.ports.alertmanager}`, timeoutMs: 5000 })
      : undefined;
    if (fault.alert.via === 'alertmanager' && !lab.lab.ports.alertmanager) throw new Error(`${fault.name} needs the lab's Alertmanager, which is not running (is prometheus-alertmanager installed?)`);
    const listAlerts = async (): Promise<Alert[]> => (alertmanager ? alertmanager.listAlerts() : embedded!.source.listAlerts());
    const timeoutMs = (fault.alertTimeoutS ?? 360) * 1000;
    const deadline = Date.now() + timeoutMs;
    let alert: Alert | undefined;
    let seen: Alert[] = [];
    while (!alert) {
      try {
        seen = await listAlerts();
      } catch (err) {
        log.warn(`listing alerts failed: ${(err as Error).message}`);
      }
      alert = seen.find((a) => matches(a, fault));
      if (alert) break;
      if (Date.now() > deadline) {
        throw new Error(`${fault.alert.alertname} for ${fault.alert.service} did not fire within ${timeoutMs / 1000} s of the last step (${fault.alert.via}); alerts seen: ${describeAlerts(seen)}; lab logs in ${path.join(lab.workspace.dir, '.lab', 'logs')}`);
      }
      await sleep(2000);
    }
    log.info(`${fault.alert.alertname} fired for ${fault.alert.service} at ${new Date(alert.startsAt).toISOString()}`);
    await sleep(opts.settleMs ?? 20_000);

    // The other alerts firing now are the storm the user sees beside this one.
    const related = [
      ...(await embedded.source.listAlerts()),
      ...(alertmanager ? await alertmanager.listAlerts().catch(() => []) : []),
    ].filter((a) => a.state === 'firing' && a.id !== alert!.id);
    const metrics: MetricSource[] = [embedded.source];
    if (fault.withPrometheus && lab.lab.ports.prometheus) metrics.push(new PrometheusSource({ name: 'lab-prometheus', url: `http://127.0.0.1:${lab.lab.ports.prometheus}`, timeoutMs: 10_000 }));
    const changes = new GitChangeSource({ workspace: lab.workspace.dir, deployLog: '.lab/deploys.jsonl', trusted: true });
    const truth = resolveTruth(fault, lab.workspace.plan);
    const now = Date.now();

    let bundle: IncidentBundle | undefined;
    let text = '';
    let limits: InvestigationLimits = LIMIT_STEPS[0];
    for (const step of LIMIT_STEPS) {
      limits = step;
      const result = await investigate(alert, { metrics, logs: [embedded.source], traces: [embedded.source], changes }, { limits, now, relatedAlerts: related });
      if (result.errors.length) log.warn(`sources failed: ${result.errors.map((e) => `${e.source}: ${e.message}`).join('; ')}`);
      // Only the bundle is kept: this corpus must not carry the diagnosis it is meant to test.
      bundle = { ...result.bundle, truth };
      text = JSON.stringify(bundle);
      if (Buffer.byteLength(text) <= MAX_BUNDLE_BYTES) break;
      log.info(`bundle is ${Buffer.byteLength(text)} bytes with ${JSON.stringify(limits)}; tightening the limits`);
    }
    if (!bundle || Buffer.byteLength(text) > MAX_BUNDLE_BYTES) throw new Error(`the bundle of ${fault.name} stays above ${MAX_BUNDLE_BYTES} bytes even with ${JSON.stringify(limits)}`);
    fs.mkdirSync(opts.outDir, { recursive: true });
    const file = path.join(opts.outDir, `${fault.name}.json`);
    fs.writeFileSync(`${file}.tmp`, text + '\n');
    fs.renameSync(`${file}.tmp`, file);
    const counts = { metrics: bundle.metrics.length, logs: bundle.logs.length, spans: bundle.spans.length, changes: bundle.changes.length, alerts: bundle.alerts?.length ?? 1 };
    log.info(`wrote ${file} (${Buffer.byteLength(text)} bytes; ${JSON.stringify(counts)})`);
    return { fault: fault.name, file, bytes: Buffer.byteLength(text), alert, truth, limits, counts };
  } finally {
    await lab?.stop().catch((err) => log.error(`stopping the lab failed: ${(err as Error).message}`));
    await embedded?.dispose();
    if (!opts.keepWorkspace) fs.rmSync(root, { recursive: true, force: true });
    else log.info(`workspace kept in ${root}`);
  }
}

/**
 * recordFault, tried again with a fresh lab when an attempt is void because the baseline was not
 * healthy (on a loaded machine); any other failure ends it. Says why each void attempt was dropped.
 */
export async function recordFaultWithRetries(fault: FaultDefinition, opts: RecordOptions, attempts = 3): Promise<RecordResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await recordFault(fault, opts);
    } catch (err) {
      if (!(err instanceof UnhealthyBaselineError) || attempt >= attempts) throw err;
      (opts.logger ?? silentLogger).warn(`record ${fault.name}, attempt ${attempt} void: ${err.message}; trying again with a fresh lab`);
    }
  }
}
