// Test helpers: temp dirs and small real programs (node scripts with a shebang) that stand in for
// tools we cannot have here, such as kubectl without a cluster. Tests name them as fakes.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `il-${prefix}-`));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes an executable node script; `body` is plain JavaScript. */
export function writeScript(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!${process.execPath}\n'use strict';\n${body}\n`, { mode: 0o755 });
  return file;
}

/** A program that appends its argv (after the script path) as one JSON line to `recordFile`. */
export function writeArgvRecorder(dir: string, name: string, recordFile: string, extra = ''): string {
  return writeScript(
    dir,
    name,
    `const fs = require('fs');
fs.appendFileSync(${JSON.stringify(recordFile)}, JSON.stringify(process.argv.slice(2)) + '\\n');
${extra}`,
  );
}

export function readRecords(recordFile: string): string[][] {
  if (!fs.existsSync(recordFile)) return [];
  return fs
    .readFileSync(recordFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as string[]);
}

/** An environment whose PATH finds the fake tools in `binDir` first. */
export function envWithBin(binDir: string): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}` };
}
