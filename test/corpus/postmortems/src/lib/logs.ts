// Log records and the stack-trace formats of the runtimes the cases run on (Java, Go, Python, Node).
// Bodies are what the application wrote; nothing here is markup or a command.

import type { LogLevel, LogRecord } from '../../../../../src/core/model';

type AttributeValue = string | number | boolean;

export function logRecord(
  time: number,
  level: LogLevel,
  service: string | undefined,
  body: string,
  attributes?: Record<string, AttributeValue>,
  trace?: { traceId: string; spanId: string },
): LogRecord {
  const rec: LogRecord = { time: Math.round(time), level, body };
  if (service) rec.service = service;
  if (attributes && Object.keys(attributes).length) rec.attributes = attributes;
  if (trace) {
    rec.traceId = trace.traceId;
    rec.spanId = trace.spanId;
  }
  return rec;
}

/** `java.lang.X: message` then tab-indented `at` frames, with an optional `Caused by:` chain. */
export function javaStack(type: string, message: string, frames: string[], causedBy?: { type: string; message: string; frames: string[] }): string {
  const lines = [`${type}: ${message}`, ...frames.map((f) => `\tat ${f}`)];
  if (causedBy) {
    lines.push(`Caused by: ${causedBy.type}: ${causedBy.message}`, ...causedBy.frames.map((f) => `\tat ${f}`), `\t... ${frames.length} more`);
  }
  return lines.join('\n');
}

export interface GoFrame {
  fn: string;
  file: string;
  line: number;
}

/** A Go runtime panic as the runtime prints it on stderr. */
export function goPanic(message: string, goroutine: number, frames: GoFrame[], signal?: string): string {
  const lines = [`panic: ${message}`];
  if (signal) lines.push(signal);
  lines.push('', `goroutine ${goroutine} [running]:`);
  frames.forEach((f, i) => {
    lines.push(`${f.fn}(...)`, `\t${f.file}:${f.line} +0x${(0x1d + i * 0x37).toString(16)}`);
  });
  return lines.join('\n');
}

export interface PythonFrame {
  file: string;
  line: number;
  fn: string;
  code: string;
}

/** CPython's `Traceback (most recent call last):` format. */
export function pythonTraceback(frames: PythonFrame[], type: string, message: string): string {
  const lines = ['Traceback (most recent call last):'];
  for (const f of frames) lines.push(`  File "${f.file}", line ${f.line}, in ${f.fn}`, `    ${f.code}`);
  lines.push(`${type}: ${message}`);
  return lines.join('\n');
}

export interface NodeFrame {
  fn?: string;
  file: string;
  line: number;
  col: number;
}

/** V8's `Error: message` then `    at fn (file:line:col)` frames. */
export function nodeStack(type: string, message: string, frames: NodeFrame[]): string {
  return [`${type}: ${message}`, ...frames.map((f) => (f.fn ? `    at ${f.fn} (${f.file}:${f.line}:${f.col})` : `    at ${f.file}:${f.line}:${f.col}`))].join('\n');
}

/** logfmt, the key=value format of Go services and Heroku's router. */
export function logfmt(fields: Record<string, string | number | boolean>): string {
  return Object.entries(fields)
    .map(([k, v]) => {
      const s = String(v);
      return `${k}=${/[\s"=]/.test(s) || s === '' ? JSON.stringify(s) : s}`;
    })
    .join(' ');
}
