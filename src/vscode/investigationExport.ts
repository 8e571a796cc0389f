// "Copy Investigation as Markdown" and "Export Investigation…": the host-free Markdown writer
// (src/agent/investigationMarkdown.ts) over the investigation, the alert as it is now and the actions
// the audit ledger recorded for it: the start of a postmortem.
import * as vscode from 'vscode';
import type { InvestigationRun } from '../agent/investigationService';
import { investigationMarkdown } from '../agent/investigationMarkdown';
import type { LinkSpec } from '../sources/links';
import type { Services } from './services';

export async function markdownFor(s: Services, run: InvestigationRun, links: LinkSpec[]): Promise<string> {
  const inv = run.investigation;
  if (!inv) throw new Error('the investigation has not finished yet');
  const alertIds = [run.alert.id, ...run.relatedAlerts.map((a) => a.id)];
  const taken = (await Promise.all(alertIds.map((id) => s.remediation.actionsTaken(id)))).flat().sort((a, b) => a.time - b.time);
  return investigationMarkdown(inv, {
    alert: run.alert,
    actions: taken.map((a) => ({ actionId: a.actionId, time: a.time, status: a.status, ...(a.message ? { message: a.message } : {}), entries: a.entries.map((e) => ({ time: e.time, title: e.title })) })),
    links: links.flatMap((l) => (l.target.type === 'url' ? [{ label: l.label, url: l.target.url }] : [])),
  });
}

function fileSlug(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'investigation';
}

/** Asks where to save, writes the Markdown there and opens it. */
export async function exportMarkdown(s: Services, run: InvestigationRun, links: LinkSpec[]): Promise<vscode.Uri | undefined> {
  const text = await markdownFor(s, run, links);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const day = new Date().toISOString().slice(0, 10);
  const name = `incident-${fileSlug(run.alert.service ?? run.alert.name)}-${day}.md`;
  const target = await vscode.window.showSaveDialog({
    title: 'Export the investigation as Markdown',
    saveLabel: 'Export',
    filters: { Markdown: ['md'] },
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
  });
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  await vscode.window.showTextDocument(target, { preview: false });
  return target;
}
