// Log levels as backends spell them ("ERR", "Warning", "5", "critical") mapped onto LogLevel.

import type { LogLevel } from '../core/model';

// No prototype: a level such as "constructor" must not find Object's own properties.
const levelWords: Record<string, LogLevel> = Object.assign(Object.create(null) as Record<string, LogLevel>, {
  trace: 'trace',
  debug: 'debug',
  dbg: 'debug',
  info: 'info',
  information: 'info',
  informational: 'info',
  notice: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  fatal: 'fatal',
  critical: 'fatal',
  crit: 'fatal',
  panic: 'fatal',
  emerg: 'fatal',
  emergency: 'fatal',
  alert: 'fatal',
});

/** Also reads OpenTelemetry severity numbers (1-4 trace ... 21-24 fatal). */
export function normaliseLogLevel(raw: unknown): LogLevel {
  if (typeof raw === 'number' && raw >= 1 && raw <= 24) {
    return (['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const)[Math.floor((raw - 1) / 4)];
  }
  if (typeof raw !== 'string' || !raw) return 'unknown';
  const word = raw.trim().toLowerCase();
  if (levelWords[word]) return levelWords[word];
  if (/^\d+$/.test(word)) return normaliseLogLevel(Number(word));
  // "WARN1", "error:", "[ERROR]"
  const m = /^[[(]?([a-z]+)/.exec(word);
  return (m && levelWords[m[1]]) || 'unknown';
}

const inlineLevel = /(?:^|[\s"'[(])(?:level|lvl|severity)"?\s*[=:]\s*"?([A-Za-z]+)|(?:^|[\s[(])(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL|PANIC)(?=[\s\]):]|$)/;

/** The level a plain log line states (`level=error`, `"level":"warn"`, ` ERROR `), if any. */
export function levelFromLine(line: string): LogLevel {
  const m = inlineLevel.exec(line.length > 512 ? line.slice(0, 512) : line);
  if (!m) return 'unknown';
  return normaliseLogLevel(m[1] ?? m[2]);
}
