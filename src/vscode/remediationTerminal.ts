// "Incident Lens: Remediation": a pseudoterminal that streams the executor's output, shows the exit
// code, and turns Ctrl+C into cancelling the running process.
import * as vscode from 'vscode';

export class RemediationTerminal implements vscode.Disposable {
  private terminal: vscode.Terminal | undefined;
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private opened: Promise<void> | undefined;
  private onInterrupt: (() => void) | undefined;
  /** Everything written, for tests and for the ledger's excerpt. */
  transcript = '';

  private ensure(): Promise<void> {
    if (this.terminal && this.terminal.exitStatus === undefined && this.opened) return this.opened;
    let resolveOpen: () => void = () => {};
    this.opened = new Promise((r) => (resolveOpen = r));
    const pty: vscode.Pseudoterminal = {
      onDidWrite: this.writeEmitter.event,
      open: () => resolveOpen(),
      close: () => {
        this.onInterrupt?.();
        this.terminal = undefined;
      },
      handleInput: (data) => {
        if (data === '\x03') {
          this.write('^C\r\n');
          this.onInterrupt?.();
        }
      },
    };
    this.terminal = vscode.window.createTerminal({ name: 'Incident Lens: Remediation', pty, iconPath: new vscode.ThemeIcon('shield') });
    this.terminal.show(true);
    // A pty that VS Code has not opened yet drops writes; wait for open(), but never forever.
    return Promise.race([this.opened, new Promise<void>((r) => setTimeout(r, 3000))]);
  }

  async begin(title: string, onInterrupt: () => void): Promise<void> {
    await this.ensure();
    this.onInterrupt = onInterrupt;
    this.terminal?.show(true);
    this.write(`\r\n\x1b[1m${title}\x1b[0m\r\n`);
  }

  end(): void {
    this.onInterrupt = undefined;
  }

  /** Program output is data: carriage returns normalised, nothing else interpreted by us. */
  write(text: string): void {
    const normalised = text.replace(/\r?\n/g, '\r\n');
    this.transcript += text;
    this.writeEmitter.fire(normalised);
  }

  dispose(): void {
    this.terminal?.dispose();
    this.writeEmitter.dispose();
  }
}
