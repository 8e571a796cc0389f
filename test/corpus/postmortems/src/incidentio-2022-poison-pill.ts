// incident.io, 18 November 2022: a "poison pill" message made a Pub/Sub handler panic inside a goroutine
// that the client library had spawned, out of reach of the recover() around it; the Go monolith crashed
// every time the message was redelivered, and Heroku's restart policy stretched the downtime.

import type { Change, LogRecord, MetricSeries, Span } from '../../../../src/core/model';
import { alert } from './lib/alerts';
import type { PostmortemCase } from './lib/bundle';
import { commit, history } from './lib/changes';
import { goPanic, logRecord, logfmt } from './lib/logs';
import { counter, gauge } from './lib/metrics';
import { atRate, wobble } from './lib/signals';
import { diurnal, grid, utc } from './lib/time';
import { call, completeTraces, emitTrace, jitter, traceStarts } from './lib/traces';

const HANDLER = 'app/worker/subscriptions/escalation_sync.go';
const HANDLER_FILE = `package subscriptions

import (
	"context"
	"encoding/json"
	"fmt"

	"cloud.google.com/go/pubsub"
	"github.com/responder/app/domain/escalation"
	"github.com/responder/app/pkg/log"
)

// EscalationSync keeps escalation policies in step with the paging provider.
type EscalationSync struct {
	repo     escalation.Repository
	provider escalation.Provider
}

func NewEscalationSync(repo escalation.Repository, provider escalation.Provider) *EscalationSync {
	return &EscalationSync{repo: repo, provider: provider}
}

// Subscribe runs the handler for every message on the subscription until ctx ends.
// Receive calls the handler on its own goroutines.
func (s *EscalationSync) Subscribe(ctx context.Context, sub *pubsub.Subscription) error {
	defer func() {
		if r := recover(); r != nil {
			log.Error(ctx, fmt.Errorf("escalation sync panicked: %v", r))
		}
	}()
	return sub.Receive(ctx, func(ctx context.Context, msg *pubsub.Message) {
		if err := s.Handle(ctx, msg.Data); err != nil {
			log.Warn(ctx, "escalation sync failed, nacking", "error", err)
			msg.Nack()
			return
		}
		msg.Ack()
	})
}

type escalationEvent struct {
	OrganisationID string              \`json:"organisation_id"\`
	ExternalID     string              \`json:"external_id"\`
	Escalation     *escalationSnapshot \`json:"escalation"\`
}

type escalationSnapshot struct {
	Policy *struct {
		ID    string \`json:"id"\`
		Level int    \`json:"level"\`
	} \`json:"policy"\`
}

// Handle mirrors one provider escalation event into our escalation policies.
func (s *EscalationSync) Handle(ctx context.Context, data []byte) error {
	var ev escalationEvent
	_ = json.Unmarshal(data, &ev) // older events do not decode fully; mirror what we can
	policyID := ev.Escalation.Policy.ID
	level := ev.Escalation.Policy.Level
	current, err := s.repo.GetPolicy(ctx, ev.OrganisationID, policyID)
	if err != nil {
		return fmt.Errorf("loading policy %s: %w", policyID, err)
	}
	if current.Level == level {
		return nil
	}
	current.Level = level
	current.ExternalID = ev.ExternalID
	return s.repo.SavePolicy(ctx, current)
}
`;

export const incidentio2022PoisonPill: PostmortemCase = {
  slug: 'incidentio-2022-poison-pill',
  title: 'A poison-pill message panics a handler in a library goroutine and crashes the whole monolith',
  source: { url: 'https://incident.io/blog/intermittent-downtime', publisher: 'incident.io', date: '2022-11-18' },
  follows:
    'A bad message in a Pub/Sub subscription made its handler panic; the client library runs handlers on goroutines it spawns, so the ' +
    'recover() in the parent did not catch it and the Go binary (web, worker and cron in one) died on every redelivery; Heroku\'s crash ' +
    'restart policy added cool-off periods, and its log pipeline dropped the large panic traces.',
  changed:
    'The handler that panics was deployed 35 minutes earlier in our version (the report does not say when it was written); the poison ' +
    'message is an old-format event with no policy; three dynos; the window ends before the queues were purged.',
  traps: [
    'The guilty deploy is not the latest: a CSS-only release went out 20 minutes later and 15 minutes before the first crash.',
    'The page is Heroku\'s "H10 App crashed" router error, which reads like a platform (infrastructure) failure.',
    'Most panic traces are lost (log output buffer overflow); one complete trace survives.',
    'The new handler ran fine for 33 minutes before the poison message arrived.',
  ],
  build(rng) {
    const start = utc('2022-11-18T13:45:00Z');
    const end = utc('2022-11-18T15:55:00Z');
    const guiltyDeploy = utc('2022-11-18T15:05:00Z');
    const cssDeploy = utc('2022-11-18T15:25:00Z');
    const poison = utc('2022-11-18T15:38:40Z');
    const alertAt = utc('2022-11-18T15:41:00Z');
    const times = grid(start, end, 15_000);
    const dynos = ['web.1', 'web.2', 'web.3'];
    // Each dyno crashes when the redelivered message reaches it; Heroku restarts at once, then with cool-offs; a manual restart at 15:42.
    const down = new Map<string, [number, number][]>();
    for (const d of dynos) {
      const spans: [number, number][] = [];
      let t = poison + rng.int(20_000, 90_000);
      const pattern = [10_000, 25_000, utc('2022-11-18T15:42:10Z'), 600_000];
      spans.push([t, t + pattern[0]]);
      t += pattern[0] + rng.int(15_000, 40_000);
      spans.push([t, Math.max(t + pattern[1], pattern[2] + rng.int(0, 20_000))]);
      t = spans[1][1] + rng.int(200_000, 330_000);
      spans.push([t, end + 1]);
      down.set(d, spans);
    }
    const isDown = (d: string, t: number) => down.get(d)!.some(([a, b]) => t >= a && t < b);
    const upCount = (t: number) => dynos.filter((d) => !isDown(d, t)).length;
    const rps = (t: number) => 34 * diurnal(t, 15, 0.3);
    const version = (t: number) => (t >= cssDeploy ? 'v413' : t >= guiltyDeploy ? 'v412' : 'v411');

    const metrics: MetricSeries[] = [];
    for (const d of dynos) {
      metrics.push(gauge('process_start_time_seconds', { dyno: d, job: 'responder-app' }, times, (t) => {
        if (isDown(d, t)) return NaN;
        const restarts = [start - 3_600_000, guiltyDeploy + 20_000, cssDeploy + 20_000, ...down.get(d)!.map(([, b]) => b + 8000)].filter((x) => x <= t);
        return Math.round(restarts[restarts.length - 1] / 1000);
      }, { service: 'responder-app', unit: 's' }));
      metrics.push(gauge('go_goroutines', { dyno: d, job: 'responder-app' }, times, (t) => (isDown(d, t) ? NaN : Math.round(380 + rng.int(-30, 40))), { service: 'responder-app' }));
      for (const code of ['200', '500']) metrics.push(counter('http_requests_total', { code, dyno: d, job: 'responder-app' }, times, (t) => (rps(t) / 3) * (code === '200' ? 0.997 : 0.003) * wobble(rng, 0.05), rng, { service: 'responder-app', present: (t) => !isDown(d, t), resetsAt: down.get(d)!.map(([, b]) => b + 8000).concat([guiltyDeploy + 20_000, cssDeploy + 20_000]) }));
    }
    for (const status of ['200', '503']) metrics.push(counter('heroku_router_requests_total', { status, app: 'responder-app-prod' }, times, (t) => (status === '200' ? rps(t) * (upCount(t) / 3) : rps(t) * (1 - upCount(t) / 3) + 0.001), rng, { service: 'heroku-router' }));
    const sub = (id: string, fn: (t: number) => number) => gauge('stackdriver_pubsub_subscription_pubsub_googleapis_com_subscription_num_undelivered_messages', { subscription_id: id, project_id: 'responder-prod' }, times, fn, { service: 'pubsub' });
    metrics.push(sub('escalation-sync', (t) => (t >= poison ? 1 + rng.int(0, 2) : rng.int(0, 2))));
    metrics.push(sub('alert-routes', (t) => Math.round(rng.int(0, 5) + (upCount(t) < 3 ? (3 - upCount(t)) * 140 * wobble(rng, 0.1) : 0))));
    metrics.push(gauge('stackdriver_pubsub_subscription_pubsub_googleapis_com_subscription_oldest_unacked_message_age', { subscription_id: 'escalation-sync', project_id: 'responder-prod' }, times, (t) => (t >= poison ? Math.round((t - poison) / 1000) : rng.int(0, 3)), { service: 'pubsub', unit: 's' }));

    const logs: LogRecord[] = [];
    logs.push(logRecord(guiltyDeploy - 40_000, 'info', 'heroku', 'Release v412 created by user deploys@responder.example (escalation sync: mirror provider escalation levels)', { 'heroku.source': 'app', 'heroku.dyno': 'api' }));
    logs.push(logRecord(cssDeploy - 40_000, 'info', 'heroku', 'Release v413 created by user deploys@responder.example (settings: fix toggle alignment)', { 'heroku.source': 'app', 'heroku.dyno': 'api' }));
    logs.push(...atRate(rng, start, end, () => 4, (t) => {
      const live = dynos.filter((d) => !isDown(d, t));
      if (!live.length) return undefined;
      return logRecord(t, 'info', 'responder-app', logfmt({ level: 'info', msg: 'request', method: 'GET', path: rng.pick(['/api/incidents', '/api/alerts', '/api/status-pages']), status: 200, duration_ms: rng.int(8, 120) }), { 'heroku.dyno': rng.pick(live), 'service.version': version(t) });
    }));
    logs.push(...atRate(rng, guiltyDeploy + 30_000, end, () => 1.5, (t) => logRecord(t, 'info', 'responder-app', logfmt({ level: 'info', msg: 'escalation sync mirrored', subscription: 'escalation-sync', changed: rng.chance(0.3) }), { 'heroku.dyno': rng.pick(dynos) })));
    let first = true;
    for (const d of dynos) {
      for (const [a, b] of down.get(d)!) {
        if (first) {
          logs.push(logRecord(a - 5, 'fatal', 'responder-app', goPanic('runtime error: invalid memory address or nil pointer dereference', 18823, [
            { fn: 'github.com/responder/app/worker/subscriptions.(*EscalationSync).Handle', file: `/app/${HANDLER}`, line: 58 },
            { fn: 'github.com/responder/app/worker/subscriptions.(*EscalationSync).Subscribe.func2', file: `/app/${HANDLER}`, line: 32 },
            { fn: 'cloud.google.com/go/pubsub.(*Subscription).Receive.func2', file: '/go/pkg/mod/cloud.google.com/go/pubsub@v1.25.1/subscription.go', line: 1124 },
          ], '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x1a4f2c6]') + '\ncreated by cloud.google.com/go/pubsub.(*Subscription).Receive\n\t/go/pkg/mod/cloud.google.com/go/pubsub@v1.25.1/subscription.go:1098 +0x6a5', { 'heroku.dyno': d, 'service.version': version(a) }));
          first = false;
        } else {
          logs.push(logRecord(a - 5, 'fatal', 'responder-app', 'panic: runtime error: invalid memory address or nil pointer dereference', { 'heroku.dyno': d, 'service.version': version(a) }));
          logs.push(logRecord(a + 200, 'warn', 'heroku', `Error L10 (output buffer overflow): ${rng.int(40, 120)} messages dropped since ${new Date(a - 1000).toISOString().slice(0, 19)}+00:00.`, { 'heroku.source': 'heroku', 'heroku.dyno': 'logplex' }));
        }
        logs.push(logRecord(a + 300, 'info', 'heroku', 'Process exited with status 2', { 'heroku.dyno': d }));
        logs.push(logRecord(a + 500, 'warn', 'heroku', 'State changed from up to crashed', { 'heroku.dyno': d }));
        if (b <= end) logs.push(logRecord(b, 'info', 'heroku', 'Starting process with command `./bin/app`', { 'heroku.dyno': d }), logRecord(b + 8000, 'info', 'heroku', 'State changed from starting to up', { 'heroku.dyno': d }));
      }
    }
    logs.push(logRecord(utc('2022-11-18T15:42:10Z'), 'info', 'heroku', 'Restarting all dynos (manual restart by oncall@responder.example)', { 'heroku.source': 'api' }));
    logs.push(...atRate(rng, poison, end, (t) => 30 * (1 - upCount(t) / 3), (t) => logRecord(t, 'error', 'heroku-router', logfmt({ at: 'error', code: 'H10', desc: 'App crashed', method: 'GET', path: rng.pick(['/api/incidents', '/api/alerts', '/']), host: 'app.responder.example', request_id: `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`, fwd: `203.0.113.${rng.int(2, 250)}`, dyno: '', connect: '', service: '', status: 503, bytes: '', protocol: 'https' }), { 'heroku.source': 'heroku', 'heroku.dyno': 'router' })));

    const spans: Span[] = [];
    for (const t of traceStarts(rng, start, end, () => 3)) {
      const live = dynos.filter((d) => !isDown(d, t) && !isDown(d, t + 2000));
      if (!live.length) continue;
      const d = rng.pick(live);
      if (rng.chance(0.3) && t >= guiltyDeploy + 30_000 && t < poison) {
        spans.push(...emitTrace(rng, t, { service: 'responder-app', kind: 'consumer', name: 'escalation-sync receive', selfMs: jitter(rng, 1), attributes: { 'messaging.system': 'gcp_pubsub', 'messaging.destination.name': 'escalation-sync', 'heroku.dyno': d, 'service.version': version(t) }, children: [call({ service: 'responder-app', name: 'SELECT escalation_policies', networkMs: jitter(rng, 2), attributes: { 'db.system': 'postgresql', 'server.address': 'ec2-52-1-2-3.compute-1.amazonaws.com', 'db.operation.name': 'SELECT' } }, undefined)] }));
        continue;
      }
      spans.push(...emitTrace(rng, t, { service: 'responder-app', kind: 'server', name: 'GET /api/incidents', selfMs: jitter(rng, 6), attributes: { 'http.request.method': 'GET', 'http.route': '/api/incidents', 'http.response.status_code': 200, 'heroku.dyno': d, 'service.version': version(t) }, children: [call({ service: 'responder-app', name: 'SELECT incidents', networkMs: jitter(rng, 4), attributes: { 'db.system': 'postgresql', 'server.address': 'ec2-52-1-2-3.compute-1.amazonaws.com', 'db.operation.name': 'SELECT' } }, undefined)] }));
    }

    const changes: Change[] = history([
      commit(rng, { sha: 'b72dbfb9d8a8bea2fd1e5e2334f4b62d2ffc3673', author: 'Priya Nair', email: 'priya.nair@responder.example', time: utc('2022-11-18T14:31:00Z'), message: 'escalation sync: mirror provider escalation levels into policies', files: [{ path: HANDLER, hunks: [{ newStart: 40, newLines: 31, oldStart: 40, oldLines: 4 }] }, { path: 'app/worker/subscriptions/escalation_sync_test.go', hunks: [{ newStart: 12, newLines: 48 }] }], deploy: { ref: 'heroku/v412', time: guiltyDeploy, environment: 'production' } }),
      commit(rng, { author: 'Sam Whitlock', email: 'sam.whitlock@responder.example', time: utc('2022-11-18T15:12:00Z'), message: 'settings: fix toggle alignment on narrow screens', files: [{ path: 'web/src/components/Settings/Toggle.module.scss', hunks: [{ newStart: 8, newLines: 5 }] }], deploy: { ref: 'heroku/v413', time: cssDeploy, environment: 'production' } }),
      commit(rng, { author: 'Priya Nair', email: 'priya.nair@responder.example', time: utc('2022-11-18T11:05:00Z'), message: 'status pages: cache component groups for 30s', files: [{ path: 'app/api/status_pages/components.go', hunks: [{ newStart: 77, newLines: 14 }] }], deploy: { ref: 'heroku/v411', time: utc('2022-11-18T11:30:00Z'), environment: 'production' } }),
    ]);
    const main = alert({ name: 'AppCrashed', severity: 'critical', labels: { service: 'responder-app', app: 'responder-app-prod', code: 'H10' }, annotations: { summary: 'Heroku router reports H10 App crashed' }, startsAt: alertAt, value: '41', service: 'responder-app' });
    const alerts = [main, alert({ name: 'HTTP5xxRatioHigh', severity: 'critical', labels: { service: 'responder-app' }, annotations: { summary: 'more than 5% of requests fail' }, startsAt: alertAt + 45_000, service: 'responder-app' })];
    return { alert: main, alerts, window: { start, end }, metrics, logs, spans: completeTraces(spans, end), changes, files: { [HANDLER]: HANDLER_FILE } };
  },
};
