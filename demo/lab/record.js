#!/usr/bin/env node
'use strict';
// Records fault-lab incidents as bundles: node demo/lab/record.js --fault NAME|--all [--out DIR].
// The lab is TypeScript, run through tsx so the demo needs no build step.
require('tsx/cjs');
require('./faults/recordCli.ts')
  .main(process.argv.slice(2))
  .catch((err) => {
    console.error(`record: ${err && err.message ? err.message : err}`);
    process.exit(1);
  });
