// The VS Code side of "act safely": builds a plan from a proposed action, asks the policy, shows the
// approval prompt (exact argv, reasons, blast radius, rollback), runs it in the remediation terminal,
// verifies, offers rollback, and writes every step to the audit ledger. Nothing executes in an
// untrusted workspace or in observe mode.
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Alert, Hypothesis, ProposedAction } from '../core/model';
import type { Logger } from '../core/logger';
import { errorMessage } from '../core/errors';
import type { PlanContext } from '../remediation/catalog';
import type { CommandPlan } from '../remediation/plan';
import type { Ledger, LedgerCounts, LedgerEntry } from '../remediation/ledger';
import type { ActionTaken } from '../remediation/ledgerEntries';
import type { Prompter, RemediationOutcome } from '../remediation/flow';
import type { StagedOutcome } from '../remediation/staged';
import type { Verifier } from '../remediation/verify';
import type { Policy } from '../policy/types';
import type { Services } from './services';
import { settings } from './config';
import { RemediationTerminal } from './remediationTerminal';

// The remediation engine (catalog, policy, yaml, executor, ledger) loads on first use: a separate
// chunk, so activation does not pay for it.
const engine = () =>
  Promise.all([
    import('../remediation/catalog'),
    import('../remediation/plan'),
    import('../remediation/ledger'),
    import('../remediation/executor'),
    import('../remediation/flow'),
    import('../policy/load'),
    import('../policy/target'),
    import('../remediation/verify'),
    import('../remediation/staged'),
    import('../remediation/ledgerEntries'),
  ]).then(([catalog, plan, ledger, executor, flow, policy, target, verify, staged, entries]) => ({ ...catalog, ...plan, ...ledger, ...executor, ...flow, ...policy, ...target, ...verify, ...staged, ...entries }));

export class RemediationController implements vscode.Disposable {
  private services: Services | undefined;
  private readonly terminal = new RemediationTerminal();
  private readonly ledgerChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeLedger = this.ledgerChanged.event;
  readonly ledgerPath: string;
  private ledger: Ledger | undefined;
  private userName: Promise<string> | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly logger: Logger,
  ) {
    const dir = (context.storageUri ?? context.globalStorageUri).fsPath;
    this.ledgerPath = path.join(dir, 'audit-ledger.jsonl');
  }

  attach(s: Services): void {
    this.services = s;
  }

  get transcript(): string {
    return this.terminal.transcript;
  }

  /** The ledger's head is also kept in global state, so truncating the file needs two edits to hide. */
  private async ledgerOptions() {
    const { keyValueHeadStore } = await engine();
    return { extraHeadStores: [keyValueHeadStore(this.context.globalState, `incidentLens.ledgerHead:${this.ledgerPath}`)] };
  }

  private async openLedger(): Promise<Ledger> {
    if (!this.ledger) {
      const { Ledger } = await engine();
      fs.mkdirSync(path.dirname(this.ledgerPath), { recursive: true });
      this.ledger = Ledger.open(this.ledgerPath, await this.ledgerOptions());
    }
    return this.ledger;
  }

  private async append(type: Parameters<Ledger['append']>[0], data: Record<string, unknown>): Promise<void> {
    try {
      (await this.openLedger()).append(type, data);
    } catch (err) {
      this.logger.error(`audit ledger: ${errorMessage(err)}`);
    }
    this.ledgerChanged.fire();
  }

  /** Whether action buttons work, and if not, why (shown in the panel). */
  gate(): { enabled: boolean; reason?: string } {
    if (!vscode.workspace.isTrusted) return { enabled: false, reason: 'This workspace is not trusted: Incident Lens runs no action here. Trust the workspace to enable remediation.' };
    if (settings.autonomy() === 'observe') return { enabled: false, reason: 'Autonomy is set to "observe" (read-only): no action runs. Change incidentLens.autonomy to enable actions.' };
    return { enabled: true };
  }

  async counts(): Promise<LedgerCounts | undefined> {
    if (!fs.existsSync(this.ledgerPath)) return undefined;
    try {
      return (await engine()).ledgerCounts(this.ledgerPath, await this.ledgerOptions());
    } catch (err) {
      this.logger.warn(`ledger counts: ${errorMessage(err)}`);
      return undefined;
    }
  }

  /** Every readable ledger entry, oldest first (empty before the first entry). */
  async entries(): Promise<LedgerEntry[]> {
    if (!fs.existsSync(this.ledgerPath)) return [];
    try {
      return (await engine()).readLedger(this.ledgerPath);
    } catch (err) {
      this.logger.warn(`ledger entries: ${errorMessage(err)}`);
      return [];
    }
  }

  /** The remediation runs the ledger recorded for an alert, with their outcomes. */
  async actionsTaken(alertId: string): Promise<ActionTaken[]> {
    const entries = await this.entries();
    return entries.length ? (await engine()).actionsTaken(entries, alertId) : [];
  }

  /**
   * Who acts, as Alertmanager records a silence's author: the workspace's git user.name (read with
   * git's program-running settings neutralised), else the OS account.
   */
  actingUser(): Promise<string> {
    this.userName ??= (async () => {
      const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      if (root) {
        try {
          const { runGit } = await import('../sources/gitCommand');
          const name = (await runGit({ repo: root, args: ['config', '--get', 'user.name'], trusted: vscode.workspace.isTrusted, timeoutMs: 5000, maxBuffer: 64 * 1024 })).trim();
          // A name is data for amtool's --author=…: keep it one printable line.
          if (name && name.length <= 200 && !/[\u0000-\u001f\u007f]/.test(name)) return name;
        } catch {
          // no git, no repository or no user.name: the OS account says who it is
        }
      }
      try {
        return os.userInfo().username || 'incident-lens';
      } catch {
        return 'incident-lens';
      }
    })();
    return this.userName;
  }

  recordHypothesis(alert: Alert, h: Hypothesis): void {
    void this.append('hypothesis', {
      alert: { id: alert.id, name: alert.name, source: alert.sourceName },
      summary: h.summary,
      confidence: h.confidence,
      abstained: h.abstained,
      actions: h.proposedActions.map((a) => a.actionId),
    });
  }

  async markWrong(alert: Alert, h: Hypothesis): Promise<void> {
    await this.append('hypothesis-wrong', { alert: { id: alert.id, name: alert.name }, summary: h.summary, confidence: h.confidence });
    void vscode.window.showInformationMessage('Recorded: this hypothesis was wrong. It counts toward the false-positive rate in the Audit Ledger.');
  }

  async loadPolicy(): Promise<Policy> {
    const { loadPolicyFile, emptyPolicy } = await engine();
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    // An untrusted workspace's policy file is not read: the built-in default (and the trust gate) apply.
    if (!root || !vscode.workspace.isTrusted) return emptyPolicy();
    const file = path.join(root, '.incident-lens', 'policy.yaml');
    if (!fs.existsSync(file)) return emptyPolicy();
    return loadPolicyFile(file);
  }

  async planContext(alert: Alert, policy?: Policy): Promise<PlanContext> {
    const { loadRunbookFile, planTarget } = await engine();
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
    const runbookFile = path.join(root, '.incident-lens', 'actions.yaml');
    const runbookLoad = vscode.workspace.isTrusted && fs.existsSync(runbookFile) ? loadRunbookFile(runbookFile) : { actions: [] };
    // A broken runbook file offers no action; say why instead of dropping it silently.
    if (runbookLoad.error) void vscode.window.showWarningMessage(`Incident Lens: no runbook action is offered until this is fixed: ${runbookLoad.error}`);
    const runbooks = runbookLoad.actions;
    // The environment's class and the service's tier come from the policy, never from the alert's labels.
    const target = planTarget(alert, { environment: settings.environment() }, policy ?? (await this.loadPolicy()));
    const service = alert.service ?? alert.labels.service;
    // The kube context and namespace come from the Kubernetes source the user mapped to this environment,
    // and the plan is checked against that context's current state.
    const kube = this.services?.kubernetes.forEnvironment(target.environment);
    const ns = alert.labels.namespace;
    const namespace = ns && (!kube?.namespaces.length || kube.namespaces.includes(ns)) ? ns : kube?.namespaces[0];
    const snapshot = kube ? await this.services?.kubernetes.snapshotFor(target.environment) : undefined;
    // A model's actions (retrain, roll back) are verified by their own signal, not a service's error ratio.
    const modelAlert = alert.sourceKind === 'model-drift';
    return {
      environment: target.environment,
      workspaceDir: root,
      tier: target.tier,
      ...(kube ? { kubeContext: kube.context } : {}),
      ...(namespace ? { namespace } : {}),
      ...(snapshot ? { kubernetes: snapshot } : {}),
      runbooks,
      // Without a verification of its own, an action is checked against its service's error ratio.
      verification: service && !modelAlert
        ? { description: `${service} error ratio back under 5%`, signal: { kind: 'error-ratio', service }, condition: { op: '<', value: 0.05 }, timeoutMs: 90_000, intervalMs: 3_000, unit: 'ratio' }
        : undefined,
      ...(this.alertmanagerUrlFor(alert) ? { alertmanagerUrl: this.alertmanagerUrlFor(alert) } : {}),
      author: await this.actingUser(),
    };
  }

  /** Where a silence for the alert goes: its own Alertmanager source, else the first configured one. */
  private alertmanagerUrlFor(alert: Alert): string | undefined {
    const configs = this.services?.alerts.sources?.configs ?? [];
    return (configs.find((c) => c.kind === 'alertmanager' && c.name === alert.sourceName) ?? configs.find((c) => c.kind === 'alertmanager'))?.url;
  }

  /** A silence is an action like any other: planned as `amtool silence add`, judged by the policy, approved, recorded. */
  silence(alert: Alert, duration: string, comment: string): Promise<RemediationOutcome | undefined> {
    const params: Record<string, string> = { duration, comment };
    for (const [name, value] of Object.entries(alert.labels)) params[`match.${name}`] = value;
    return this.run(alert, { actionId: 'silence-alert', title: `Silence ${alert.name}`, params, why: comment });
  }

  async run(alert: Alert, proposed: ProposedAction, _h?: Hypothesis): Promise<RemediationOutcome | undefined> {
    const s = this.services;
    if (!s) throw new Error('remediation used before activation finished');
    const gate = this.gate();
    if (!gate.enabled) {
      await this.append('rejection', { actionId: proposed.actionId, reason: gate.reason, by: 'gate' });
      void vscode.window.showWarningMessage(gate.reason ?? 'Actions are disabled.');
      return undefined;
    }
    const { planAction, displayArgv, runRemediation, createProcessExecutor } = await engine();
    let plan: CommandPlan;
    const policy = await this.loadPolicy();
    try {
      plan = planAction(proposed, await this.planContext(alert, policy));
    } catch (err) {
      void vscode.window.showErrorMessage(`Cannot plan "${proposed.title}": ${errorMessage(err)}`);
      return undefined;
    }
    await this.terminal.begin(`${plan.title}  (${displayArgv(plan.argv)})`, () => ac.abort());
    const ac = new AbortController();
    try {
      const outcome = await runRemediation(plan, {
        policy,
        autonomy: settings.autonomy(),
        trusted: vscode.workspace.isTrusted,
        ledger: await this.openLedger(),
        executor: createProcessExecutor(),
        signal: ac.signal,
        origin: { alertId: alert.id, hypothesis: _h?.summary, why: proposed.why },
        output: (chunk) => this.terminal.write(chunk.stream === 'info' ? `\x1b[36m${chunk.text}\x1b[0m` : chunk.text),
        verifier: await this.verifiers(),
        envChecks: { contextForEnvironment: s.kubernetes.contextForEnvironment() },
        prompter: this.approvalPrompter(displayArgv),
      });
      this.ledgerChanged.fire();
      const msg = `${plan.title}: ${outcome.status}${outcome.message ? `: ${outcome.message}` : ''}`;
      if (outcome.status === 'recovered' || outcome.status === 'executed') void vscode.window.showInformationMessage(msg);
      else void vscode.window.showWarningMessage(msg);
      return outcome;
    } catch (err) {
      this.terminal.write(`\r\nerror: ${errorMessage(err)}\r\n`);
      void vscode.window.showErrorMessage(`${plan.title} failed: ${errorMessage(err)}`);
      return undefined;
    } finally {
      this.terminal.end();
    }
  }

  /**
   * A staged scale-down (or a staged request change) of a workload: steps none above the configured
   * share, each through the policy, approval, a soak verification of the workload's latency, errors,
   * throttling and OOM kills, and its rollback; the whole change in the ledger.
   */
  async runStaged(t: { namespace?: string; workload: string; service?: string; container?: string; resource?: 'replicas' | 'cpu' | 'memory'; from: number; to: number }): Promise<StagedOutcome | undefined> {
    const s = this.services;
    if (!s) throw new Error('remediation used before activation finished');
    const gate = this.gate();
    if (!gate.enabled) {
      void vscode.window.showWarningMessage(gate.reason ?? 'Actions are disabled.');
      return undefined;
    }
    const { planAction, runStaged, createProcessExecutor, workloadVerification, latencyBound } = await engine();
    const resource = t.resource ?? 'replicas';
    const service = t.service ?? t.workload;
    const alert: Alert = { id: `rightsizing/${t.namespace ?? ''}/${t.workload}`, name: `Right-sizing ${t.workload}`, state: 'firing', severity: 'info', labels: { service, ...(t.namespace ? { namespace: t.namespace } : {}) }, annotations: {}, startsAt: Date.now(), sourceName: 'rightsizing', sourceKind: 'rightsizing', service };
    const policy = await this.loadPolicy();
    const c = vscode.workspace.getConfiguration('incidentLens');
    const maxStepShare = c.get<number>('staged.maxStepShare', 0.25);
    const holdMs = Math.max(5, c.get<number>('staged.soakSeconds', 60)) * 1000;
    const verifier = await this.verifiers();
    let baseline: number | undefined;
    try {
      baseline = await verifier.read({ kind: 'latency-p95', service, windowMs: 30_000 });
    } catch (err) {
      this.logger.warn(`staged: no latency baseline for ${service}: ${errorMessage(err)}`);
    }
    const prom = this.services?.alerts.sources?.metrics.some((m) => m.kind === 'prometheus');
    const verification = workloadVerification({ namespace: t.namespace ?? '', workload: t.workload, service, latencyP95Seconds: baseline !== undefined ? latencyBound(baseline) : 1, holdMs, kubernetesMetrics: !!prom });
    const unit = (v: number) => (resource === 'cpu' ? `${Math.round(v)}m` : `${Math.round(v)}Mi`);
    const what = resource === 'replicas' ? `replicas of ${t.namespace ? `${t.namespace}/` : ''}${t.workload}` : `${resource} request of ${t.workload}/${t.container}`;
    const ac = new AbortController();
    await this.terminal.begin(`Staged: ${what} ${t.from} -> ${t.to}`, () => ac.abort());
    try {
      const outcome = await runStaged(
        {
          what,
          from: t.from,
          to: t.to,
          maxStepShare,
          integer: resource === 'replicas',
          unit: 1,
          verification,
          planStep: async (value, previous) => {
            const ctx = await this.planContext(alert, policy);
            const ns: Record<string, string> = t.namespace ? { namespace: t.namespace } : {};
            if (resource === 'replicas') return planAction({ actionId: 'scale', title: `Scale ${t.workload} to ${value}`, params: { service: t.workload, replicas: value, currentReplicas: previous, ...ns }, why: 'right-sizing' }, ctx);
            const key = resource === 'cpu' ? 'cpuRequest' : 'memoryRequest';
            const step = planAction({ actionId: 'set-resources', title: `Set ${resource} of ${t.workload}`, params: { service: t.workload, container: t.container ?? t.workload, [key]: unit(value), ...ns }, why: 'right-sizing' }, ctx);
            // Each step's rollback is the value before it, known here even without the cluster's state.
            const back = planAction({ actionId: 'set-resources', title: 'back', params: { service: t.workload, container: t.container ?? t.workload, [key]: unit(previous), ...ns }, why: 'rollback' }, { ...ctx, kubernetes: undefined });
            return { ...step, rollback: { description: `Set the ${resource} request back to ${unit(previous)}`, argv: back.argv } };
          },
        },
        {
          policy,
          autonomy: settings.autonomy(),
          trusted: vscode.workspace.isTrusted,
          ledger: await this.openLedger(),
          executor: createProcessExecutor(),
          signal: ac.signal,
          origin: { alertId: alert.id, why: `right-sizing: ${what} ${t.from} -> ${t.to}` },
          output: (chunk) => this.terminal.write(chunk.stream === 'info' ? `\x1b[36m${chunk.text}\x1b[0m` : chunk.text),
          verifier,
          envChecks: { contextForEnvironment: s.kubernetes.contextForEnvironment() },
          prompter: this.approvalPrompter((await engine()).displayArgv),
        },
      );
      this.ledgerChanged.fire();
      const msg = `Staged ${what}: ${outcome.message}`;
      if (outcome.status === 'completed' || outcome.status === 'stopped-short') void vscode.window.showInformationMessage(msg);
      else void vscode.window.showWarningMessage(msg);
      return outcome;
    } finally {
      this.terminal.end();
    }
  }

  /** The modal approval prompt: exact argv, target, blast radius, the policy's reasons, rollback, dry-run. */
  private approvalPrompter(displayArgv: (argv: readonly string[]) => string): Prompter {
    const s = this.services!;
    return {
          approve: async (req) => {
            const detail = [
              `Command (argv, run exactly as shown, no shell):`,
              `  ${req.commandLine}`,
              `Target: ${req.plan.target.environment}${req.plan.target.service ? ` / ${req.plan.target.service}` : ''}${req.plan.target.tier ? ` (tier ${req.plan.target.tier})` : ''}`,
              `Blast radius: ${req.plan.blastRadius.description}`,
              `Policy: ${req.decision.verdict} by ${req.decision.decidedBy}`,
              ...req.decision.reasons.map((r) => `  - ${r}`),
              req.plan.rollback ? `Rollback plan: ${req.plan.rollback.description}: ${displayArgv(req.plan.rollback.argv)}` : 'Rollback plan: none',
              req.dryRunOutput ? `Dry run:\n${req.dryRunOutput.slice(0, 1500)}` : '',
            ].filter(Boolean).join('\n');
            const choice = await s.prompter.confirm(req.kind === 'rollback' ? `Roll back "${req.plan.title}"?` : `Run "${req.plan.title}"?`, detail, ['Approve and Run']);
            return choice === 'Approve and Run';
          },
    };
  }

  /** Verifiers over the configured sources: PromQL from the first Prometheus, error ratios from the traces. */
  private async verifiers(): Promise<Verifier> {
    const [{ VerifierSet, PromqlVerifier, ErrorRatioVerifier }, { MlflowPointerVerifier }] = await Promise.all([engine(), import('../agent/models/registryVerifier')]);
    const sources = this.services?.alerts.sources;
    const prom = sources?.metrics.find((x) => x.kind === 'prometheus') ?? sources?.metrics.find((x) => x.kind !== 'otlp');
    // The embedded receiver sees the local services' own spans, so it reads their error ratio first.
    const traces = sources?.traces.find((t) => t.kind === 'otlp') ?? sources?.traces[0];
    return new VerifierSet({
      ...(prom ? { promql: new PromqlVerifier(prom) } : {}),
      ...(traces ? { 'error-ratio': new ErrorRatioVerifier(traces), 'latency-p95': new ErrorRatioVerifier(traces) } : {}),
      'mlflow-pointer': new MlflowPointerVerifier(),
    });
  }

  async verifyLedgerCommand(): Promise<{ ok: boolean; message: string }> {
    if (!fs.existsSync(this.ledgerPath)) return { ok: true, message: 'The audit ledger is empty: nothing has been recorded yet.' };
    const r = (await engine()).verifyLedger(this.ledgerPath, await this.ledgerOptions());
    const message = r.ok
      ? `Audit ledger verified: ${r.entries} entries, hash chain intact${r.warnings.length > 0 ? `. Note: ${r.warnings.join(' ')}` : '.'}`
      : `Audit ledger TAMPERED: first bad entry seq ${r.firstBad?.seq} (line ${r.firstBad?.line}): ${r.firstBad?.reason}`;
    return { ok: r.ok, message };
  }

  dispose(): void {
    this.terminal.dispose();
    this.ledgerChanged.dispose();
  }
}
