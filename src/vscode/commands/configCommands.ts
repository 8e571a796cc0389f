import * as vscode from 'vscode';
import type { Services } from '../services';
import { secretKey, webhookTokenKey } from '../alertService';
import { settings } from '../config';

export async function configureSources(_s: Services): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.openSettings', 'incidentLens.sources');
}

export async function setSourceSecret(s: Services, sourceName?: string): Promise<void> {
  const { validateSourceConfigs } = await import('../../sources/registry');
  const { configs } = validateSourceConfigs(vscode.workspace.getConfiguration('incidentLens').get('sources', []));
  const argo = settings.argoCd();
  const choices = [...configs.map((c) => ({ label: c.name, description: `${c.kind} · ${c.url}`, value: c.name })), ...(argo ? [{ label: argo.name, description: `Argo CD · ${argo.url}`, value: argo.name }] : [])];
  const name = sourceName ?? (await s.prompter.pick(choices, { title: 'Set the token or password of which source?' }));
  if (!name) return;
  const value = await s.prompter.input({ title: `Token or password for ${name}`, prompt: 'Stored in VS Code secret storage, never in settings. Empty removes it.', password: true });
  if (value === undefined) return;
  if (value === '') await s.extension.secrets.delete(secretKey(name));
  else await s.extension.secrets.store(secretKey(name), value);
  s.logger.info(`secret for source ${name} ${value === '' ? 'removed' : 'updated'}`);
  await s.alerts.start();
}

/** The webhook's bearer token: kept in SecretStorage; Alertmanager sends it as http_config.authorization.credentials. */
export async function setWebhookToken(s: Services): Promise<void> {
  const value = await s.prompter.input({
    title: 'Bearer token for the Alertmanager webhook',
    prompt: 'Posts without `Authorization: Bearer <token>` are refused. Stored in VS Code secret storage, never in settings. Empty removes it.',
    password: true,
  });
  if (value === undefined) return;
  if (value === '') await s.extension.secrets.delete(webhookTokenKey);
  else await s.extension.secrets.store(webhookTokenKey, value);
  s.logger.info(`webhook token ${value === '' ? 'removed: posts are accepted without one' : 'updated'}`);
}

export function showLog(s: Services): void {
  s.channel.show(true);
}
