// Every question the extension asks goes through this interface, so integration tests can script the
// answers (vscode-containers' habit) while users get VS Code's own quick picks and dialogs.
import * as vscode from 'vscode';

export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T;
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
      items.map((i) => ({ label: i.label, description: i.description, detail: i.detail, value: i.value })),
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

/** A prompter whose answers are scripted: used by integration tests through the test API. */
export class ScriptedPrompter implements Prompter {
  readonly asked: string[] = [];
  constructor(private readonly answers: { pick?: unknown[]; input?: (string | undefined)[]; confirm?: (string | undefined)[] }) {}
  async pick<T>(_items: PickItem<T>[], options: { title: string }): Promise<T | undefined> {
    this.asked.push(`pick: ${options.title}`);
    return this.answers.pick?.shift() as T | undefined;
  }
  async input(options: { title: string }): Promise<string | undefined> {
    this.asked.push(`input: ${options.title}`);
    return this.answers.input?.shift();
  }
  async confirm(message: string, detail: string): Promise<string | undefined> {
    this.asked.push(`confirm: ${message}\n${detail}`);
    return this.answers.confirm?.shift();
  }
}
