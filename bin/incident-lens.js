#!/usr/bin/env node
// Runs the compiled CLI when the project is built, else the TypeScript source through tsx.
// A build older than the sources beside it (a developer's stale out/) is skipped in favour of the sources.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const built = path.join(root, 'out', 'src', 'cli.js');
const source = path.join(root, 'src', 'cli.ts');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function useBuilt() {
  if (!fs.existsSync(built)) return false;
  if (!fs.existsSync(source)) return true;
  try {
    return fs.statSync(built).mtimeMs >= newestMtime(path.join(root, 'src'));
  } catch {
    return true;
  }
}

let cli;
if (useBuilt()) {
  cli = require(built);
} else {
  require('tsx/cjs');
  cli = require(source);
}
cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`incident-lens: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
