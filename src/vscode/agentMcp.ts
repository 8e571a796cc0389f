// Registers `incident-lens mcp` with VS Code (mcpServerDefinitionProviders, VS Code 1.101+), so agent
// modes and MCP-aware chat find our tools: a stdio server run by VS Code's own Node (the extension
// host's executable as Node), over the configured sources and this workspace. Feature-detected: older
// VS Code versions simply have no MCP entry. Secrets are not passed (VS Code may keep the definition);
// sources that need a token are skipped by the server with a message.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Services } from './services';
import { settings } from './config';
import { agentSettings } from './agentSettings';
import { mcpApi, mcpStdioDefinition, type McpServerDefinitionProvider } from './lmApi';

export const mcpProviderId = 'incidentLens.mcp';

export interface McpDefinitionData {
  label: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  version: string;
}

/** The server definition as data (what the provider hands VS Code), written from the settings. */
export function mcpDefinitionData(s: Services): McpDefinitionData {
  const dir = s.extension.globalStorageUri.fsPath;
  fs.mkdirSync(dir, { recursive: true });
  const config = { sources: settings.rawSources() };
  const text = JSON.stringify(config, null, 2);
  const file = path.join(dir, 'mcp-sources.json');
  fs.writeFileSync(file, text);
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const red = agentSettings.redaction();
  const args = [
    path.join(s.extension.extensionPath, 'dist', 'mcp.js'),
    '--config', file,
    // The editor's own receiver already owns the OTLP port; the server reads the configured backends.
    '--no-receiver',
    ...(root ? ['--workspace', root] : []),
    ...(root && vscode.workspace.isTrusted ? ['--trusted'] : []),
    ...(red.emails ? ['--redact-emails'] : []),
    ...(red.ips ? ['--redact-ips'] : []),
  ];
  const version = crypto.createHash('sha256').update(text + args.join('\0')).digest('hex').slice(0, 12);
  return { label: 'Incident Lens', command: process.execPath, args, env: { ELECTRON_RUN_AS_NODE: '1', INCIDENT_LENS_MCP_MAIN: '1' }, version };
}

export interface McpRegistration {
  disposables: vscode.Disposable[];
  /** The provider VS Code was given, when this VS Code has the API. */
  provider?: McpServerDefinitionProvider;
}

export function registerMcpProvider(s: Services): McpRegistration {
  const mcp = mcpApi();
  if (!mcp) {
    s.logger.info('agent: this VS Code has no MCP server definition API (1.101+): run `incident-lens mcp` from other MCP clients');
    return { disposables: [] };
  }
  const changed = new vscode.EventEmitter<void>();
  const provider: McpServerDefinitionProvider = {
    onDidChangeMcpServerDefinitions: changed.event,
    provideMcpServerDefinitions: () => {
      const d = mcpDefinitionData(s);
      return [mcpStdioDefinition(d.label, d.command, d.args, d.env, d.version)];
    },
  };
  let registration: vscode.Disposable;
  try {
    registration = mcp.registerMcpServerDefinitionProvider(mcpProviderId, provider);
  } catch (err) {
    // A newer API must never cost the extension its activation.
    s.logger.warn(`agent: could not register the MCP server definition provider: ${err instanceof Error ? err.message : String(err)}`);
    changed.dispose();
    return { disposables: [] };
  }
  const disposables = [
    changed,
    registration,
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (settings.affects(e, 'sources') || agentSettings.affects(e)) changed.fire();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => changed.fire()),
  ];
  return { disposables, provider };
}
