// Loki, Elasticsearch/OpenSearch, Jaeger, Tempo and Grafana cannot run on this machine. These tests
// serve response bodies written to each backend's documented format from a real local HTTP server,
// and check both the mapping and that every query sent carries its window and limit.

import * as assert from 'node:assert/strict';
import { SourceError } from '../../../src/core/errors';
import { LokiSource } from '../../../src/sources/loki';
import { ElasticsearchSource } from '../../../src/sources/elasticsearch';
import { JaegerSource } from '../../../src/sources/jaeger';
import { TempoSource } from '../../../src/sources/tempo';
import { GrafanaSource } from '../../../src/sources/grafana';
import { createSource } from '../../../src/sources/registry';
import { silentLogger } from '../../../src/core/logger';
import { sendJson, startLocalServer, type LocalServer } from './localServer';

const start = Date.parse('2023-11-14T22:00:00Z');
const end = Date.parse('2023-11-14T22:30:00Z');

describe('sources against documented response formats (no such servers available here)', () => {
  let server: LocalServer;
  beforeEach(async () => {
    server = await startLocalServer((_req, res) => sendJson(res, {}, 500));
  });
  afterEach(async () => {
    await server.close();
  });

  describe('LokiSource', () => {
    const lokiBody = {
      status: 'success',
      data: {
        resultType: 'streams',
        result: [
          {
            stream: { service_name: 'checkout', level: 'error', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' },
            values: [
              ['1700000400123456789', 'payment failed: card declined'],
              ['1700000100000000000', 'payment failed: timeout'],
            ],
          },
          {
            stream: { service_name: 'checkout' },
            values: [['1700000200000000000', 'ts=2023-11-14T22:10:00Z level=warn msg="retrying payment"']],
          },
        ],
        stats: { summary: { bytesProcessedPerSecond: 1, linesProcessedPerSecond: 1, totalBytesProcessed: 1, totalLinesProcessed: 3, execTime: 0.001 } },
      },
    };

    it("against Loki's documented query_range response (no Loki server available here): window in ns, limit, direction, escaped substring", async () => {
      server.setHandler((_req, res) => sendJson(res, lokiBody));
      const loki = new LokiSource({ name: 'loki', url: server.url });
      const logs = await loki.queryLogs({ query: 'payment "failed"', service: 'checkout', start, end, limit: 50 });
      const req = server.requests[0];
      assert.equal(req.path, '/loki/api/v1/query_range');
      assert.equal(req.query.get('query'), '{service_name="checkout"} |= "payment \\"failed\\""');
      assert.equal(req.query.get('start'), `${start}000000`);
      assert.equal(req.query.get('end'), `${end}000000`);
      assert.equal(req.query.get('limit'), '50');
      assert.equal(req.query.get('direction'), 'backward');

      assert.deepEqual(logs.map((l) => l.body), ['payment failed: card declined', 'ts=2023-11-14T22:10:00Z level=warn msg="retrying payment"', 'payment failed: timeout']);
      assert.equal(logs[0].time, 1700000400123.4568);
      assert.equal(logs[0].level, 'error', 'from the stream label');
      assert.equal(logs[1].level, 'warn', 'from level= in the line');
      assert.equal(logs[0].service, 'checkout');
      assert.equal(logs[0].traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    });

    it("against Loki's documented response (no Loki server available here): LogQL passes as is and the result is cut to the limit", async () => {
      server.setHandler((_req, res) => sendJson(res, lokiBody));
      const loki = new LokiSource({ name: 'loki', url: server.url });
      const logs = await loki.queryLogs({ query: '{app="x"} |= "a"', start, end, limit: 2 });
      assert.equal(server.requests[0].query.get('query'), '{app="x"} |= "a"');
      assert.equal(logs.length, 2);
    });

    it("against Loki's documented matrix response (no Loki server available here): a metric query is refused with advice", async () => {
      server.setHandler((_req, res) => sendJson(res, { status: 'success', data: { resultType: 'matrix', result: [] } }));
      const loki = new LokiSource({ name: 'loki', url: server.url });
      await assert.rejects(loki.queryLogs({ query: 'rate({app="x"}[1m])', start, end, limit: 10 }), (e: unknown) => e instanceof SourceError && e.kind === 'client' && /log query/.test(e.message));
    });
  });

  describe('ElasticsearchSource', () => {
    const esBody = {
      took: 5,
      timed_out: false,
      _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
      hits: {
        total: { value: 2, relation: 'eq' },
        max_score: null,
        hits: [
          {
            _index: '.ds-logs-checkout-2023.11.14-000001',
            _id: 'a1',
            _score: null,
            _source: { '@timestamp': '2023-11-14T22:13:20.123Z', message: 'payment failed: card declined', log: { level: 'ERROR' }, service: { name: 'checkout' }, trace: { id: 'abc123' }, host: { name: 'web-1' } },
            sort: [1700000000123],
          },
          {
            _index: '.ds-logs-checkout-2023.11.14-000001',
            _id: 'a2',
            _score: null,
            _source: { '@timestamp': '2023-11-14T22:10:00.000Z', message: 'retrying payment', 'log.level': 'warning', 'service.name': 'checkout', attempt: 2 },
            sort: [1699999800000],
          },
        ],
      },
    };

    it("against Elasticsearch's documented _search response (no Elasticsearch server available here): range, query_string, size and sort are sent", async () => {
      server.setHandler((_req, res) => sendJson(res, esBody));
      const es = new ElasticsearchSource({ name: 'es', url: server.url, index: 'logs-*' });
      const logs = await es.queryLogs({ query: 'message:payment AND NOT debug', service: 'checkout', start, end, limit: 25 });
      const req = server.requests[0];
      assert.equal(req.method, 'POST');
      assert.equal(req.path, '/logs-*/_search');
      const body = JSON.parse(req.body);
      assert.equal(body.size, 25);
      assert.deepEqual(body.sort, [{ '@timestamp': { order: 'desc' } }]);
      assert.deepEqual(body.query.bool.filter[0], { range: { '@timestamp': { gte: start, lte: end, format: 'epoch_millis' } } });
      assert.equal(body.query.bool.filter[1].query_string.query, 'message:payment AND NOT debug');
      assert.deepEqual(body.query.bool.filter[2], { term: { 'service.name': 'checkout' } });

      assert.equal(logs.length, 2);
      assert.deepEqual(
        logs.map((l) => [l.time, l.body, l.level, l.service]),
        [
          [Date.parse('2023-11-14T22:13:20.123Z'), 'payment failed: card declined', 'error', 'checkout'],
          [Date.parse('2023-11-14T22:10:00.000Z'), 'retrying payment', 'warn', 'checkout'],
        ],
      );
      assert.equal(logs[0].traceId, 'abc123');
      assert.equal(logs[1].attributes?.attempt, 2);
    });

    it("against OpenSearch's documented _search response (no OpenSearch server available here): configured field names are used", async () => {
      server.setHandler((_req, res) =>
        sendJson(res, { took: 1, timed_out: false, hits: { total: { value: 1, relation: 'eq' }, hits: [{ _index: 'app-logs', _id: 'x', _source: { ts: 1700000000000, msg: 'disk full', sev: 'CRIT', svc: 'storage' } }] } }),
      );
      const os = new ElasticsearchSource({ name: 'os', kind: 'opensearch', url: server.url, index: 'app-logs', fields: { time: 'ts', message: 'msg', level: 'sev', service: 'svc' } });
      const logs = await os.queryLogs({ query: '', start, end, limit: 10 });
      const body = JSON.parse(server.requests[0].body);
      assert.ok(body.query.bool.filter[0].range.ts, 'range on the configured time field');
      assert.equal(body.query.bool.filter.length, 1, 'no query_string for an empty query');
      assert.deepEqual(logs.map((l) => [l.time, l.body, l.level, l.service]), [[1700000000000, 'disk full', 'fatal', 'storage']]);
      assert.equal(os.kind, 'opensearch');
    });

    it("against Elasticsearch's documented error body (no Elasticsearch server available here): a bad query_string says why", async () => {
      server.setHandler((_req, res) =>
        sendJson(res, { error: { root_cause: [{ type: 'query_shard_exception', reason: 'Failed to parse query [a/b]' }], type: 'search_phase_execution_exception', reason: 'all shards failed' }, status: 400 }, 400),
      );
      const es = new ElasticsearchSource({ name: 'es', url: server.url });
      await assert.rejects(es.queryLogs({ query: 'a/b', start, end, limit: 10 }), (e: unknown) => e instanceof SourceError && e.kind === 'client' && /Failed to parse query/.test(e.message));
    });

    it('refuses an index pattern that would change the request path', () => {
      assert.throws(() => new ElasticsearchSource({ name: 'es', url: server.url, index: '../_cluster' }), (e: unknown) => e instanceof SourceError && e.kind === 'config');
    });
  });

  describe('JaegerSource', () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const jaegerTrace = {
      traceID: traceId,
      spans: [
        {
          traceID: traceId,
          spanID: '00f067aa0ba902b7',
          flags: 1,
          operationName: 'POST /checkout',
          references: [],
          startTime: 1700000000000000,
          duration: 250000,
          tags: [
            { key: 'span.kind', type: 'string', value: 'server' },
            { key: 'http.status_code', type: 'int64', value: 500 },
            { key: 'otel.status_code', type: 'string', value: 'ERROR' },
            { key: 'otel.status_description', type: 'string', value: 'payment failed' },
          ],
          logs: [],
          processID: 'p1',
          warnings: null,
        },
        {
          traceID: traceId,
          spanID: '53995c3f42cd8ad8',
          flags: 1,
          operationName: 'charge',
          references: [{ refType: 'CHILD_OF', traceID: traceId, spanID: '00f067aa0ba902b7' }],
          startTime: 1700000000050000,
          duration: 180000,
          tags: [
            { key: 'span.kind', type: 'string', value: 'client' },
            { key: 'error', type: 'bool', value: true },
          ],
          logs: [{ timestamp: 1700000000200000, fields: [{ key: 'event', type: 'string', value: 'exception' }, { key: 'exception.message', type: 'string', value: 'card declined' }] }],
          processID: 'p2',
          warnings: null,
        },
      ],
      processes: { p1: { serviceName: 'frontend', tags: [{ key: 'hostname', type: 'string', value: 'web-1' }] }, p2: { serviceName: 'payments', tags: [] } },
      warnings: null,
    };

    it("against Jaeger's documented /api/traces response (no Jaeger server available here): service, window in µs, limit, minDuration and tags are sent", async () => {
      server.setHandler((_req, res) => sendJson(res, { data: [jaegerTrace], total: 0, limit: 0, offset: 0, errors: null }));
      const jaeger = new JaegerSource({ name: 'jaeger', url: server.url });
      const traces = await jaeger.searchTraces({ service: 'frontend', start, end, limit: 20, minDurationMs: 100, errorsOnly: true, query: 'http.method=POST' });
      const q = server.requests[0].query;
      assert.equal(server.requests[0].path, '/api/traces');
      assert.equal(q.get('service'), 'frontend');
      assert.equal(q.get('start'), String(start * 1000));
      assert.equal(q.get('end'), String(end * 1000));
      assert.equal(q.get('limit'), '20');
      assert.equal(q.get('minDuration'), '100ms');
      assert.deepEqual(JSON.parse(q.get('tags')!), { 'http.method': 'POST', error: 'true' });
      assert.deepEqual(traces, [{ traceId, rootService: 'frontend', rootName: 'POST /checkout', startTime: 1700000000000, durationMs: 250, spanCount: 2, errorCount: 2 }]);
    });

    it("against Jaeger's documented /api/traces/{id} response (no Jaeger server available here): spans in ms with parents, services, status and events", async () => {
      server.setHandler((_req, res) => sendJson(res, { data: [jaegerTrace], total: 0, limit: 0, offset: 0, errors: null }));
      const jaeger = new JaegerSource({ name: 'jaeger', url: server.url });
      const spans = await jaeger.getTrace(traceId);
      assert.equal(server.requests[0].path, `/api/traces/${traceId}`);
      const [root, child] = spans;
      assert.equal(root.service, 'frontend');
      assert.equal(root.kind, 'server');
      assert.equal(root.status, 'error');
      assert.equal(root.statusMessage, 'payment failed');
      assert.equal(root.startTime, 1700000000000);
      assert.equal(root.endTime, 1700000000250);
      assert.equal(root.parentSpanId, undefined);
      assert.equal(child.parentSpanId, '00f067aa0ba902b7');
      assert.equal(child.service, 'payments');
      assert.equal(child.status, 'error', 'from the error=true tag');
      assert.deepEqual(child.events?.[0], { name: 'exception', time: 1700000000200, attributes: { event: 'exception', 'exception.message': 'card declined' } });
    });

    it("against Jaeger's documented not-found body (no Jaeger server available here): a clear not-found error", async () => {
      server.setHandler((_req, res) => sendJson(res, { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 404, msg: 'trace not found' }] }, 404));
      const jaeger = new JaegerSource({ name: 'jaeger', url: server.url });
      await assert.rejects(jaeger.getTrace('abcdef0123456789'), (e: unknown) => e instanceof SourceError && e.kind === 'not-found' && /trace not found/.test(e.message));
      await assert.rejects(jaeger.getTrace('../api/services'), (e: unknown) => e instanceof SourceError && e.kind === 'client');
      assert.equal(server.requests.length, 1, 'a bad trace id never reaches the server');
    });

    it('Jaeger needs a service to search, and says so', async () => {
      const jaeger = new JaegerSource({ name: 'jaeger', url: server.url });
      await assert.rejects(jaeger.searchTraces({ start, end, limit: 5 }), (e: unknown) => e instanceof SourceError && /service name/.test(e.message));
    });
  });

  describe('TempoSource', () => {
    const traceId = '2f3e0cee77ae5dc9c17ade3689eb2e54';
    const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

    it("against Tempo's documented /api/search response (no Tempo server available here): TraceQL, window in seconds and limit are sent", async () => {
      server.setHandler((_req, res) =>
        sendJson(res, {
          traces: [
            {
              // Tempo drops leading zeros from search result ids.
              traceID: '3e0cee77ae5dc9c17ade3689eb2e54',
              rootServiceName: 'frontend',
              rootTraceName: 'POST /checkout',
              startTimeUnixNano: '1700000000000000000',
              durationMs: 250,
              spanSet: { spans: [{ spanID: '00f067aa0ba902b7', startTimeUnixNano: '1700000000000000000', durationNanos: '250000000' }], matched: 1 },
              spanSets: [{ spans: [{ spanID: '00f067aa0ba902b7', startTimeUnixNano: '1700000000000000000', durationNanos: '250000000' }], matched: 1 }],
            },
            { traceID: traceId, rootServiceName: '<root span not yet received>', startTimeUnixNano: '1700000001000000000' },
          ],
          metrics: { inspectedBytes: '1234', completedJobs: 1, totalJobs: 1 },
        }),
      );
      const tempo = new TempoSource({ name: 'tempo', url: server.url });
      const traces = await tempo.searchTraces({ service: 'frontend', errorsOnly: true, minDurationMs: 100, start, end, limit: 20 });
      const q = server.requests[0].query;
      assert.equal(server.requests[0].path, '/api/search');
      assert.equal(q.get('q'), '{ resource.service.name = "frontend" && status = error && duration >= 100ms }');
      assert.equal(q.get('start'), String(start / 1000));
      assert.equal(q.get('end'), String(end / 1000));
      assert.equal(q.get('limit'), '20');
      assert.equal(traces[0].traceId, '003e0cee77ae5dc9c17ade3689eb2e54');
      assert.equal(traces[0].rootService, 'frontend');
      assert.equal(traces[0].startTime, 1700000000000);
      assert.equal(traces[0].durationMs, 250);
      assert.equal(traces[0].errorCount, 1);
      assert.equal(traces[1].durationMs, 0, 'Tempo omits durationMs under 1 ms');
    });

    it("against Tempo's documented /api/traces/{id} OTLP response (no Tempo server available here): base64 ids, kinds, status and events", async () => {
      server.setHandler((_req, res) =>
        sendJson(res, {
          batches: [
            {
              resource: { attributes: [{ key: 'service.name', value: { stringValue: 'frontend' } }] },
              scopeSpans: [
                {
                  scope: { name: 'checkout-instrumentation' },
                  spans: [
                    {
                      traceId: b64(traceId),
                      spanId: b64('00f067aa0ba902b7'),
                      name: 'POST /checkout',
                      kind: 'SPAN_KIND_SERVER',
                      startTimeUnixNano: '1700000000000000000',
                      endTimeUnixNano: '1700000000250000000',
                      attributes: [
                        { key: 'http.status_code', value: { intValue: '500' } },
                        { key: 'http.route', value: { stringValue: '/checkout' } },
                      ],
                      status: { code: 'STATUS_CODE_ERROR', message: 'payment failed' },
                      events: [{ timeUnixNano: '1700000000200000000', name: 'exception', attributes: [{ key: 'exception.message', value: { stringValue: 'card declined' } }] }],
                    },
                  ],
                },
              ],
            },
            {
              resource: { attributes: [{ key: 'service.name', value: { stringValue: 'payments' } }] },
              instrumentationLibrarySpans: [
                { spans: [{ traceId: b64(traceId), spanId: b64('53995c3f42cd8ad8'), parentSpanId: b64('00f067aa0ba902b7'), name: 'charge', kind: 3, startTimeUnixNano: '1700000000050000000', endTimeUnixNano: '1700000000230000000', status: {} }] },
              ],
            },
          ],
        }),
      );
      const tempo = new TempoSource({ name: 'tempo', url: server.url });
      const spans = await tempo.getTrace(traceId);
      assert.equal(server.requests[0].path, `/api/traces/${traceId}`);
      assert.equal(spans.length, 2);
      const [root, child] = spans;
      assert.equal(root.traceId, traceId);
      assert.equal(root.spanId, '00f067aa0ba902b7');
      assert.equal(root.kind, 'server');
      assert.equal(root.status, 'error');
      assert.equal(root.statusMessage, 'payment failed');
      assert.equal(root.attributes['http.status_code'], 500);
      assert.equal(root.endTime - root.startTime, 250);
      assert.equal(root.events?.[0].time, 1700000000200);
      assert.equal(child.parentSpanId, '00f067aa0ba902b7');
      assert.equal(child.service, 'payments');
      assert.equal(child.kind, 'client');
      assert.equal(child.status, 'unset');
    });

    it('passes TraceQL through as written', async () => {
      server.setHandler((_req, res) => sendJson(res, { traces: [] }));
      const tempo = new TempoSource({ name: 'tempo', url: server.url });
      assert.deepEqual(await tempo.searchTraces({ query: '{ span.http.status_code >= 500 }', start, end, limit: 5 }), []);
      assert.equal(server.requests[0].query.get('q'), '{ span.http.status_code >= 500 }');
      assert.equal(server.requests[0].query.get('limit'), '5');
    });
  });

  describe('GrafanaSource', () => {
    it("against Grafana's documented Alertmanager-compatible API (no Grafana server available here): path prefix and service-account token", async () => {
      server.setHandler((req, res) => {
        if (req.headers.authorization !== 'Bearer glsa_test_token') return sendJson(res, { message: 'Unauthorized' }, 401);
        if (req.path !== '/grafana/api/alertmanager/grafana/api/v2/alerts') return sendJson(res, { message: 'Not found' }, 404);
        sendJson(res, [
          {
            annotations: { summary: 'High CPU on db-1' },
            endsAt: '2099-01-01T00:00:00Z',
            fingerprint: 'bc97ff14869b13e3',
            receivers: [{ name: 'grafana-default-email' }],
            startsAt: '2023-11-14T22:00:00Z',
            status: { inhibitedBy: [], silencedBy: [], state: 'active' },
            updatedAt: '2023-11-14T22:00:10Z',
            generatorURL: 'http://grafana.local/alerting/grafana/d1rdpdv7k/view',
            labels: { __alert_rule_uid__: 'd1rdpdv7k', alertname: 'High CPU usage', grafana_folder: 'DB', severity: 'warn', app: 'postgres', namespace: 'prod' },
          },
        ]);
      });
      const secrets: Record<string, string> = {};
      const created = createSource({ name: 'grafana', kind: 'grafana', url: `${server.url}/grafana` }, async (n) => secrets[n], silentLogger);
      await assert.rejects(created.alerts!.listAlerts(), (e: unknown) => e instanceof SourceError && e.kind === 'auth' && /no token or password is set/.test(e.message));
      secrets.grafana = 'glsa_test_token';
      const alerts = await created.alerts!.listAlerts();
      assert.equal(alerts.length, 1);
      const a = alerts[0];
      assert.deepEqual([a.id, a.name, a.state, a.severity, a.service, a.environment, a.sourceKind], ['bc97ff14869b13e3', 'High CPU usage', 'firing', 'warning', 'postgres', 'prod', 'grafana']);
      assert.equal(created.alerts!.uiLink?.(a), 'http://grafana.local/alerting/grafana/d1rdpdv7k/view');
      assert.ok(created.silences, 'Grafana offers silences');
      // The alert rules are read beside the alerts (grafanaRules.test.ts); here the alerts request counts.
      const q = server.requests.filter((r) => r.path.endsWith('/api/v2/alerts')).at(-1)!.query;
      assert.deepEqual([q.get('active'), q.get('silenced'), q.get('inhibited')], ['true', 'true', 'true']);
    });

    it('new GrafanaSource expires a silence through the Grafana path', async () => {
      server.setHandler((_req, res) => {
        res.writeHead(200);
        res.end();
      });
      const g = new GrafanaSource({ name: 'g', url: server.url });
      await g.expireSilence('5c6c8a5e-8f2a-4b4e-9b57-0f4b3a1f0d11');
      assert.equal(server.requests[0].method, 'DELETE');
      assert.equal(server.requests[0].path, '/api/alertmanager/grafana/api/v2/silence/5c6c8a5e-8f2a-4b4e-9b57-0f4b3a1f0d11');
    });
  });
});
