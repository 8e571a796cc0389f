// Tools over the signal roles: alerts, metrics (PromQL), logs (LogQL or an Elasticsearch query
// string), traces. Queries are pushed down to the sources with bounded windows and limits.
import type { AlertSource } from '../../core/sources';
import { alertShape, fromEach, iso, logShape, pick, seriesShape, spanShape, traceSummaryShape, windowArgs } from './shape';
import { ToolInputError, type AgentTool } from './types';

const timeProps = {
  start: { type: 'string', description: 'Window start: ISO 8601, epoch ms, or relative such as "-30m". Default: the investigation window.' },
  end: { type: 'string', description: 'Window end (same forms). Default: the investigation window.' },
} as const;
const sourceProp = { type: 'string', description: 'Only this configured source (by name). Default: every source of this kind.' } as const;

function allAlerts(sources: AlertSource[], signal?: AbortSignal) {
  return fromEach(sources, (s) => s.listAlerts(signal));
}

export const listAlerts: AgentTool = {
  name: 'list_alerts',
  title: 'List alerts',
  description: 'Lists the current alerts from every alert source (firing first), with their labels. Use it to see what else is firing around the incident.',
  inputSchema: {
    type: 'object',
    properties: {
      state: { type: 'string', enum: ['firing', 'pending', 'silenced', 'resolved'], description: 'Only alerts in this state.' },
      service: { type: 'string', description: 'Only alerts of this service.' },
      limit: { type: 'integer', minimum: 1, maximum: 200, description: 'At most this many (default 50).' },
    },
  },
  async run(args, ctx, signal) {
    const { items, errors } = await allAlerts(pick(ctx.roles.alerts, undefined, 'alert'), signal);
    const rank = { firing: 0, pending: 1, silenced: 2, resolved: 3 } as const;
    const alerts = items
      .filter((a) => (!args.state || a.state === args.state) && (!args.service || (a.service ?? a.labels.service) === args.service))
      .sort((a, b) => rank[a.state] - rank[b.state] || b.startsAt - a.startsAt);
    const limit = Number(args.limit ?? 50);
    return { data: { total: alerts.length, alerts: alerts.slice(0, limit).map(alertShape), ...(errors.length ? { sourceErrors: errors } : {}) } };
  },
};

export const getAlert: AgentTool = {
  name: 'get_alert',
  title: 'Get an alert',
  description: 'One alert by its id: labels, annotations, the rule that fired it (expression, threshold) and when it started.',
  inputSchema: { type: 'object', properties: { id: { type: 'string', maxLength: 256, description: 'The alert id.' } }, required: ['id'] },
  async run(args, ctx, signal) {
    const { items } = await allAlerts(pick(ctx.roles.alerts, undefined, 'alert'), signal);
    const alert = items.find((a) => a.id === args.id);
    if (!alert) throw new ToolInputError(`no alert with id ${JSON.stringify(args.id)}; list_alerts shows the ids`);
    return { data: alertShape(alert) };
  },
};

export const queryMetrics: AgentTool = {
  name: 'query_metrics',
  title: 'Query metrics',
  description:
    'Runs a PromQL range query (Prometheus) or a metric selector such as name{service="checkout"} (the embedded store, saved bundles) over a window. Returns each series with min/max/mean/last and up to 40 sampled points.',
  inputSchema: {
    type: 'object',
    properties: {
      query: { type: 'string', maxLength: 2000, description: 'PromQL, or a metric name with label matchers.' },
      ...timeProps,
      stepSeconds: { type: 'integer', minimum: 1, maximum: 3600, description: 'Resolution (default: about 120 points over the window).' },
      source: sourceProp,
    },
    required: ['query'],
  },
  async run(args, ctx, signal) {
    const w = windowArgs(args, ctx, 2 * 86_400_000);
    const stepSeconds = Number(args.stepSeconds ?? Math.max(15, Math.round((w.end - w.start) / 1000 / 120)));
    const sources = pick(ctx.roles.metrics, args.source, 'metric');
    const { items, errors } = await fromEach(sources, (s) => s.queryRange({ query: String(args.query), start: w.start, end: w.end, stepSeconds, limit: 50 }, signal));
    const notes = sources.map((s) => (s as { lastMetricNote?: string }).lastMetricNote).filter(Boolean);
    return {
      data: { window: { start: iso(w.start), end: iso(w.end) }, stepSeconds, seriesCount: items.length, series: items.map((s) => seriesShape(s)), ...(notes.length ? { note: notes[0] } : {}), ...(errors.length ? { sourceErrors: errors } : {}) },
      narrowHint: 'aggregate the query (sum by, topk) or narrow its label matchers',
    };
  },
};

export const queryLogs: AgentTool = {
  name: 'query_logs',
  title: 'Query logs',
  description:
    'Searches log lines over a window: LogQL for Loki (e.g. {service="payments"} |= "timeout"), a query string for Elasticsearch/OpenSearch (e.g. level:error AND message:timeout), or a plain substring for the embedded store and saved bundles. Newest lines are not guaranteed first; narrow with filters.',
  inputSchema: {
    type: 'object',
    properties: {
      query: { type: 'string', maxLength: 2000, description: 'LogQL, an Elasticsearch query string, or a substring.' },
      service: { type: 'string', description: 'Only lines of this service (where the source supports it).' },
      ...timeProps,
      limit: { type: 'integer', minimum: 1, maximum: 500, description: 'At most this many lines (default 100).' },
      source: sourceProp,
    },
    required: ['query'],
  },
  async run(args, ctx, signal) {
    const w = windowArgs(args, ctx);
    const limit = Number(args.limit ?? 100);
    const { items, errors } = await fromEach(pick(ctx.roles.logs, args.source, 'log'), (s) =>
      s.queryLogs({ query: String(args.query), start: w.start, end: w.end, limit, ...(args.service ? { service: String(args.service) } : {}) }, signal),
    );
    items.sort((a, b) => a.time - b.time);
    return {
      data: { window: { start: iso(w.start), end: iso(w.end) }, count: items.length, lines: items.slice(0, limit).map(logShape), ...(errors.length ? { sourceErrors: errors } : {}) },
      narrowHint: 'add a line filter, a service, a shorter window or a lower limit',
    };
  },
};

export const searchTraces: AgentTool = {
  name: 'search_traces',
  title: 'Search traces',
  description: 'Finds traces in a window by service, errors and minimum duration (TraceQL for Tempo and tags for Jaeger in `query`). Returns trace summaries; get_trace shows one in full.',
  inputSchema: {
    type: 'object',
    properties: {
      service: { type: 'string', description: 'Traces that include this service.' },
      query: { type: 'string', maxLength: 1000, description: 'TraceQL (Tempo) or tags (Jaeger); ignored elsewhere.' },
      errorsOnly: { type: 'boolean', description: 'Only traces with a failing span.' },
      minDurationMs: { type: 'number', minimum: 0, description: 'Only traces at least this long.' },
      ...timeProps,
      limit: { type: 'integer', minimum: 1, maximum: 100, description: 'At most this many (default 20).' },
      source: sourceProp,
    },
  },
  async run(args, ctx, signal) {
    const w = windowArgs(args, ctx);
    const limit = Number(args.limit ?? 20);
    const { items, errors } = await fromEach(pick(ctx.roles.traces, args.source, 'trace'), (s) =>
      s.searchTraces({
        start: w.start,
        end: w.end,
        limit,
        ...(args.service ? { service: String(args.service) } : {}),
        ...(args.query ? { query: String(args.query) } : {}),
        ...(args.errorsOnly ? { errorsOnly: true } : {}),
        ...(args.minDurationMs !== undefined ? { minDurationMs: Number(args.minDurationMs) } : {}),
      }, signal),
    );
    return { data: { count: items.length, traces: items.slice(0, limit).map(traceSummaryShape), ...(errors.length ? { sourceErrors: errors } : {}) } };
  },
};

export const getTrace: AgentTool = {
  name: 'get_trace',
  title: 'Get a trace',
  description: 'One trace in full: its spans with service, operation, offset and duration, status, attributes and events (exceptions).',
  inputSchema: { type: 'object', properties: { traceId: { type: 'string', maxLength: 128, pattern: '^[0-9a-zA-Z_-]+$', description: 'The trace id.' }, source: sourceProp }, required: ['traceId'] },
  async run(args, ctx, signal) {
    const sources = pick(ctx.roles.traces, args.source, 'trace');
    const problems: string[] = [];
    for (const s of sources) {
      try {
        const spans = await s.getTrace(String(args.traceId), signal);
        if (!spans.length) continue;
        const start = Math.min(...spans.map((x) => x.startTime));
        const sorted = [...spans].sort((a, b) => a.startTime - b.startTime);
        return { data: { traceId: args.traceId, source: s.name, spanCount: spans.length, start: iso(start), spans: sorted.map((x) => spanShape(x, start)) }, narrowHint: 'the trace is large: look at its failing spans in get_findings' };
      } catch (err) {
        problems.push(err instanceof Error ? err.message : String(err));
      }
    }
    throw new ToolInputError(`trace ${JSON.stringify(args.traceId)} was not found${problems.length ? `: ${problems.join('; ')}` : ''}`);
  },
};
