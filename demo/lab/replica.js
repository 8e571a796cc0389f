#!/usr/bin/env node
'use strict';
// One replica of the lab's replicated workload: a real process serving GET /recommend one request at a
// time (a fixed service time; a request waits while the one before it is served), with the shop's
// OpenTelemetry telemetry (server spans, metrics, logs) from the workspace's shared/ code.
const path = require('node:path');

const workspace = process.env.LAB_WORKSPACE;
const service = process.env.SERVICE_NAME || 'recommend';
const serviceMs = Number(process.env.SERVICE_MS || 200);
const port = Number(process.env.PORT);
const { createTelemetry } = require(path.join(workspace, 'shared', 'telemetry.js'));
const { startServer } = require(path.join(workspace, 'shared', 'http-server.js'));

const telemetry = createTelemetry(service);
let queue = Promise.resolve();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

startServer({
  service,
  telemetry,
  port,
  routes: {
    'GET /recommend': () => {
      const served = queue.then(() => sleep(serviceMs));
      queue = served.catch(() => undefined);
      return served.then(() => ({ status: 200, body: { items: ['a', 'b', 'c'], replica: process.env.REPLICA_INDEX } }));
    },
  },
});
