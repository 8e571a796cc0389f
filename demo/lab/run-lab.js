#!/usr/bin/env node
'use strict';
// Starts the incident lab: node demo/lab/run-lab.js [--help]. The lab itself is TypeScript, run
// through tsx so the demo needs no build step.
require('tsx/cjs');
require('./src/run-lab.ts')
  .main(process.argv.slice(2))
  .catch((err) => {
    console.error(`run-lab: ${err && err.message ? err.message : err}`);
    process.exit(1);
  });
