// Our read-only tools as VS Code language-model tools (vscode.lm.registerTool, VS Code 1.95+), so the
// editor's own chat and agent mode can use them: the names, descriptions and schemas are the registry's
// (package.json's languageModelTools contribution repeats them, checked by a unit test). Results are
// redacted and bounded as for our own agent. propose_remediation opens our approval flow (policy,
// prompt, ledger), whatever VS Code's chat auto-approval says: its tool confirmation is not ours.
import * as vscode from 'vscode';
import type { Services } from './services';
import type { AgentFeatures } from './agent';
import { agentSettings } from './agentSettings';
import { lmToolsApi, toolResult, type LmToolInvocation } from './lmApi';

/** The tool names of package.json's contribution: registering needs no import of the tools themselves. */
function contributedToolNames(s: Services): string[] {
  const tools = (s.extension.extension.packageJSON as { contributes?: { languageModelTools?: { name: string }[] } }).contributes?.languageModelTools ?? [];
  return tools.map((t) => t.name);
}

export function registerLmTools(s: Services, features: AgentFeatures): { name: string; disposable: vscode.Disposable }[] {
  const lm = lmToolsApi();
  if (!lm) {
    s.logger.info('agent: this VS Code has no language-model tools API (1.95+): the tools are available over MCP and in the panel');
    return [];
  }
  const registered: { name: string; disposable: vscode.Disposable }[] = [];
  for (const name of contributedToolNames(s)) {
    try {
      registered.push({ name, disposable: register(lm, name, features) });
    } catch (err) {
      // A newer API must never cost the extension its activation.
      s.logger.warn(`agent: could not register the language-model tool ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return registered;
}

function register(lm: NonNullable<ReturnType<typeof lmToolsApi>>, name: string, features: AgentFeatures): vscode.Disposable {
  return lm.registerTool(name, {
    prepareInvocation: (options: LmToolInvocation) =>
      name === 'propose_remediation'
        ? { invocationMessage: `Proposing ${String((options.input as { actionId?: unknown })?.actionId ?? 'an action')}: Incident Lens's policy and approval decide` }
        : { invocationMessage: `Incident Lens: ${name.replace('_', ' ')}` },
    invoke: async (options: LmToolInvocation, token: vscode.CancellationToken) => {
      const { runTool } = await import('../agent/tools/registry');
      const ac = new AbortController();
      const sub = token.onCancellationRequested(() => ac.abort());
      try {
        const r = await runTool(name, options.input, await features.toolContext(), { signal: ac.signal, redaction: agentSettings.redaction() });
        return toolResult(r.ok ? r.text : `Error: ${r.text}`);
      } finally {
        sub.dispose();
      }
    },
  });
}
