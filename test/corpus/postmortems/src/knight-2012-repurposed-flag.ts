// Knight Capital, 1 August 2012: new order-routing code reached seven of eight servers; at the market open
// a repurposed flag was turned on, and on the eighth server it woke up dead "Power Peg" code that sent
// child orders without ever counting fills.

import type { Change, LogRecord, MetricSeries, Span } from '../../../../src/core/model';
import { alert } from './lib/alerts';
import type { PostmortemCase } from './lib/bundle';
import { commit, history } from './lib/changes';
import { logRecord } from './lib/logs';
import { counter, gauge } from './lib/metrics';
import { atRate, wobble } from './lib/signals';
import { grid, ramp, utc } from './lib/time';
import { call, completeTraces, emitTrace, jitter, traceStarts, type SpanNode } from './lib/traces';

const FLAG = 'retail-liquidity-program';

export const knight2012RepurposedFlag: PostmortemCase = {
  slug: 'knight-2012-repurposed-flag',
  title: 'A repurposed flag turned on at the open wakes dead code on the one server that missed the deploy',
  source: { url: 'https://www.sec.gov/litigation/admin/2013/34-70694.pdf', publisher: 'U.S. SEC (order on Knight Capital)', date: '2012-08-01' },
  follows:
    'New code for the NYSE Retail Liquidity Program was deployed to seven of the eight SMARS servers; the new code repurposed a flag that ' +
    'used to activate the retired Power Peg function; when orders with the flag arrived at the open, the eighth server ran Power Peg, which ' +
    'no longer tracked cumulative fills, and sent millions of child orders in 45 minutes; automated e-mails had warned "Power Peg disabled" before the open.',
  changed:
    'The flag is a flag-service flag (flagd) switched on at the open, with OpenFeature evaluation events on spans; modern metrics and traces; ' +
    'eight pods of one router; the window ends 15 minutes after the open, before the rollback of the new code made things worse.',
  traps: [
    'The obvious suspect is the new routing code deployed the evening before, but every instance that got it behaves; only the instance that never got it misbehaves.',
    'A handful of "Power Peg disabled" warnings, an hour and a half before the page, is the only early sign (low-count noise that matters here).',
    'Nothing errors: the symptom is volume (child orders per parent order), visible as a trace-structure change on one instance.',
    'An innocent risk-config deploy lands 40 minutes before the open.',
  ],
  kindNote: 'A flag flip at the open: config-change in the router; no commit is to blame (the dead code is years old and the new code is correct).',
  build(rng) {
    const start = utc('2012-08-01T11:45:00Z');
    const end = utc('2012-08-01T13:45:00Z');
    const flip = utc('2012-08-01T13:29:58Z');
    const open = utc('2012-08-01T13:30:00Z');
    const alertAt = utc('2012-08-01T13:33:00Z');
    const times = grid(start, end, 15_000);
    const servers = ['smars-01', 'smars-02', 'smars-03', 'smars-04', 'smars-05', 'smars-06', 'smars-07', 'smars-08'];
    const stale = 'smars-06';
    const version = (s: string) => (s === stale ? '2012.05.14' : '2012.07.31');
    const market = (t: number) => (t < open ? 0.04 : 1);
    const runaway = (t: number, s: string) => (s === stale ? ramp(t, open + 2000, 20_000) : 0);

    const metrics: MetricSeries[] = [];
    for (const s of servers) {
      const labels = { instance: `${s}:9404`, job: 'order-router', version: version(s) };
      metrics.push(counter('smars_parent_orders_received_total', labels, times, (t) => 22 * market(t) * wobble(rng, 0.1), rng, { service: 'order-router' }));
      metrics.push(counter('smars_child_orders_sent_total', labels, times, (t) => 22 * market(t) * 1.6 * wobble(rng, 0.1) + runaway(t, s) * 2100 * wobble(rng, 0.05), rng, { service: 'order-router' }));
      metrics.push(counter('smars_executions_total', labels, times, (t) => 22 * market(t) * 1.3 * wobble(rng, 0.1) + runaway(t, s) * 1500 * wobble(rng, 0.08), rng, { service: 'order-router' }));
      metrics.push(gauge('jvm_threads_live_threads', labels, times, (t) => Math.round((s === stale ? 180 : 210) + 40 * market(t) + rng.int(-3, 3)), { service: 'order-router' }));
    }
    metrics.push(gauge('risk_net_position_usd', { desk: 'market-making', side: 'long', job: 'risk-engine' }, times, (t) => 2.1e8 * wobble(rng, 0.01) + Math.max(0, t - open - 2000) * 1.9e3, { service: 'risk-engine', unit: 'USD' }));
    metrics.push(gauge('risk_net_position_usd', { desk: 'market-making', side: 'short', job: 'risk-engine' }, times, (t) => 1.8e8 * wobble(rng, 0.01) + Math.max(0, t - open - 2000) * 1.6e3, { service: 'risk-engine', unit: 'USD' }));
    metrics.push(gauge('flagd_flag_enabled', { flag_key: FLAG, variant: 'on', job: 'flagd' }, times, (t) => (t >= flip ? 1 : 0), { service: 'flagd' }));
    metrics.push(counter('exchange_session_messages_sent_total', { venue: 'NYSE', msg_type: 'NewOrderSingle', job: 'exchange-session' }, times, (t) => 176 * market(t) * 1.6 * wobble(rng, 0.08) + runaway(t, stale) * 2100, rng, { service: 'exchange-session' }));

    const logs: LogRecord[] = [];
    // The SEC order counts 97 "Power Peg disabled" e-mails between 8:01 and the open.
    const warnings = Array.from({ length: 97 }, () => utc('2012-08-01T12:01:00Z') + rng.int(0, 88 * 60_000)).sort((a, b) => a - b);
    for (const t of warnings) logs.push(logRecord(t, 'warn', 'order-router', `SMARS: BNET reject: Power Peg disabled (symbol ${rng.pick(['EXC', 'NIN', 'RAD', 'BAC', 'CMCSA'])}, pre-open order)`, { 'host.name': stale, 'service.version': version(stale) }));
    logs.push(logRecord(flip, 'info', 'flagd', `flag configuration change: ${FLAG} state=ENABLED defaultVariant=on (was off) by user ops-trading via flag console`, { 'flagd.source': 'flag-console', 'feature_flag.key': FLAG }));
    for (const s of servers) logs.push(logRecord(flip + rng.int(300, 1500), 'info', 'order-router', `feature flags refreshed: ${FLAG}=on`, { 'host.name': s, 'service.version': version(s) }));
    logs.push(...atRate(rng, start, end, (t) => (t < open ? 1 : 8), (t) => logRecord(t, 'info', 'order-router', `parent order accepted symbol=${rng.pick(['AAPL', 'EXC', 'BAC', 'GE', 'NIN'])} qty=${rng.int(1, 40) * 100} route=${rng.chance(0.6) ? 'RLP' : 'SOR'}`, { 'host.name': rng.pick(servers) })));
    logs.push(...atRate(rng, open + 60_000, end, () => 4, (t) => logRecord(t, 'warn', 'risk-engine', `position alert desk=market-making gross=${(2.1 + (t - open) / 60_000 * 0.24).toFixed(2)}B usd, limit review required`)));

    const spans: Span[] = [];
    for (const t of traceStarts(rng, start, end, (x) => (x < open ? 0.5 : 10))) {
      const s = rng.pick(servers);
      const flagOn = t >= flip + 1500;
      const powerPeg = flagOn && s === stale;
      const nChildren = powerPeg ? rng.int(20, 28) : rng.int(1, 3);
      const children: SpanNode[] = [];
      for (let i = 0; i < nChildren; i++) {
        children.push(call({ service: 'order-router', name: 'FIX NewOrderSingle', networkMs: jitter(rng, 0.6), attributes: { 'server.address': 'exchange-session.int', 'order.venue': 'NYSE', 'order.child_index': i } },
          { service: 'exchange-session', name: 'FIX NewOrderSingle', selfMs: jitter(rng, 0.4), attributes: { 'fix.msg_type': 'D', 'order.venue': 'NYSE' } }));
      }
      const root: SpanNode = {
        service: 'order-router',
        kind: 'server',
        name: 'RouteParentOrder',
        selfMs: jitter(rng, 0.5),
        attributes: { 'host.name': s, 'service.version': version(s), 'order.route': flagOn ? 'RLP' : 'SOR', 'order.parent_qty': rng.int(1, 30) * 100 },
        events: [{ name: 'feature_flag.evaluation', offsetMs: 0.1, attributes: { 'feature_flag.key': FLAG, 'feature_flag.result.variant': flagOn ? 'on' : 'off', 'feature_flag.provider.name': 'flagd' } }],
        children: [{ service: 'order-router', name: powerPeg ? 'PowerPeg.route' : flagOn ? 'RlpRouter.route' : 'SmartRouter.route', selfMs: jitter(rng, 0.3), children }],
      };
      spans.push(...emitTrace(rng, t, root));
    }

    const changes: Change[] = history([
      commit(rng, {
        author: 'Marcus Bell',
        email: 'marcus.bell@mm-desk.example',
        time: utc('2012-07-30T20:10:00Z'),
        message: 'RLP: route retail orders to the NYSE Retail Liquidity Program; reuse the PowerPeg flag slot for RLP',
        files: [{ path: 'smars/src/main/java/com/mmdesk/smars/route/RlpRouter.java', status: 'A', hunks: [{ newStart: 1, newLines: 210 }] }, { path: 'smars/src/main/java/com/mmdesk/smars/route/RouterSelector.java', hunks: [{ newStart: 41, newLines: 14 }] }],
        deploy: { ref: 'smars-2012.07.31', time: utc('2012-07-31T22:30:00Z'), environment: 'production' },
      }),
      commit(rng, { author: 'Hannah Cho', email: 'hannah.cho@mm-desk.example', time: utc('2012-08-01T12:40:00Z'), message: 'risk: raise pre-open throttle for RLP-eligible symbols', files: [{ path: 'risk-engine/config/throttles.yaml', hunks: [{ newStart: 18, newLines: 4 }] }], deploy: { ref: 'risk-engine/2012.08.01-1', time: utc('2012-08-01T12:50:00Z'), environment: 'production' } }),
    ]);
    const main = alert({ name: 'ChildOrderRateAnomaly', severity: 'critical', labels: { service: 'order-router', env: 'production' }, annotations: { summary: 'child orders per parent order above 10 for 2 minutes' }, startsAt: alertAt, value: '96.4', service: 'order-router', environment: 'production' });
    const alerts = [main, alert({ name: 'NetPositionLimitBreached', severity: 'critical', labels: { service: 'risk-engine', desk: 'market-making' }, annotations: { summary: 'gross position above desk limit' }, startsAt: utc('2012-08-01T13:36:00Z'), service: 'risk-engine' })];
    return { alert: main, alerts, window: { start, end }, metrics, logs, spans: completeTraces(spans, end), changes, serviceGraph: [{ from: 'order-router', to: 'exchange-session' }, { from: 'order-router', to: 'flagd' }] };
  },
};
