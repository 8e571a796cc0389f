import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { decodeLogsJson, decodeMetricsJson, decodeTracesJson } from '../../../src/sources/otlp/otlpJson';
import { decodeLogsProto, decodeMetricsProto, decodeTracesProto } from '../../../src/sources/otlp/otlpProto';
import { OtlpDecodeError } from '../../../src/sources/otlp/decode';
import { ProtoWriter } from '../../../src/sources/otlp/protobuf';

const examples = path.resolve(__dirname, '../../../../shared/data/otlp-examples/examples');
const read = (name: string) => fs.readFileSync(path.join(examples, name));

describe('OTLP decoders', () => {
  describe('on the official OTLP/JSON examples (../shared/data/otlp-examples)', () => {
    before(function () {
      // The fixtures live in the shared data folder beside the project; without it these say so and skip.
      if (!fs.existsSync(examples)) this.skip();
  });

  it('decodes the official trace example', () => {
    const { spans, rejected } = decodeTracesJson(read('trace.json'));
    assert.equal(rejected, 0);
    assert.equal(spans.length, 1);
    const s = spans[0];
    assert.equal(s.traceId, '5b8efff798038103d269b633813fc60c');
    assert.equal(s.spanId, 'eee19b7ec3c1b174');
    assert.equal(s.parentSpanId, 'eee19b7ec3c1b173');
    assert.equal(s.service, 'my.service');
    assert.equal(s.kind, 'server');
    assert.equal(s.name, "I'm a server span");
    assert.equal(s.endTime - s.startTime, 1000);
    assert.equal(s.startTime, 1544712660000);
    assert.equal(s.attributes['my.span.attr'], 'some value');
    assert.equal(s.scope, 'my.library');
  });

  it('decodes the official metrics example: sum, gauge, histogram and exponential histogram', () => {
    const { points, rejected } = decodeMetricsJson(read('metrics.json'));
    assert.equal(rejected, 0);
    const byName = new Map(points.map((p) => [p.name, p]));
    assert.equal(byName.get('my.counter')?.value, 5);
    assert.equal(byName.get('my.counter')?.kind, 'sum');
    assert.equal(byName.get('my.counter')?.temporality, 'delta');
    assert.equal(byName.get('my.counter')?.monotonic, true);
    assert.equal(byName.get('my.gauge')?.value, 10);
    const h = byName.get('my.histogram')?.histogram;
    assert.deepEqual(h && { count: h.count, sum: h.sum, bounds: h.bounds, counts: h.counts, min: h.min, max: h.max }, { count: 2, sum: 2, bounds: [1], counts: [1, 1], min: 0, max: 2 });
    const e = byName.get('my.exponential.histogram')?.histogram;
    assert.ok(e);
    assert.equal(e.count, 3);
    // zero bucket (1), then scale-0 buckets (2,4] with 0 and (4,8] with 2.
    assert.deepEqual(e.counts.slice(0, 3), [1, 0, 2]);
    assert.deepEqual(e.bounds, [0, 4, 8]);
    assert.ok(points.every((p) => p.service === 'my.service' && p.time === 1544712660300));
  });

  it('decodes the official logs and events examples', () => {
    const { logs } = decodeLogsJson(read('logs.json'));
    assert.equal(logs.length, 1);
    const l = logs[0];
    assert.equal(l.body, 'Example log record');
    assert.equal(l.level, 'info');
    assert.equal(l.service, 'my.service');
    assert.equal(l.traceId, '5b8efff798038103d269b633813fc60c');
    assert.equal(l.attributes?.['int.attribute'], 10);
    assert.equal(l.attributes?.['boolean.attribute'], true);
    assert.equal(l.attributes?.['double.attribute'], 637.704);
    assert.deepEqual(JSON.parse(String(l.attributes?.['array.attribute'])), ['many', 'values']);
    const events = decodeLogsJson(read('events.json')).logs;
    assert.equal(events[0].attributes?.['event.name'], 'browser.page_view');
    assert.equal(JSON.parse(events[0].body).title, 'Free Online GUID Generator');
  });

  });

  it('gives the same spans from protobuf as from JSON for what the OpenTelemetry SDK serializes', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'checkout', 'deployment.environment': 'prod' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('test');
    const parent = tracer.startSpan('POST /pay', { kind: SpanKind.SERVER, attributes: { 'http.route': '/pay', 'http.response.status_code': 502, ratio: 0.25, tags: ['a', 'b'], ok: false } });
    const child = tracer.startSpan('charge ñandú 💳', { kind: SpanKind.CLIENT, links: [{ context: parent.spanContext(), attributes: { why: 'retry' } }] }, trace.setSpan(ROOT_CONTEXT, parent));
    child.addEvent('exception', { 'exception.message': 'card expired', 'exception.type': 'CardError' });
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'card expired' });
    child.end();
    parent.end();
    const finished = exporter.getFinishedSpans();
    const fromProto = decodeTracesProto(ProtobufTraceSerializer.serializeRequest(finished)!);
    const fromJson = decodeTracesJson(JsonTraceSerializer.serializeRequest(finished)!);
    assert.equal(fromProto.spans.length, 2);
    assert.deepEqual(fromProto, fromJson);
    const c = fromProto.spans.find((s) => s.kind === 'client')!;
    const p = fromProto.spans.find((s) => s.kind === 'server')!;
    assert.equal(c.name, 'charge ñandú 💳');
    assert.equal(c.parentSpanId, p.spanId);
    assert.equal(c.status, 'error');
    assert.equal(c.statusMessage, 'card expired');
    assert.equal(c.events?.[0].attributes?.['exception.type'], 'CardError');
    assert.equal(c.links?.[0].spanId, p.spanId);
    assert.equal(p.attributes['http.response.status_code'], 502);
    assert.equal(p.attributes.ratio, 0.25);
    assert.equal(p.attributes.ok, false);
    assert.equal(p.attributes.tags, '["a","b"]');
    assert.equal(p.resource?.['deployment.environment'], 'prod');
  });

  it('rejects spans with invalid ids as a partial success, keeping the rest', () => {
    const body = JSON.stringify({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'good' },
                { traceId: '00000000000000000000000000000000', spanId: 'b7ad6b7169203331', name: 'zero trace id' },
                { traceId: 'not hex', spanId: 'b7ad6b7169203331', name: 'bad hex' },
              ],
            },
          ],
        },
      ],
    });
    const d = decodeTracesJson(body);
    assert.equal(d.spans.length, 1);
    assert.equal(d.spans[0].service, 'unknown_service');
    assert.equal(d.rejected, 2);
    assert.match(d.errorMessage ?? '', /2 span/);
  });

  it('accepts int64 as numbers or strings and enums as names, and refuses wrong types with the path', () => {
    const ok = decodeTracesJson(
      JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', startTimeUnixNano: 1e15, endTimeUnixNano: '2000000000000000', kind: 'SPAN_KIND_SERVER', status: { code: 2 } }] }] }] }),
    );
    assert.equal(ok.spans[0].startTime, 1e9);
    assert.equal(ok.spans[0].endTime, 2e9);
    assert.equal(ok.spans[0].kind, 'server');
    assert.equal(ok.spans[0].status, 'error');
    assert.throws(() => decodeTracesJson('{"resourceSpans": {"oops": 1}}'), (err: Error) => err instanceof OtlpDecodeError && /resourceSpans/.test(err.message));
    assert.throws(() => decodeTracesJson('{"resourceSpans": [{"scopeSpans": [{"spans": [{"startTimeUnixNano": "soon"}]}]}]}'), /startTimeUnixNano/);
    assert.throws(() => decodeLogsJson('[1,2,3]'), OtlpDecodeError);
    assert.throws(() => decodeMetricsJson('{"resourceMetrics": [ nope'), /invalid JSON/);
  });

  it('turns malformed protobuf into a decode error, never a crash or a hang', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const valid = ProtobufTraceSerializer.serializeRequest(makeSpans())!;
    let errors = 0;
    for (let i = 0; i < 300; i++) {
      const body = i % 3 === 0 ? Uint8Array.from({ length: 1 + Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)) : valid.slice(0, Math.floor(rand() * valid.length));
      if (i % 3 === 2) body[Math.floor(rand() * body.length)] ^= 0xff;
      for (const decode of [decodeTracesProto, decodeMetricsProto, decodeLogsProto]) {
        try {
          decode(body);
        } catch (err) {
          assert.ok(err instanceof OtlpDecodeError, `unexpected ${String(err)}`);
          errors++;
        }
      }
    }
    assert.ok(errors > 100, 'most garbage is refused');
    // A varint that never ends, and a length that runs past the body.
    assert.throws(() => decodeTracesProto(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), OtlpDecodeError);
    assert.throws(() => decodeTracesProto(Uint8Array.from([0x0a, 0x7f, 0x01])), /past/);
  });

  it('skips unknown protobuf fields and reads negative int64 values', () => {
    // ExportMetricsServiceRequest with a gauge whose int value is -5, plus an unknown field 99.
    const timeTag = new ProtoWriter().tag(3, 1).finish();
    const time = Buffer.alloc(8);
    time.writeBigUInt64LE(1_700_000_000_000_000_000n);
    const asInt = Buffer.alloc(8);
    asInt.writeBigInt64LE(-5n);
    const dp = Buffer.concat([Buffer.from(timeTag), time, Buffer.from([(6 << 3) | 1]), asInt, Buffer.from(new ProtoWriter().uint(99, 7).finish())]);
    const metric = new ProtoWriter().string(1, 'temperature');
    const gaugeBody = Buffer.concat([Buffer.from([0x0a, dp.length]), dp]);
    const metricBytes = Buffer.concat([Buffer.from(metric.finish()), Buffer.from([(5 << 3) | 2, gaugeBody.length]), gaugeBody]);
    const scope = Buffer.concat([Buffer.from([(2 << 3) | 2, metricBytes.length]), metricBytes]);
    const rm = Buffer.concat([Buffer.from([(2 << 3) | 2, scope.length]), scope]);
    const req = Buffer.concat([Buffer.from([0x0a, rm.length]), rm]);
    const d = decodeMetricsProto(req);
    assert.equal(d.points.length, 1);
    assert.equal(d.points[0].value, -5);
    assert.equal(d.points[0].name, 'temperature');
    assert.equal(d.points[0].time, 1_700_000_000_000);
  });
});

function makeSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'fuzz' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('fuzz');
  for (let i = 0; i < 5; i++) {
    const s = tracer.startSpan(`op ${i}`, { attributes: { i, name: `value ${i}`, list: [1, 2, 3] } });
    s.addEvent('e', { n: i });
    s.end();
  }
  return exporter.getFinishedSpans();
}
