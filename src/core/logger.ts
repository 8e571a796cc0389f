// A logger interface the core can use without VS Code. The VS Code layer backs it with a
// LogOutputChannel; tests and the CLI back it with the console. Secrets are redacted here, once.

export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string | Error, ...args: unknown[]): void;
}

const secretPatterns: RegExp[] = [
  /(authorization\s*[:=]\s*)(bearer|basic)?\s*[^\s,;"']+/gi,
  /((?:token|password|passwd|secret|api[_-]?key)\s*["']?\s*[:=]\s*["']?)[^\s,;"'&]+/gi,
  /(\/\/[^/\s:@]+:)[^@\s/]+(@)/g,
];

export function redactSecrets(text: string): string {
  let out = text;
  out = out.replace(secretPatterns[0], (_m, p1: string, scheme?: string) => `${p1}${scheme ? scheme + ' ' : ''}<redacted>`);
  out = out.replace(secretPatterns[1], (_m, p1: string) => `${p1}<redacted>`);
  out = out.replace(secretPatterns[2], (_m, p1: string, p2: string) => `${p1}<redacted>${p2}`);
  return out;
}

export function scopedLogger(base: Logger, scope: string): Logger {
  const p = (m: string | Error) => redactSecrets(`[${scope}] ${m instanceof Error ? m.stack ?? m.message : m}`);
  return {
    trace: (m, ...a) => base.trace(p(m), ...a),
    debug: (m, ...a) => base.debug(p(m), ...a),
    info: (m, ...a) => base.info(p(m), ...a),
    warn: (m, ...a) => base.warn(p(m), ...a),
    error: (m, ...a) => base.error(p(m), ...a),
  };
}

export const silentLogger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export const consoleLogger: Logger = {
  trace: () => {},
  debug: () => {},
  info: (m, ...a) => console.error(redactSecrets(m), ...a),
  warn: (m, ...a) => console.error(redactSecrets(m), ...a),
  error: (m, ...a) => console.error(redactSecrets(m instanceof Error ? m.stack ?? m.message : m), ...a),
};
