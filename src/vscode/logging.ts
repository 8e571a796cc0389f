// One LogOutputChannel named after the extension; the core sees it through the plain Logger interface.
import * as vscode from 'vscode';
import { redactSecrets, type Logger } from '../core/logger';

export function createLogger(channel: vscode.LogOutputChannel): Logger {
  const fmt = (m: string | Error) => redactSecrets(m instanceof Error ? (m.stack ?? m.message) : m);
  return {
    trace: (m, ...a) => channel.trace(fmt(m), ...a),
    debug: (m, ...a) => channel.debug(fmt(m), ...a),
    info: (m, ...a) => channel.info(fmt(m), ...a),
    warn: (m, ...a) => channel.warn(fmt(m), ...a),
    error: (m, ...a) => channel.error(fmt(m), ...a),
  };
}
