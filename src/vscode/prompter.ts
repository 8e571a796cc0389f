// Every question the extension asks goes through this interface (vscode-containers' habit): the flows
// that ask take a Prompter, so they can be driven with scripted answers, while users get VS Code's own
// quick picks and dialogs.
import * as vscode from 'vscode';

export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T;
  /** A heading between items (VS Code's separator); it cannot be picked. */
  separator?: boolean;
}

export interface Prompter {
  pick<T>(items: PickItem<T>[], options: { title: string; placeholder?: string }): Promise<T | undefined>;
  input(options: { title: string; prompt?: string; value?: string; password?: boolean; validate?: (v: string) => string | undefined }): Promise<string | undefined>;
  /** A modal confirmation; resolves to the chosen button's label. */
  confirm(message: string, detail: string, buttons: string[]): Promise<string | undefined>;
}

export const vscodePrompter: Prompter = {
  async pick(items, options) {
    const chosen = await vscode.window.showQuickPick(
      items.map((i) => (i.separator ? { label: i.label, kind: vscode.QuickPickItemKind.Separator, value: i.value } : { label: i.label, description: i.description, detail: i.detail, value: i.value })),
      { title: options.title, placeHolder: options.placeholder, matchOnDescription: true, matchOnDetail: true },
    );
    return chosen?.value;
  },
  input(options) {
    return Promise.resolve(
      vscode.window.showInputBox({ title: options.title, prompt: options.prompt, value: options.value, password: options.password, ignoreFocusOut: true, validateInput: options.validate }),
    );
  },
  async confirm(message, detail, buttons) {
    return vscode.window.showWarningMessage(message, { modal: true, detail }, ...buttons);
  },
};
