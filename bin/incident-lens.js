#!/usr/bin/env node
// Runs the compiled CLI when the project is built, else the TypeScript source through tsx.
const fs = require('node:fs');
const path = require('node:path');

const built = path.join(__dirname, '..', 'out', 'src', 'cli.js');
let cli;
if (fs.existsSync(built)) {
  cli = require(built);
} else {
  require('tsx/cjs');
  cli = require(path.join(__dirname, '..', 'src', 'cli.ts'));
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
