'use strict';
// Telemetry for every shop service in one place: OpenTelemetry traces, metrics and logs exported
// over OTLP/HTTP, plus the same request numbers in Prometheus text format for /metrics. Runtime
// metrics (memory, CPU, event-loop delay) follow the OpenTelemetry semantic conventions over OTLP and
// prom-client's default names on /metrics, so the usual dashboards and alert rules work on both.
const path = require('node:path');
const v8 = require('node:v8');
const { monitorEventLoopDelay } = require('node:perf_hooks');
const api = require('@opentelemetry/api');
const { SeverityNumber } = require('@opentelemetry/api-logs');
const { W3CTraceContextPropagator } = require('@opentelemetry/core');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { NodeTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-node');
const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');
const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-http');
const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-http');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg');

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
// Stack frames are reported relative to the release root, which makes them repository paths.
const RELEASE_ROOT = process.env.RELEASE_ROOT || path.resolve(__dirname, '..');
// Short intervals: an incident should be visible within seconds, not a minute.
const EXPORT_INTERVAL_MS = Number(process.env.OTEL_EXPORT_INTERVAL_MS || 1000);

const SEVERITIES = {
  info: [SeverityNumber.INFO, 'INFO'],
  warn: [SeverityNumber.WARN, 'WARN'],
  error: [SeverityNumber.ERROR, 'ERROR'],
};

function createTelemetry(serviceName) {
  const endpoint = (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || 'http://127.0.0.1:4318').replace(/\/+$/, '');
  const resource = resourceFromAttributes({
    'service.name': serviceName,
    'service.version': process.env.SERVICE_VERSION || 'dev',
    'service.instance.id': `${serviceName}-${process.pid}`,
    'deployment.environment.name': process.env.DEPLOYMENT_ENVIRONMENT || 'production',
  });

  const tracerProvider = new NodeTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }), { scheduledDelayMillis: EXPORT_INTERVAL_MS })],
  });
  tracerProvider.register({ propagator: new W3CTraceContextPropagator() });
  // Database calls get client spans from the pg instrumentation; it patches pg when a service loads it.
  registerInstrumentations({ tracerProvider, instrumentations: [new PgInstrumentation()] });
  const meterProvider = new MeterProvider({
    resource,
    readers: [new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: `${endpoint}/v1/metrics` }),
      exportIntervalMillis: Math.max(EXPORT_INTERVAL_MS, 1000),
      exportTimeoutMillis: Math.max(EXPORT_INTERVAL_MS, 1000),
    })],
  });
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [new BatchLogRecordProcessor(new OTLPLogExporter({ url: `${endpoint}/v1/logs` }), { scheduledDelayMillis: EXPORT_INTERVAL_MS })],
  });

  const tracer = tracerProvider.getTracer('shop', '1.0.0');
  const meter = meterProvider.getMeter('shop', '1.0.0');
  const otelLogger = loggerProvider.getLogger('shop', '1.0.0');
  const requestCounter = meter.createCounter('http.server.requests', { description: 'Requests served', unit: '{request}' });
  const errorCounter = meter.createCounter('http.server.errors', { description: 'Requests answered with a 5xx status', unit: '{request}' });
  const durationHistogram = meter.createHistogram('http.server.request.duration', {
    description: 'Duration of HTTP server requests',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  const prometheus = createPrometheusRegistry(serviceName);
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  observeRuntime(meter, loopDelay);

  function recordRequest({ method, route, status, seconds }) {
    const attributes = { 'http.request.method': method, 'http.route': route, 'http.response.status_code': status };
    requestCounter.add(1, attributes);
    if (status >= 500) errorCounter.add(1, attributes);
    durationHistogram.record(seconds, attributes);
    prometheus.observe(route, status, seconds);
  }

  function log(level, message, attributes = {}) {
    const [severityNumber, severityText] = SEVERITIES[level] || SEVERITIES.info;
    otelLogger.emit({ severityNumber, severityText, body: message, attributes, context: api.context.active() });
    const spanContext = api.trace.getSpanContext(api.context.active());
    const line = { time: new Date().toISOString(), level, service: serviceName, message, traceId: spanContext && spanContext.traceId };
    process.stdout.write(JSON.stringify(line) + '\n');
  }

  // Everything an investigator needs to go from a failing request to the line that threw.
  function exceptionAttributes(err) {
    const attributes = {
      'exception.type': (err && err.name) || 'Error',
      'exception.message': String((err && err.message) || err),
      'exception.stacktrace': String((err && err.stack) || err),
    };
    const location = codeLocation(err);
    if (location) {
      attributes['code.filepath'] = location.filepath;
      attributes['code.function'] = location.function;
      attributes['code.lineno'] = location.lineno;
      // The same location under the current semantic-convention names.
      attributes['code.file.path'] = location.filepath;
      attributes['code.function.name'] = location.function;
      attributes['code.line.number'] = location.lineno;
    }
    return attributes;
  }

  function recordError(span, err) {
    const attributes = exceptionAttributes(err);
    span.addEvent('exception', attributes);
    span.setAttribute('error.type', attributes['exception.type']);
    for (const key of ['code.filepath', 'code.function', 'code.lineno']) {
      if (attributes[key] !== undefined) span.setAttribute(key, attributes[key]);
    }
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: attributes['exception.message'] });
    return attributes;
  }

  async function shutdown() {
    await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown(), loggerProvider.shutdown()]);
  }

  return { serviceName, tracer, meter, log, recordRequest, recordError, exceptionAttributes, prometheusText: () => prometheus.text() + runtimePrometheusText(serviceName, loopDelay), shutdown };
}

// The first stack frame that belongs to our code (not node: internals, not node_modules).
function codeLocation(err) {
  const stack = err && typeof err.stack === 'string' ? err.stack : '';
  for (const line of stack.split('\n').slice(1)) {
    const match = /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
    if (!match || match[2].startsWith('node:') || match[2].includes('node_modules')) continue;
    const file = match[2].replace(/^file:\/\//, '');
    const relative = path.relative(RELEASE_ROOT, file);
    return {
      filepath: relative.startsWith('..') ? file : relative.split(path.sep).join('/'),
      function: (match[1] || '<anonymous>').replace(/^async /, ''),
      lineno: Number(match[3]),
    };
  }
  return undefined;
}

function observeRuntime(meter, loopDelay) {
  meter.createObservableUpDownCounter('process.memory.usage', { description: 'The amount of physical memory in use.', unit: 'By' })
    .addCallback((result) => result.observe(process.memoryUsage.rss()));
  meter.createObservableCounter('process.cpu.time', { description: 'Total CPU seconds broken down by different CPU modes.', unit: 's' })
    .addCallback((result) => {
      const usage = process.cpuUsage();
      result.observe(usage.user / 1e6, { 'cpu.mode': 'user' });
      result.observe(usage.system / 1e6, { 'cpu.mode': 'system' });
    });
  meter.createObservableGauge('v8js.memory.heap.used', { description: 'Heap memory size in use.', unit: 'By' })
    .addCallback((result) => {
      for (const space of v8.getHeapSpaceStatistics()) result.observe(space.space_used_size, { 'v8js.heap.space.name': space.space_name });
    });
  meter.createObservableGauge('nodejs.eventloop.delay.p99', { description: 'Event loop 99th percentile delay.', unit: 's' })
    .addCallback((result) => result.observe(loopDelay.percentile(99) / 1e9));
}

// The process metrics prom-client's collectDefaultMetrics() exposes, under its names.
function runtimePrometheusText(service, loopDelay) {
  const usage = process.cpuUsage();
  const labels = formatLabels({ service });
  return [
    '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.', '# TYPE process_cpu_seconds_total counter',
    `process_cpu_seconds_total${labels} ${(usage.user + usage.system) / 1e6}`,
    '# HELP process_resident_memory_bytes Resident memory size in bytes.', '# TYPE process_resident_memory_bytes gauge',
    `process_resident_memory_bytes${labels} ${process.memoryUsage.rss()}`,
    '# HELP nodejs_heap_size_used_bytes Process heap size used from Node.js in bytes.', '# TYPE nodejs_heap_size_used_bytes gauge',
    `nodejs_heap_size_used_bytes${labels} ${process.memoryUsage().heapUsed}`,
    '# HELP nodejs_eventloop_lag_p99_seconds The 99th percentile of the recorded event loop delays.', '# TYPE nodejs_eventloop_lag_p99_seconds gauge',
    `nodejs_eventloop_lag_p99_seconds${labels} ${loopDelay.percentile(99) / 1e9}`,
  ].join('\n') + '\n';
}

function createPrometheusRegistry(service) {
  const requests = new Map();
  const errors = new Map();
  const durations = new Map();

  function observe(route, status, seconds) {
    const labels = { service, route, status: String(status) };
    const key = JSON.stringify(labels);
    bump(requests, key, labels);
    if (status >= 500) bump(errors, key, labels);
    let histogram = durations.get(key);
    if (!histogram) {
      histogram = { labels, buckets: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 };
      durations.set(key, histogram);
    }
    DURATION_BUCKETS.forEach((bound, i) => { if (seconds <= bound) histogram.buckets[i] += 1; });
    histogram.sum += seconds;
    histogram.count += 1;
  }

  function text() {
    const out = [];
    out.push('# HELP http_server_requests_total Requests served.', '# TYPE http_server_requests_total counter');
    for (const { labels, value } of requests.values()) out.push(`http_server_requests_total${formatLabels(labels)} ${value}`);
    out.push('# HELP http_server_errors_total Requests answered with a 5xx status.', '# TYPE http_server_errors_total counter');
    for (const { labels, value } of errors.values()) out.push(`http_server_errors_total${formatLabels(labels)} ${value}`);
    out.push('# HELP http_server_request_duration_seconds Duration of HTTP server requests.', '# TYPE http_server_request_duration_seconds histogram');
    for (const h of durations.values()) {
      DURATION_BUCKETS.forEach((bound, i) => out.push(`http_server_request_duration_seconds_bucket${formatLabels({ ...h.labels, le: String(bound) })} ${h.buckets[i]}`));
      out.push(`http_server_request_duration_seconds_bucket${formatLabels({ ...h.labels, le: '+Inf' })} ${h.count}`);
      out.push(`http_server_request_duration_seconds_sum${formatLabels(h.labels)} ${h.sum}`);
      out.push(`http_server_request_duration_seconds_count${formatLabels(h.labels)} ${h.count}`);
    }
    return out.join('\n') + '\n';
  }

  return { observe, text };
}

function bump(map, key, labels) {
  const entry = map.get(key);
  if (entry) entry.value += 1;
  else map.set(key, { labels, value: 1 });
}

function formatLabels(labels) {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return `{${parts.join(',')}}`;
}

module.exports = { createTelemetry };
