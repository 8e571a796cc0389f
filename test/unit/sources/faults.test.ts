// Every source kind against a real local server that misbehaves in each way a backend can: the
// error names the fault (kind and message), and collectAlerts keeps the healthy sources' alerts.

import * as assert from 'node:assert/strict';
import type * as http from 'node:http';
import { SourceError, type SourceErrorKind } from '../../../src/core/errors';
import type { AlertSource } from '../../../src/core/sources';
import type { HttpSourceOptions } from '../../../src/sources/http';
import { AlertmanagerSource } from '../../../src/sources/alertmanager';
import { GrafanaSource } from '../../../src/sources/grafana';
import { PrometheusSource } from '../../../src/sources/prometheus';
import { LokiSource } from '../../../src/sources/loki';
import { ElasticsearchSource } from '../../../src/sources/elasticsearch';
import { JaegerSource } from '../../../src/sources/jaeger';
import { TempoSource } from '../../../src/sources/tempo';
import { collectAlerts } from '../../../src/sources/registry';
import { freePort } from '../../support/promStack';
import { sendJson, startLocalServer, type LocalServer } from './localServer';

type Fault = 'refused' | 'timeout' | 'unauthorized' | 'server-error' | 'malformed' | 'oversized';

const faults: { fault: Fault; kind: SourceErrorKind; message: RegExp }[] = [
  { fault: 'refused', kind: 'down', message: /connection refused at http:\/\/127\.0\.0\.1:\d+\// },
  { fault: 'timeout', kind: 'timeout', message: /no complete answer within 300 ms from http:\/\/127\.0\.0\.1:\d+\// },
  { fault: 'unauthorized', kind: 'auth', message: /401 Unauthorized .*: no token or password is set for this source/ },
  { fault: 'server-error', kind: 'server', message: /HTTP 500 from .*: database is locked/ },
  { fault: 'malformed', kind: 'malformed', message: /is not valid JSON \(Unexpected end of JSON input\); it starts with "\{\\"status\\"/ },
  { fault: 'oversized', kind: 'oversized', message: /larger than the 65536-byte limit: narrow the query/ },
];

const window = { start: Date.now() - 3_600_000, end: Date.now() };

// Each kind with the call a user makes first.
const kinds: { kind: string; make: (o: HttpSourceOptions) => { call: () => Promise<unknown>; alerts?: AlertSource } }[] = [
  { kind: 'alertmanager', make: (o) => { const s = new AlertmanagerSource(o); return { call: () => s.listAlerts(), alerts: s }; } },
  { kind: 'grafana', make: (o) => { const s = new GrafanaSource(o); return { call: () => s.listAlerts(), alerts: s }; } },
  { kind: 'prometheus (alerts)', make: (o) => { const s = new PrometheusSource(o); return { call: () => s.listAlerts(), alerts: s }; } },
  { kind: 'prometheus (query_range)', make: (o) => { const s = new PrometheusSource(o); return { call: () => s.queryRange({ query: 'up', ...window, stepSeconds: 60 }) }; } },
  { kind: 'loki', make: (o) => { const s = new LokiSource(o); return { call: () => s.queryLogs({ query: 'error', ...window, limit: 10 }) }; } },
  { kind: 'elasticsearch', make: (o) => { const s = new ElasticsearchSource(o); return { call: () => s.queryLogs({ query: 'error', ...window, limit: 10 }) }; } },
  { kind: 'opensearch', make: (o) => { const s = new ElasticsearchSource({ ...o, kind: 'opensearch' }); return { call: () => s.queryLogs({ query: 'error', ...window, limit: 10 }) }; } },
  { kind: 'jaeger', make: (o) => { const s = new JaegerSource(o); return { call: () => s.searchTraces({ service: 'checkout', ...window, limit: 10 }) }; } },
  { kind: 'tempo', make: (o) => { const s = new TempoSource(o); return { call: () => s.searchTraces({ service: 'checkout', ...window, limit: 10 }) }; } },
];

function misbehave(fault: Fault, res: http.ServerResponse): void {
  switch (fault) {
    case 'timeout':
      return; // never answer
    case 'unauthorized':
      return sendJson(res, { message: 'Unauthorized' }, 401);
    case 'server-error':
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error: database is locked\n');
      return;
    case 'malformed':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"success","data":[{"labels":');
      return;
    case 'oversized': {
      // No content-length and no end: only a client that stops reading gets out of this.
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.write('[');
      pump();
      return;
    }
    case 'refused':
      return;
  }
}

const healthyAlerts = [
  {
    fingerprint: '1a30ba71cca2921f',
    labels: { alertname: 'ProbeFailure', severity: 'critical', service: 'edge' },
    annotations: { summary: 'probe failing' },
    startsAt: '2023-02-06T13:08:45.828Z',
    endsAt: '2099-01-01T00:00:00Z',
    updatedAt: '2023-02-06T13:08:45.828Z',
    generatorURL: 'http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0',
    receivers: [{ name: 'sms' }],
    status: { state: 'active', silencedBy: [], inhibitedBy: [] },
  },
];

describe('source faults: each gives its specific error and never hides other sources', () => {
  let faulty: LocalServer;
  let healthy: LocalServer;
  let closedPort: number;
  let fault: Fault = 'server-error';

  before(async () => {
    faulty = await startLocalServer((_req, res) => misbehave(fault, res));
    healthy = await startLocalServer((_req, res) => sendJson(res, healthyAlerts));
    closedPort = await freePort();
  });
  after(async () => {
    await faulty.close();
    await healthy.close();
  });

  const optionsFor = (f: Fault, name: string): HttpSourceOptions => ({
    name,
    url: f === 'refused' ? `http://127.0.0.1:${closedPort}` : faulty.url,
    timeoutMs: 300,
    maxBytes: 64 * 1024,
    retries: 0,
  });

  for (const k of kinds) {
    describe(k.kind, () => {
      for (const f of faults) {
        it(`${f.fault} -> ${f.kind}`, async () => {
          fault = f.fault;
          const { call } = k.make(optionsFor(f.fault, `my-${k.kind.split(' ')[0]}`));
          await assert.rejects(call(), (err: unknown) => {
            assert.ok(err instanceof SourceError, `not a SourceError: ${String(err)}`);
            assert.equal(err.kind, f.kind, err.message);
            assert.match(err.message, f.message);
            assert.ok(err.message.startsWith(`my-${k.kind.split(' ')[0]}: `), 'names the source');
            return true;
          });
        });
      }
    });
  }

  for (const f of faults) {
    it(`collectAlerts with a ${f.fault} fault in three alert sources still returns the healthy source's alerts`, async () => {
      fault = f.fault;
      const broken = kinds.filter((k) => k.make(optionsFor(f.fault, 'x')).alerts).map((k, i) => k.make(optionsFor(f.fault, `broken-${i}`)).alerts!);
      assert.equal(broken.length, 3);
      const ok = new AlertmanagerSource({ name: 'healthy', url: healthy.url });
      const { alerts, errors } = await collectAlerts([...broken, ok]);
      assert.deepEqual(alerts.map((a) => [a.id, a.name, a.sourceName, a.severity, a.service]), [['1a30ba71cca2921f', 'ProbeFailure', 'healthy', 'critical', 'edge']]);
      assert.deepEqual(errors.map((e) => e.source).sort(), ['broken-0', 'broken-1', 'broken-2']);
      for (const e of errors) {
        assert.equal(e.kind, f.kind);
        assert.match(e.message, f.message);
      }
    });
  }

  it('a wrong token is reported as rejected, and the token never appears in the message', async () => {
    fault = 'unauthorized';
    const s = new AlertmanagerSource({ name: 'am', url: faulty.url, authorization: async () => 'Bearer s3cr3t-t0ken', retries: 0 });
    await assert.rejects(s.listAlerts(), (err: unknown) => err instanceof SourceError && err.kind === 'auth' && /rejected/.test(err.message) && !err.message.includes('s3cr3t'));
    assert.equal(faulty.requests.at(-1)!.headers.authorization, 'Bearer s3cr3t-t0ken');
  });
});
