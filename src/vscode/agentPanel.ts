// The agent section of one investigation panel: follow-up questions about this incident with the same
// tools, the answer streamed in, every tool call and result shown as the trail, budgets and usage,
// the grounded answer beside the deterministic hypothesis. Proposed actions run the same flow as the
// panel's own buttons. The webview only asks; this decides.
import * as vscode from 'vscode';
import type { Alert } from '../core/model';
import type { Investigation } from '../core/investigation';
import { errorMessage } from '../core/errors';
import type { IpcHost } from '../protocol/ipc';
import { agentPreviewRequest, agentStateNotification, askAgentCommand, cancelAgentCommand, openAgentSettingsCommand, runAgentActionCommand, type AgentView } from '../protocol/agent';
import type { AgentRun } from '../agent/llm/loop';
import type { Services } from './services';
import type { AgentFeatures } from './agent';
import { agentSettings, enableHint } from './agentSettings';

const shown = (text: string, max = 4000): string => (text.length > max ? `${text.slice(0, max)}…` : text);

export class AgentPanelSession implements vscode.Disposable {
  private view: AgentView;
  private abort: AbortController | undefined;
  private lastRun: AgentRun | undefined;
  private readonly history: { question: string; summary: string }[] = [];
  private ipc: IpcHost | undefined;

  constructor(
    private readonly s: Services,
    private readonly features: AgentFeatures,
    private readonly alert: Alert,
    private readonly investigation: () => Investigation | undefined,
  ) {
    this.view = this.blank();
  }

  private blank(): AgentView {
    const b = agentSettings.budgets();
    const off = agentSettings.provider() === 'off';
    return {
      state: off ? 'off' : 'idle',
      ...(off ? { hint: enableHint } : {}),
      text: '',
      trail: [],
      usage: { inputTokens: 0, outputTokens: 0, estimated: false },
      budgets: { maxSteps: b.maxSteps ?? 10, maxTokens: b.maxTokens ?? 150_000, maxSeconds: Math.round((b.maxWallMs ?? 180_000) / 1000) },
      step: 0,
      elapsedMs: 0,
      history: [...this.history],
    };
  }

  attach(ipc: IpcHost): void {
    this.ipc = ipc;
    ipc
      .onCommand(askAgentCommand, ({ question }) => void this.ask(question))
      .onCommand(cancelAgentCommand, () => this.abort?.abort())
      .onCommand(openAgentSettingsCommand, () => void vscode.commands.executeCommand('workbench.action.openSettings', 'incidentLens.agent'))
      .onCommand(runAgentActionCommand, ({ index, actionId }) => this.runAction(index, actionId))
      .onRequest(agentPreviewRequest, async ({ question }) => {
        const got = await this.features.previewBody(this.investigation(), question.trim() || undefined);
        if ('off' in got) throw new Error(got.off);
        return { provider: got.provider, body: JSON.stringify(got.body, null, 2) };
      });
  }

  /** The settings changed: a panel that is not running picks up the provider and budgets. */
  refresh(): void {
    if (this.view.state === 'running') return;
    if (this.view.state !== 'done') this.view = this.blank();
    this.publish();
  }

  publish(): void {
    this.ipc?.notify(agentStateNotification, this.view);
  }

  private update(patch: Partial<AgentView>): void {
    this.view = { ...this.view, ...patch };
    this.publish();
  }

  async ask(question: string): Promise<AgentRun | undefined> {
    if (this.view.state === 'running') return undefined;
    const q = question.trim();
    const { provider, off } = await this.features.provider();
    if (!provider) {
      this.view = { ...this.blank(), state: 'off', hint: off ?? enableHint };
      this.publish();
      return undefined;
    }
    const inv = this.investigation();
    this.view = { ...this.blank(), state: 'running', provider: provider.label, remote: provider.remote, ...(q ? { question: q } : {}) };
    this.publish();
    const abort = new AbortController();
    this.abort = abort;
    const started = Date.now();
    try {
      const { runAgent } = await import('../agent/llm/loop');
      const run = await runAgent({
        provider,
        tools: await this.features.toolContext(() => inv),
        investigation: inv,
        ...(q ? { question: q } : {}),
        earlier: this.history.map((h) => ({ question: h.question, answer: h.summary })),
        budgets: agentSettings.budgets(),
        redaction: agentSettings.redaction(),
        signal: abort.signal,
        confirmSend: (body) => this.features.confirmSend(provider, body),
        onEvent: (e) => {
          if (e.type === 'text') this.update({ text: this.view.text + e.delta });
          else if (e.type === 'step') this.update({ step: e.step, elapsedMs: Date.now() - started });
          else if (e.type === 'usage') this.update({ usage: e.usage, elapsedMs: e.elapsedMs });
          else if (e.type === 'tool-result') this.update({ trail: [...this.view.trail, { id: e.record.id, name: e.record.name, arguments: shown(e.record.arguments, 600), ok: e.record.ok, ...(e.record.error ? { error: e.record.error } : {}), result: shown(e.record.result), truncated: e.record.truncated, notes: e.record.notes, ms: e.record.ms }] });
        },
      });
      this.lastRun = run;
      const a = run.answer;
      if (a) this.history.push({ question: run.question, summary: a.supported ? a.summary : `(unsupported) ${a.summary}` });
      this.update({
        state: 'done',
        provider: run.provider,
        stopped: run.stopped,
        ...(run.error ? { error: run.error.message } : {}),
        usage: run.usage,
        step: run.steps,
        elapsedMs: run.ms,
        history: [...this.history],
        ...(a
          ? {
              answer: {
                summary: a.summary,
                causeKind: a.causeKind,
                ...(a.service ? { service: a.service } : {}),
                ...(a.commit ? { commit: a.commit } : {}),
                serviceSupported: a.serviceSupported,
                commitSupported: a.commitSupported,
                supported: a.supported,
                claims: a.claims,
                nextChecks: a.nextChecks,
                actions: a.proposedActions.map((p, index) => ({ index, ...p })),
                rejectedActions: a.rejectedActions,
                disagreements: a.agreement.filter((g) => !g.agrees).map((g) => ({ field: g.field, agent: g.agent, baseline: g.baseline })),
              },
            }
          : {}),
      });
      return run;
    } catch (err) {
      this.update({ state: 'done', stopped: 'error', error: errorMessage(err) });
      return undefined;
    } finally {
      this.abort = undefined;
    }
  }

  /** The latest finished run (tests and the integration suite read it). */
  get latest(): AgentRun | undefined {
    return this.lastRun;
  }

  get current(): AgentView {
    return this.view;
  }

  private async runAction(index: number, actionId: string): Promise<void> {
    const actions = this.lastRun?.answer?.proposedActions ?? [];
    // The webview names an action by index and id; both must match what the grounded answer proposed.
    if (index < 0 || index >= actions.length || actions[index].actionId !== actionId) return;
    const a = actions[index];
    await this.s.remediation.run(this.alert, { actionId: a.actionId, title: a.actionId, params: a.params, why: `proposed by the agent: ${a.why}` }, this.investigation()?.hypothesis);
  }

  dispose(): void {
    this.abort?.abort();
  }
}
