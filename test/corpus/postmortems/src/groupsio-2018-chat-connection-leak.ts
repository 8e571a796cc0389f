// groups.io, 21 August 2018: a chat fix pushed the afternoon before leaked database connections on one
// return path; overnight and into the morning the leaked connections added up, and at 06:50 PDT the web
// servers ran out of database connections and kept rebooting.

import type { Change, LogRecord, MetricSeries, Span } from '../../../../src/core/model';
import { alert } from './lib/alerts';
import type { PostmortemCase } from './lib/bundle';
import { commit, history } from './lib/changes';
import { logRecord, logfmt } from './lib/logs';
import { counter, gauge } from './lib/metrics';
import { atRate, wobble } from './lib/signals';
import { diurnal, grid, utc } from './lib/time';
import { call, completeTraces, emitTrace, jitter, traceStarts } from './lib/traces';

const HISTORY = 'web/chat/history.go';
// Lines 78-83 return a full page without closing rows: each such request keeps its connection.
const HISTORY_FILE = `package chat

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/groupsweb/web/model"
)

// History serves the message history of a chat room.
type History struct {
	db      *sql.DB
	maxPage int
}

func NewHistory(db *sql.DB) *History {
	return &History{db: db, maxPage: 200}
}

const historyQuery = "SELECT id, room_id, author_id, body, created_at FROM chat_messages " +
	"WHERE room_id = $1 AND created_at > $2 ORDER BY created_at LIMIT $3"

const latestQuery = "SELECT id, room_id, author_id, body, created_at FROM chat_messages " +
	"WHERE room_id = $1 ORDER BY created_at DESC LIMIT $2"

// Latest returns the newest messages of a room, newest first, for a client that opens it.
func (h *History) Latest(ctx context.Context, roomID int64, limit int) ([]model.ChatMessage, error) {
	if limit <= 0 || limit > h.maxPage {
		limit = h.maxPage
	}
	rows, err := h.db.QueryContext(ctx, latestQuery, roomID, limit)
	if err != nil {
		return nil, fmt.Errorf("chat latest: %w", err)
	}
	defer rows.Close()
	var out []model.ChatMessage
	for rows.Next() {
		var m model.ChatMessage
		if err := rows.Scan(&m.ID, &m.RoomID, &m.AuthorID, &m.Body, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("chat latest scan: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Count returns how many messages a room has, for the room list.
func (h *History) Count(ctx context.Context, roomID int64) (int, error) {
	var n int
	err := h.db.QueryRowContext(ctx, "SELECT count(*) FROM chat_messages WHERE room_id = $1", roomID).Scan(&n)
	return n, err
}

// pageFull reports whether a page of history reached the limit.
func pageFull(n, limit int) bool {
	return n >= limit
}

// Since returns the messages of a room after t, oldest first. A client that reconnects
// asks for everything it missed since its last message.
func (h *History) Since(ctx context.Context, roomID int64, t time.Time, limit int) ([]model.ChatMessage, error) {
	if limit <= 0 || limit > h.maxPage {
		limit = h.maxPage
	}
	rows, err := h.db.QueryContext(ctx, historyQuery, roomID, t, limit)
	if err != nil {
		return nil, fmt.Errorf("chat history: %w", err)
	}
	var out []model.ChatMessage
	for rows.Next() {
		var m model.ChatMessage
		if err := rows.Scan(&m.ID, &m.RoomID, &m.AuthorID, &m.Body, &m.CreatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("chat history scan: %w", err)
		}
		// Fix for missing messages after a reconnect: if the page is full, the client will ask
		// again from the last message, so stop here and hand back what we have.
		if len(out) == limit-1 {
			out = append(out, m)
			return out, nil
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, err
	}
	return out, rows.Close()
}
`;

export const groupsio2018ChatConnectionLeak: PostmortemCase = {
  slug: 'groupsio-2018-chat-connection-leak',
  title: 'A chat fix from the day before leaks a database connection per full page until the web servers fall over',
  source: { url: 'https://beta.groups.io/g/main/topic/24877017', publisher: 'groups.io', date: '2018-08-21' },
  follows:
    'At about 06:50 PDT the website became unresponsive: the web servers were rebooting because they ran out of database connections; ' +
    'the cause was a fix pushed the previous afternoon that affected Chat and made database connections leak; disabling Chat stopped it; ' +
    'email delivery was not affected.',
  changed:
    'The leaking code is ours (an early return that skips closing the rows); four web servers behind one database; the window is the three ' +
    'hours before and ten minutes after the first reboot; the guilty deploy is 15 hours before the onset and outside the window.',
  traps: [
    'The guilty deploy is 15 hours before the onset; a later, innocent deploy went out 90 minutes before it.',
    'The connection count climbs slowly and steadily (a slope, faster as US morning traffic rises), with no step at any deploy in the window.',
    'Web servers reboot and their pool counters reset, which reads like a host or platform problem.',
    'The first errors are database errors ("too many clients"), which read like a database capacity problem.',
  ],
  build(rng) {
    const start = utc('2018-08-21T10:50:00Z');
    const end = utc('2018-08-21T14:02:00Z');
    const onset = utc('2018-08-21T13:50:00Z');
    const alertAt = utc('2018-08-21T13:52:00Z');
    const guiltyDeploy = utc('2018-08-20T22:40:00Z');
    const digestDeploy = utc('2018-08-21T12:20:00Z');
    const times = grid(start, end, 30_000);
    const servers = ['web1', 'web2', 'web3', 'web4'];
    const traffic = (t: number) => diurnal(t, 17, 0.55);
    // Leaked connections per server: the integral of full-page history requests since the last restart.
    const leakRate = (t: number) => 0.0022 * traffic(t);
    const reboots = new Map<string, number[]>(servers.map((s, i) => [s, [onset + 40_000 + i * 95_000 + rng.int(0, 30_000), onset + 420_000 + i * 80_000 + rng.int(0, 30_000)]]));
    const leaked = new Map<string, number[]>();
    for (const s of servers) {
      let n = 45 + rng.int(-3, 3);
      const series: number[] = [];
      let prev = times[0];
      for (const t of times) {
        const restart = reboots.get(s)!.find((r) => r > prev && r <= t);
        if (restart !== undefined) n = 0;
        n += leakRate(t) * ((t - prev) / 1000) * (restart !== undefined ? 8 : 1);
        series.push(n);
        prev = t;
      }
      leaked.set(s, series);
    }
    const total = (i: number) => servers.reduce((sum, s) => sum + leaked.get(s)![i] + 6, 0);
    const saturated = (t: number) => t >= onset;
    const down = (s: string, t: number) => reboots.get(s)!.some((r) => t >= r - 20_000 && t < r + 25_000);

    const metrics: MetricSeries[] = [];
    for (const s of servers) {
      metrics.push(gauge('go_sql_stats_connections_in_use', { db_name: 'groups', instance: `${s}:9100`, job: 'groups-web' }, times, (t, i) => (down(s, t) ? NaN : Math.min(100, Math.round(leaked.get(s)![i] + 4 + rng.int(0, 4)))), { service: 'groups-web' }));
      metrics.push(gauge('go_sql_stats_connections_max_open', { db_name: 'groups', instance: `${s}:9100`, job: 'groups-web' }, times, (t) => (down(s, t) ? NaN : 100), { service: 'groups-web' }));
      metrics.push(counter('go_sql_stats_connections_waited_for_total', { db_name: 'groups', instance: `${s}:9100`, job: 'groups-web' }, times, (t) => (saturated(t) ? 14 : 0.001), rng, { service: 'groups-web', present: (t) => !down(s, t), resetsAt: reboots.get(s)!, initial: rng.int(10, 40) }));
      metrics.push(gauge('process_start_time_seconds', { instance: `${s}:9100`, job: 'groups-web' }, times, (t) => {
        if (down(s, t)) return NaN;
        const r = reboots.get(s)!.filter((x) => x + 25_000 <= t).pop();
        return Math.round((r ?? utc('2018-08-20T22:41:00Z')) / 1000);
      }, { service: 'groups-web', unit: 's' }));
      for (const code of ['200', '500', '502']) metrics.push(counter('http_requests_total', { code, instance: `${s}:9100`, job: 'groups-web' }, times, (t) => 40 * traffic(t) * (code === '200' ? (saturated(t) ? 0.35 : 0.998) : code === '500' ? (saturated(t) ? 0.45 : 0.002) : saturated(t) ? 0.2 : 0) * wobble(rng, 0.04), rng, { service: 'groups-web', present: (t) => !down(s, t), resetsAt: reboots.get(s)! }));
    }
    metrics.push(gauge('pg_stat_activity_count', { datname: 'groups', state: 'idle', instance: 'db1:9187', job: 'postgres' }, times, (_t, i) => Math.min(296, Math.round(total(i) - 8 + rng.int(-3, 3))), { service: 'groups-db' }));
    metrics.push(gauge('pg_stat_activity_count', { datname: 'groups', state: 'active', instance: 'db1:9187', job: 'postgres' }, times, () => rng.int(2, 9), { service: 'groups-db' }));
    metrics.push(gauge('pg_settings_max_connections', { instance: 'db1:9187', job: 'postgres', server: 'db1' }, times, () => 300, { service: 'groups-db' }));
    for (const page of ['full', 'partial']) metrics.push(counter('chat_history_requests_total', { page, job: 'groups-web' }, times, (t) => (page === 'full' ? leakRate(t) * 4 : 0.9 * traffic(t)), rng, { service: 'groups-web' }));
    metrics.push(counter('mail_out_messages_sent_total', { job: 'mail-out' }, times, (t) => 55 * traffic(t) * wobble(rng, 0.05), rng, { service: 'mail-out' }));

    const logs: LogRecord[] = [];
    logs.push(...atRate(rng, start, end, () => 3, (t) => logRecord(t, 'info', 'mail-out', logfmt({ msg: 'delivered', group: `g${rng.int(1000, 99999)}`, recipients: rng.int(1, 900) }))));
    logs.push(...atRate(rng, start, end, (t) => (saturated(t) ? 1 : 2.5), (t) => logRecord(t, 'info', 'groups-web', logfmt({ msg: 'request', path: rng.pick(['/g/main/topics', '/g/main/chat', '/login', '/g/main/messages']), status: 200, ms: rng.int(15, 300) }), { 'host.name': rng.pick(servers) })));
    for (const s of servers) logs.push(logRecord(digestDeploy + servers.indexOf(s) * 40_000, 'info', 'groups-web', 'reloaded templates from deploy ec71a02 (no process restart)', { 'host.name': s, 'service.version': 'ec71a02' }));
    logs.push(...atRate(rng, onset, end, () => 40, (t) => {
      const s = rng.pick(servers);
      return rng.chance(0.6)
        ? logRecord(t, 'error', 'groups-web', 'database error: pq: sorry, too many clients already', { 'host.name': s, 'service.version': 'ec71a02' })
        : logRecord(t, 'warn', 'groups-web', 'database error: sql: timeout waiting for a free connection (context deadline exceeded)', { 'host.name': s, 'service.version': 'ec71a02' });
    }));
    for (const s of servers) {
      for (const r of reboots.get(s)!) {
        if (r - 20_000 > end) continue;
        logs.push(logRecord(r - 20_000, 'error', 'supervisor', `${s}: health check /healthz failed 3 times (db ping: context deadline exceeded), restarting groups-web`, { 'host.name': s }));
        if (r + 25_000 <= end) logs.push(logRecord(r + 25_000, 'info', 'groups-web', 'groups-web ec71a02 started', { 'host.name': s, 'service.version': 'ec71a02' }));
      }
    }
    logs.push(...atRate(rng, onset - 60_000, end, () => 8, (t) => logRecord(t, 'error', 'groups-db', 'FATAL:  remaining connection slots are reserved for non-replication superuser connections', { 'host.name': 'db1' })));

    const spans: Span[] = [];
    for (const t of traceStarts(rng, start, end, () => 3)) {
      const s = rng.pick(servers);
      if (down(s, t)) continue;
      const chat = rng.chance(0.3);
      const bad = saturated(t) && rng.chance(0.65);
      const db = call({ service: 'groups-web', name: chat ? 'SELECT chat_messages' : 'SELECT topics', networkMs: bad ? 5000 : jitter(rng, 3), attributes: { 'db.system': 'postgresql', 'db.namespace': 'groups', 'server.address': 'db1', 'db.operation.name': 'SELECT' }, ...(bad ? { status: 'error' as const, statusMessage: 'sql: timeout waiting for a free connection' } : {}) }, undefined);
      spans.push(...emitTrace(rng, t, { service: 'groups-web', kind: 'server', name: chat ? 'GET /g/:group/chat/history' : 'GET /g/:group/topics', selfMs: jitter(rng, 8), attributes: { 'http.request.method': 'GET', 'http.route': chat ? '/g/:group/chat/history' : '/g/:group/topics', 'http.response.status_code': bad ? 500 : 200, 'host.name': s, 'service.version': t >= digestDeploy ? 'ec71a02' : '5d0e9b7' }, ...(bad ? { status: 'error' as const } : {}), children: [db] }));
    }

    const changes: Change[] = history([
      commit(rng, { sha: '58ad51610f9abc151c85cc3361dfa7aff62c85d8', author: 'Dana Whitfield', email: 'dana@groupsweb.example', time: utc('2018-08-20T22:31:00Z'), message: 'chat: fix missing messages in history after a reconnect', files: [{ path: HISTORY, hunks: [{ newStart: 71, newLines: 19, oldStart: 66, oldLines: 12 }] }, { path: 'web/chat/history_test.go', hunks: [{ newStart: 40, newLines: 33 }] }], deploy: { ref: 'deploy/5d0e9b7', time: guiltyDeploy, environment: 'production' } }),
      commit(rng, { author: 'Dana Whitfield', email: 'dana@groupsweb.example', time: utc('2018-08-21T12:11:00Z'), message: 'digest: fix subject encoding for non-ASCII group names', files: [{ path: 'web/digest/subject.go', hunks: [{ newStart: 22, newLines: 7 }] }], deploy: { ref: 'deploy/ec71a02', time: digestDeploy, environment: 'production' } }),
    ]);
    const main = alert({ name: 'WebUnresponsive', severity: 'critical', labels: { service: 'groups-web', env: 'production' }, annotations: { summary: 'web health checks failing on more than one server' }, startsAt: alertAt, value: '3', service: 'groups-web', environment: 'production' });
    const alerts = [alert({ name: 'PostgresTooManyConnections', severity: 'warning', labels: { instance: 'db1:9187', server: 'db1' }, annotations: { summary: 'connections at max_connections' }, startsAt: utc('2018-08-21T13:49:30Z') }), main];
    return { alert: main, alerts, window: { start, end }, metrics, logs, spans: completeTraces(spans, end), changes, files: { [HISTORY]: HISTORY_FILE } };
  },
};
