// The agent's settings, read fresh (the typed-facade habit of config.ts), and its API key, kept in
// SecretStorage. The agent is off until the user picks a provider.
import * as vscode from 'vscode';
import type { AgentBudgets } from '../agent/llm/loop';
import type { RedactionSettings } from '../core/redact';

export type AgentProviderKind = 'off' | 'openai' | 'vscode';

const section = 'incidentLens.agent';
export const agentKeySecret = 'incidentLens.agent.apiKey';

function cfg(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(section);
}

export const agentSettings = {
  provider(): AgentProviderKind {
    const v = cfg().get<string>('provider', 'off');
    return v === 'openai' || v === 'vscode' ? v : 'off';
  },
  baseUrl(): string {
    return cfg().get<string>('baseUrl', 'https://api.openai.com/v1').trim();
  },
  model(): string {
    return cfg().get<string>('model', '').trim();
  },
  /** A family for vscode.lm.selectChatModels (empty: the first model offered). */
  vscodeModelFamily(): string {
    return cfg().get<string>('vscodeModelFamily', '').trim();
  },
  budgets(): Partial<AgentBudgets> {
    const c = cfg();
    return { maxSteps: c.get<number>('maxSteps', 10), maxTokens: c.get<number>('maxTokens', 150_000), maxWallMs: c.get<number>('maxSeconds', 180) * 1000 };
  },
  redaction(): RedactionSettings {
    const c = cfg();
    return { emails: c.get<boolean>('redactEmails', false), ips: c.get<boolean>('redactIps', false) };
  },
  affects(e: vscode.ConfigurationChangeEvent): boolean {
    return e.affectsConfiguration(section);
  },
};

/** How to turn the agent on, said where it is off. */
export const enableHint = 'The agent is off. Pick a provider in the setting incidentLens.agent.provider: "openai" for any OpenAI-compatible endpoint (OpenAI, Azure OpenAI, Ollama, vLLM, LM Studio, LiteLLM; set incidentLens.agent.baseUrl and incidentLens.agent.model, and the key with "Incident Lens: Set Agent API Key"), or "vscode" for the language model of VS Code\'s chat.';
