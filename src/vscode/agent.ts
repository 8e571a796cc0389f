// The agent in the editor: one object that builds the tools' context over the live sources and the
// investigations, the provider the settings name (key from SecretStorage), and the consent to send,
// asked the first time per workspace and endpoint with the exact request to be sent on demand. The
// panel's agent section, the language-model tools and the MCP definition provider all use it.
import { CATALOG_ACTION_IDS } from '../core/actions';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Investigation } from '../core/investigation';
import type { Alert } from '../core/model';
import type { ToolContext } from '../agent/tools/types';
import type { ChatProvider } from '../agent/llm/provider';
import { runKey } from '../agent/investigationService';
import type { Services } from './services';
import { settings } from './config';
import { agentKeySecret, agentSettings, enableHint } from './agentSettings';

const consentKey = (label: string) => `incidentLens.agent.consent:${label}`;

export class AgentFeatures {
  /** A getter: the features are made before the services object that holds them. */
  constructor(private readonly services: () => Services) {}

  private get s(): Services {
    return this.services();
  }

  private workspace(): { root: string; trusted: boolean; deployTagPattern: string } | undefined {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return root ? { root, trusted: vscode.workspace.isTrusted, deployTagPattern: settings.deployTagPattern() } : undefined;
  }

  /** Catalog action ids: built-in, plus the trusted workspace's runbooks. */
  async actionIds(): Promise<string[]> {
    const { loadRunbookFile, workspaceActionsPath } = await import('../remediation/catalog');
    const ws = this.workspace();
    const ids: string[] = [...CATALOG_ACTION_IDS];
    if (ws?.trusted && fs.existsSync(workspaceActionsPath(ws.root))) ids.push(...loadRunbookFile(workspaceActionsPath(ws.root)).actions.map((a) => a.id));
    return ids;
  }

  /** The investigation of an alert: the panel's run when there is one, else started now. */
  async investigation(alertId: string | undefined): Promise<Investigation | undefined> {
    if (!alertId) return this.s.investigations.latest();
    const alert = this.s.alerts.snapshot.alerts.find((a) => a.id === alertId);
    if (!alert) return undefined;
    const current = this.s.investigations.current(runKey(alert));
    if (current) return current;
    this.s.investigations.start(alert);
    return (await this.s.investigations.whenDone(runKey(alert)))?.investigation;
  }

  /** A proposal goes to the same flow as a click: plan, policy, environment checks, approval, ledger. */
  private async propose(alert: Alert | undefined, p: { actionId: string; params: Record<string, string | number>; why: string }, inv?: Investigation) {
    if (!alert) return { status: 'rejected' as const, message: 'No alert is under investigation, so there is nothing to act on.' };
    const outcome = await this.s.remediation.run(alert, { actionId: p.actionId, title: p.actionId, params: p.params, why: p.why }, inv?.hypothesis);
    if (!outcome) return { status: 'rejected' as const, message: 'The action was not planned or actions are off here (see the notification); nothing ran.' };
    return { status: outcome.status === 'rejected' || outcome.status === 'denied' ? ('rejected' as const) : ('recorded' as const), message: `${outcome.status}: ${outcome.message}` };
  }

  async toolContext(current?: () => Investigation | undefined): Promise<ToolContext> {
    const { liveToolContext } = await import('../agent/tools/liveContext');
    const ids = await this.actionIds();
    const ws = this.workspace();
    const inv = () => current?.() ?? this.s.investigations.latest();
    return liveToolContext({
      roles: () => this.s.alerts.sources ?? { alerts: [], metrics: [], logs: [], traces: [] },
      ...(ws ? { workspace: ws } : {}),
      investigation: async (alertId) => (alertId ? this.investigation(alertId) : inv()),
      actionIds: () => ids,
      propose: async (p) => {
        const target = p.alertId ? await this.investigation(p.alertId) : inv();
        return this.propose(target?.alert, p, target);
      },
      window: () => inv()?.bundle.window ?? { start: Date.now() - 3_600_000, end: Date.now() },
    });
  }

  /** The provider the settings name, or a reason it cannot be made. */
  async provider(): Promise<{ provider?: ChatProvider; off?: string }> {
    const kind = agentSettings.provider();
    if (kind === 'off') return { off: enableHint };
    if (kind === 'vscode') {
      const { VscodeLmProvider } = await import('./agentLm');
      return { provider: new VscodeLmProvider(agentSettings.vscodeModelFamily()) };
    }
    const model = agentSettings.model();
    if (!model) return { off: 'The OpenAI-compatible provider needs a model: set incidentLens.agent.model (and incidentLens.agent.baseUrl).' };
    const { OpenAiChatProvider } = await import('../agent/llm/openaiProvider');
    const apiKey = await this.s.extension.secrets.get(agentKeySecret);
    return { provider: new OpenAiChatProvider({ baseUrl: agentSettings.baseUrl(), model, apiKey }) };
  }

  /**
   * Consent before the first request to a model that is not on this machine, once per workspace and
   * endpoint: the dialog names what is sent, and "Show What Is Sent" opens the exact request body.
   */
  async confirmSend(provider: ChatProvider, body: unknown): Promise<boolean> {
    if (!provider.remote) return true;
    const state = this.s.extension.workspaceState;
    if (state.get<boolean>(consentKey(provider.label))) return true;
    // The first time, the exact request opens beside the question.
    await this.showPreview(body);
    for (;;) {
      const choice = await this.s.prompter.confirm(
        `Send this incident to ${provider.label}?`,
        'The agent sends the alert, the deterministic hypothesis and the results of the read-only tools the model calls (logs, metrics, traces, diffs, files), with secrets redacted. It asks once per workspace and endpoint.',
        ['Send', 'Show What Is Sent'],
      );
      if (choice === 'Show What Is Sent') {
        await this.showPreview(body);
        continue;
      }
      if (choice !== 'Send') return false;
      await state.update(consentKey(provider.label), true);
      return true;
    }
  }

  async showPreview(body: unknown): Promise<void> {
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content: JSON.stringify(body, null, 2) });
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  /** The exact first request a question would send about an investigation (redacted). */
  async previewBody(inv: Investigation | undefined, question?: string): Promise<{ provider: string; body: unknown } | { off: string }> {
    const { provider, off } = await this.provider();
    if (!provider) return { off: off ?? enableHint };
    const { firstRequest } = await import('../agent/llm/loop');
    const tools = await this.toolContext(() => inv);
    return { provider: provider.label, body: provider.requestBody(firstRequest({ tools, investigation: inv, question, budgets: agentSettings.budgets(), redaction: agentSettings.redaction() })) };
  }
}

/** Incident Lens: Set Agent API Key — kept in SecretStorage, never in settings. */
export async function setAgentApiKey(s: Services): Promise<void> {
  const value = await vscode.window.showInputBox({ title: 'Incident Lens: API key of the OpenAI-compatible endpoint', prompt: 'Kept in VS Code\'s secret storage. Leave empty to remove it.', password: true, ignoreFocusOut: true });
  if (value === undefined) return;
  if (value.trim()) await s.extension.secrets.store(agentKeySecret, value.trim());
  else await s.extension.secrets.delete(agentKeySecret);
  void vscode.window.showInformationMessage(value.trim() ? 'Incident Lens: the agent\'s API key is stored.' : 'Incident Lens: the agent\'s API key is removed.');
}

/** Incident Lens: Preview Agent Request — what the agent would send about the latest investigation. */
export async function previewAgentRequest(s: Services, features: AgentFeatures): Promise<void> {
  const got = await features.previewBody(s.investigations.latest());
  if ('off' in got) {
    void vscode.window.showInformationMessage(got.off);
    return;
  }
  await features.showPreview(got.body);
}

export function mcpServerScript(extensionPath: string): string {
  return path.join(extensionPath, 'dist', 'mcp.js');
}
