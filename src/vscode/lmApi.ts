// The parts of VS Code's language-model API that are newer than our floor version (engines ^1.90, whose
// @types/vscode we build against): tool calling and registration (finalized in 1.95) and MCP server
// definition providers (1.101). They are declared here, feature-detected at run time, and used only
// when present, so older VS Code versions keep working without them. The `any` stays in this file.
import * as vscode from 'vscode';

export interface LmToolInvocation {
  input: unknown;
  toolInvocationToken?: unknown;
}

export interface LmTool {
  invoke(options: LmToolInvocation, token: vscode.CancellationToken): Promise<unknown>;
  prepareInvocation?(options: LmToolInvocation, token: vscode.CancellationToken): unknown;
}

export interface LmToolInfo {
  name: string;
  description: string;
  inputSchema?: object;
  tags: readonly string[];
}

export interface LmToolsApi {
  registerTool(name: string, tool: LmTool): vscode.Disposable;
  invokeTool(name: string, options: LmToolInvocation, token?: vscode.CancellationToken): Thenable<{ content: unknown[] }>;
  readonly tools: readonly LmToolInfo[];
}

export interface McpServerDefinitionProvider {
  onDidChangeMcpServerDefinitions?: vscode.Event<void>;
  provideMcpServerDefinitions(token: vscode.CancellationToken): unknown[] | Thenable<unknown[]>;
  resolveMcpServerDefinition?(server: unknown, token: vscode.CancellationToken): unknown;
}

export interface McpApi {
  registerMcpServerDefinitionProvider(id: string, provider: McpServerDefinitionProvider): vscode.Disposable;
}

const api = vscode as any;

/** Tool registration and invocation (VS Code 1.95+), or undefined. */
export function lmToolsApi(): LmToolsApi | undefined {
  const lm = api.lm;
  return lm && typeof lm.registerTool === 'function' && typeof lm.invokeTool === 'function' && typeof api.LanguageModelToolResult === 'function' ? (lm as LmToolsApi) : undefined;
}

/** Whether this VS Code is at least major.minor (the API was final from then on). */
export function vscodeAtLeast(major: number, minor: number): boolean {
  const [ma, mi] = vscode.version.split('.').map((x) => parseInt(x, 10));
  return ma > major || (ma === major && mi >= minor);
}

/**
 * MCP server definition providers (final in VS Code 1.101), or undefined. 1.100 already has a function
 * of that name, but it wants a contribution point that was renamed before the API was final, and throws.
 */
export function mcpApi(): McpApi | undefined {
  const lm = api.lm;
  return vscodeAtLeast(1, 101) && lm && typeof lm.registerMcpServerDefinitionProvider === 'function' && typeof api.McpStdioServerDefinition === 'function' ? (lm as McpApi) : undefined;
}

/** Whether chat requests can carry tools (1.95+). */
export function chatToolsSupported(): boolean {
  return typeof api.LanguageModelToolCallPart === 'function' && typeof api.LanguageModelToolResultPart === 'function';
}

export function toolResult(text: string): unknown {
  return new api.LanguageModelToolResult([new api.LanguageModelTextPart(text)]);
}

/** The text parts of a tool result (what invokeTool returns). */
export function toolResultText(result: { content: unknown[] }): string {
  return result.content.map((p) => (p && typeof (p as { value?: unknown }).value === 'string' ? (p as { value: string }).value : '')).join('');
}

export function mcpStdioDefinition(label: string, command: string, args: string[], env: Record<string, string>, version: string): unknown {
  return new api.McpStdioServerDefinition(label, command, args, env, version);
}

export interface LmToolCallPart {
  callId: string;
  name: string;
  input: object;
}

export function isToolCallPart(p: unknown): p is LmToolCallPart {
  return typeof api.LanguageModelToolCallPart === 'function' && p instanceof api.LanguageModelToolCallPart;
}

export function isTextPart(p: unknown): p is { value: string } {
  return typeof api.LanguageModelTextPart === 'function' && p instanceof api.LanguageModelTextPart;
}

export function toolCallPart(callId: string, name: string, input: object): unknown {
  return new api.LanguageModelToolCallPart(callId, name, input);
}

export function toolResultPart(callId: string, text: string): unknown {
  return new api.LanguageModelToolResultPart(callId, [new api.LanguageModelTextPart(text)]);
}

/** Messages whose content is a list of parts (1.95+), or plain text on older versions. */
export function chatMessage(role: 'user' | 'assistant', content: string | unknown[]): vscode.LanguageModelChatMessage {
  const Role = vscode.LanguageModelChatMessageRole;
  return new vscode.LanguageModelChatMessage(role === 'user' ? Role.User : Role.Assistant, content as string);
}

/** LanguageModelChatToolMode: Auto 1, Required 2. */
export const toolMode = { auto: 1, required: 2 } as const;
