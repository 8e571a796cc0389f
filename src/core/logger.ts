// A logger interface the core can use without VS Code. The VS Code layer backs it with a
// LogOutputChannel; tests and the CLI back it with the console. Secrets are redacted here, once.

export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string | Error, ...args: unknown[]): void;
}

// Header credentials (RFC 7235: scheme, then one token68 or a list of auth-params). A token68
// (Bearer, Basic, Token, ApiKey ...) is hidden up to the next space; auth-params (Digest, AWS
// signatures) are hidden to the end of the header, quotes included. The scheme stays visible: it
// says what kind of secret it was.
const credentialHeader = /\b((?:proxy-)?authorization|x-api-key|x-auth-token|private-token)(\s*["']?\s*[:=][ \t]*)(["']?)/gi;
const authSchemeHeaders = /authorization$/i;
const token68 = /^[A-Za-z0-9\-._~+/]+=*(?=$|[\s,;"'])/;
const authParam = /^[\w!#$%&*+.^`|~-]+\s*=\s*(?:"|[^\s,=])/;
const keyValueSecret = /((?:token|password|passwd|secret|api[_-]?key|access[_-]?key|private[_-]?key|signature|credential)s?\s*["']?\s*[:=]\s*["']?)[^\s,;"'&]+/gi;
// The whole userinfo of a URL ("user:password@", or a token used as the user name).
const urlUserinfo = /((?:\b[a-z][a-z0-9+.-]*:)?\/\/)[^\s/?#]+@/gi;

function redactCredentialHeaders(text: string): string {
  let out = '';
  let last = 0;
  credentialHeader.lastIndex = 0;
  for (let m = credentialHeader.exec(text); m; m = credentialHeader.exec(text)) {
    const valueStart = m.index + m[0].length;
    const quote = m[3];
    const scheme = authSchemeHeaders.test(m[1]) ? /^([A-Za-z][\w.+-]*)[ \t]+(?=\S)/.exec(text.slice(valueStart, valueStart + 64)) : null;
    const credStart = valueStart + (scheme ? scheme[0].length : 0);
    const rest = text.slice(credStart, credStart + 16384);
    const single = authParam.test(rest) ? null : (token68.exec(rest) ?? (scheme ? null : /^[^\s,;"']+/.exec(rest)));
    let end = credStart;
    if (single) end = credStart + single[0].length;
    else {
      for (; end < text.length; end++) {
        const c = text[end];
        if (c === '\n' || c === '\r' || (quote && c === quote && text[end - 1] !== '\\')) break;
      }
    }
    const hidden = end > credStart;
    out += text.slice(last, hidden ? credStart : end) + (hidden ? '<redacted>' : '');
    last = end;
    credentialHeader.lastIndex = Math.max(end, valueStart + 1);
  }
  return out + text.slice(last);
}

export function redactSecrets(text: string): string {
  let out = redactCredentialHeaders(text);
  out = out.replace(keyValueSecret, (_m, p1: string) => `${p1}<redacted>`);
  out = out.replace(urlUserinfo, (_m, p1: string) => `${p1}<redacted>@`);
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
