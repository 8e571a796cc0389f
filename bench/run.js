#!/usr/bin/env node
// npm run bench -- <name> [--data DIR] [...]: runs bench/<name>.ts under tsx (no build step),
// so each benchmark prints its figures and ends with one line `RESULT {json}`.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const [name, ...rest] = process.argv.slice(2);
const available = fs.readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.startsWith('common')).map((f) => f.slice(0, -3));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name> [--data DIR]\nbenchmarks: ${available.sort().join(', ')}`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--expose-gc', '--require', require.resolve('tsx/cjs'), path.join(__dirname, `${name}.ts`), ...rest], { stdio: 'inherit' });
process.exit(r.status ?? 1);
