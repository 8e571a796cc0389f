import * as vscode from 'vscode';
import type { Services } from '../services';

/** Opens a declared model's panel: by name, or picked from the models .incident-lens/models.yaml declares. */
export async function openModel(s: Services, name?: unknown): Promise<void> {
  const names = s.models.modelNames();
  if (names.length === 0) {
    void vscode.window.showInformationMessage('No model is declared: add .incident-lens/models.yaml to the workspace (see the README, "Models in production").');
    return;
  }
  const model = typeof name === 'string' && names.includes(name) ? name : await vscode.window.showQuickPick(names, { title: 'Open which model?' });
  if (model) s.models.open(model);
}
