// Redaction of everything that goes to a language model: the logger's credential rules
// (core/logger.ts redactSecrets: Authorization headers, key=value secrets, URL userinfo) plus the
// shapes secrets take inside telemetry text (bare bearer/basic/ApiKey credentials, JWTs, cloud and
// SaaS access keys, private key blocks, connection-string passwords) and, by setting, e-mail addresses
// and IP addresses. Applied to every string of a request (keys too) right before it is sent, so a tool
// that forgets cannot leak; the preview shows the result.
import { redactSecrets } from './logger';

export interface RedactionSettings {
  /** Replace e-mail addresses with <email>. */
  emails: boolean;
  /** Replace IPv4 and IPv6 addresses with <ip>. */
  ips: boolean;
}

export const defaultRedaction: RedactionSettings = { emails: false, ips: false };

const R = '<redacted>';

// Each rule: what it finds, and why it is a secret. Order matters: blocks before tokens inside them.
const secretRules: { name: string; pattern: RegExp; replace: string | ((m: string, ...g: string[]) => string) }[] = [
  // PEM private keys, also with escaped newlines as they appear inside JSON strings and env values.
  { name: 'private key', pattern: /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|$)/g, replace: (_m, kind: string) => `-----BEGIN ${kind}PRIVATE KEY-----${R}-----END ${kind}PRIVATE KEY-----` },
  { name: 'openssh private key', pattern: /-----BEGIN OPENSSH PRIVATE KEY-----[\s\S]*?(?:-----END OPENSSH PRIVATE KEY-----|$)/g, replace: `-----BEGIN OPENSSH PRIVATE KEY-----${R}-----END OPENSSH PRIVATE KEY-----` },
  // A credential after its scheme wherever it appears (a log line quoting a header, a curl command).
  { name: 'scheme credential', pattern: /\b(Bearer|Basic|ApiKey|Token|Digest)(\s+)[A-Za-z0-9\-._~+/]{8,}=*/g, replace: (_m, scheme: string, sp: string) => `${scheme}${sp}${R}` },
  // JSON Web Tokens: three base64url parts, the first two JSON objects ("eyJ").
  { name: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/g, replace: R },
  // AWS access key ids (long-term AKIA, temporary ASIA, and the other documented prefixes).
  { name: 'aws access key id', pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|ABIA|ACCA)[A-Z0-9]{16}\b/g, replace: R },
  // Google API keys, GitHub, GitLab, Slack, Stripe, OpenAI-style and Anthropic-style keys.
  { name: 'google api key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g, replace: R },
  { name: 'github token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})\b/g, replace: R },
  { name: 'gitlab token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/g, replace: R },
  { name: 'slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g, replace: R },
  { name: 'stripe key', pattern: /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}\b/g, replace: R },
  { name: 'api key', pattern: /\bsk-(?:[A-Za-z0-9_-]+-)?[A-Za-z0-9_-]{20,}\b/g, replace: R },
  // Connection strings: "Password=...;" and "AccountKey=...;" (ADO.NET, Azure storage), "pwd=".
  { name: 'connection string secret', pattern: /\b(password|pwd|accountkey|sharedaccesskey|sig)(\s*=\s*)[^;\s"'&]+/gi, replace: (_m, k: string, eq: string) => `${k}${eq}${R}` },
];

const emailPattern = /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g;
const ipv4Pattern = /\b(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\b/g;
// IPv6 with at least two colons and hex groups (full, compressed); not a time such as 12:30:45.
const ipv6Pattern = /(?<![\w:.])(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}(?![\w:])/g;
// A key whose name says its value is a secret (a label "token", an attribute "db.password").
const secretKey = /(?:^|[._-])(?:token|password|passwd|pwd|secret|api[_-]?key|apikey|access[_-]?key|private[_-]?key|authorization|credentials?|cookie|session[_-]?id)$/i;

function hasHexLetterOrDoubleColon(s: string): boolean {
  return s.includes('::') || /[a-fA-F]/.test(s);
}

/** The text with every secret (and, by setting, e-mail and IP address) replaced by a placeholder. */
export function redactText(text: string, settings: RedactionSettings = defaultRedaction): string {
  let out = text;
  for (const rule of secretRules) out = out.replace(rule.pattern, rule.replace as (m: string, ...g: string[]) => string);
  out = redactSecrets(out);
  if (settings.emails) out = out.replace(emailPattern, '<email>');
  if (settings.ips) {
    out = out.replace(ipv4Pattern, '<ip>');
    out = out.replace(ipv6Pattern, (m) => (hasHexLetterOrDoubleColon(m) ? '<ip>' : m));
  }
  return out;
}

/** Every string in a JSON-safe value, keys included, redacted; the shape is kept. */
export function redactValue<T>(value: T, settings: RedactionSettings = defaultRedaction): T {
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return redactText(v, settings);
    if (depth > 64 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      out[redactText(k, settings)] = typeof x === 'string' && x !== '' && secretKey.test(k) ? R : walk(x, depth + 1);
    }
    return out;
  };
  return walk(value, 0) as T;
}
