// Cloudflare, 1 January 2017: at the leap second the wall clock stepped back, an upstream resolver's
// measured round-trip time went negative inside the DNS server, and rand.Int63n panicked on it; the
// panics were recovered but CNAME resolutions failed with SERVFAIL.

import type { Change, LogRecord, MetricSeries, Span } from '../../../../src/core/model';
import { alert } from './lib/alerts';
import type { PostmortemCase } from './lib/bundle';
import { commit, history } from './lib/changes';
import { goPanic, logRecord, logfmt } from './lib/logs';
import { counter, gauge } from './lib/metrics';
import { atRate, wobble } from './lib/signals';
import { grid, ramp, utc } from './lib/time';
import { call, completeTraces, emitTrace, jitter, traceStarts } from './lib/traces';

const UPSTREAM_GO = 'rrdns/resolver/upstream.go';

// The resolver's upstream selection as it stood (the weighting code dates from 2015). Lines 92-97
// are the innocent debug logging added the evening before; line 103 is where the panic is raised.
const UPSTREAM_FILE = `package resolver

import (
	"math/rand"
	"sync"
	"time"

	"github.com/edgedns/rrdns/log"
)

// upstream is one recursive resolver we forward CNAME targets to.
type upstream struct {
	addr    string
	mu      sync.Mutex
	rtt     time.Duration // smoothed round-trip time
	samples int
	failing bool
}

// observe folds one measured round trip into the smoothed RTT.
func (u *upstream) observe(start time.Time) {
	d := time.Now().Sub(start)
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.samples == 0 {
		u.rtt = d
	} else {
		u.rtt = (u.rtt*7 + d) / 8
	}
	u.samples++
}

// weight favours fast upstreams: inversely proportional to the smoothed RTT.
func (u *upstream) weight(slowest time.Duration) int64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.failing {
		return 0
	}
	return int64(slowest/(u.rtt+time.Millisecond)) * 16
}

type upstreamSet struct {
	mu        sync.RWMutex
	upstreams []*upstream
	rnd       *rand.Rand
}

func newUpstreamSet(addrs []string) *upstreamSet {
	s := &upstreamSet{rnd: rand.New(rand.NewSource(time.Now().UnixNano()))}
	for _, a := range addrs {
		s.upstreams = append(s.upstreams, &upstream{addr: a})
	}
	return s
}

func (s *upstreamSet) slowest() time.Duration {
	var max time.Duration
	for _, u := range s.upstreams {
		u.mu.Lock()
		if u.rtt > max {
			max = u.rtt
		}
		u.mu.Unlock()
	}
	return max
}

func (s *upstreamSet) markFailing(addr string, failing bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.upstreams {
		if u.addr == addr {
			u.mu.Lock()
			u.failing = failing
			u.mu.Unlock()
		}
	}
}

// pick chooses an upstream at random, weighted by speed.
func (s *upstreamSet) pick() *upstream {
	s.mu.RLock()
	defer s.mu.RUnlock()
	slowest := s.slowest()
	var total int64
	weights := make([]int64, len(s.upstreams))
	for i, u := range s.upstreams {
		weights[i] = u.weight(slowest)
		total += weights[i]
	}
	if log.DebugEnabled() {
		for i, u := range s.upstreams {
			log.Debugf("upstream %s rtt=%s weight=%d", u.addr, u.rtt, weights[i])
		}
		log.Debugf("upstream weights total=%d", total)
	}
	if total == 0 {
		return nil
	}
	// rand.Int63n panics on n <= 0. total cannot be negative while RTTs are
	// non-negative, which holds because they are differences of time.Now().
	r := s.rnd.Int63n(total)
	for i, w := range weights {
		if r < w {
			return s.upstreams[i]
		}
		r -= w
	}
	return s.upstreams[len(s.upstreams)-1]
}
`;

export const cloudflare2017LeapSecond: PostmortemCase = {
  slug: 'cloudflare-2017-leap-second',
  title: 'The leap second makes a measured RTT negative and the DNS server panics on CNAME lookups',
  source: { url: 'https://blog.cloudflare.com/how-and-why-the-leap-second-affected-cloudflare-dns/', publisher: 'Cloudflare', date: '2017-01-01' },
  follows:
    'At midnight UTC on 1 January 2017, inside the custom RRDNS server, a time difference went negative when it should have been at worst ' +
    'zero (the wall clock repeated a second); the negative value reached rand.Int63n, which panicked; the panic was recovered, but some DNS ' +
    'resolutions for customers using CNAME records failed (about 0.2% of queries at peak).',
  changed:
    'Our names (dns-edge, edge-proxy); eight hosts in four colos; a canary host on a newer build; the bundle ends 12 minutes after ' +
    'midnight, before the patch rolled out.',
  traps: [
    'The panic\'s stack trace points into upstream.go, which an innocent commit deployed the evening before also touched (debug logging a few lines above).',
    'The panics happen on the canary build and the old build alike (errors on versions that never got the change).',
    'No commit is to blame: the weighting code is two years old; the trigger is the clock (the kernel\'s leap-second message and the TAI offset step).',
    'Only a small share of queries fails (CNAME lookups), so totals barely move while SERVFAILs jump.',
  ],
  kindNote: 'A clock event on every host, exposing old code: infrastructure, no single host, no commit.',
  build(rng) {
    const start = utc('2016-12-31T22:00:00Z');
    const end = utc('2017-01-01T00:12:00Z');
    const leap = utc('2017-01-01T00:00:00Z');
    const alertAt = utc('2017-01-01T00:04:00Z');
    const canaryDeploy = utc('2016-12-31T20:35:00Z');
    const times = grid(start, end, 30_000);
    const hosts = [
      ['lhr', 'dns-lhr01-03'], ['lhr', 'dns-lhr01-09'], ['ord', 'dns-ord02-01'], ['ord', 'dns-ord02-14'],
      ['nrt', 'dns-nrt01-05'], ['nrt', 'dns-nrt01-06'], ['gru', 'dns-gru01-02'], ['gru', 'dns-gru01-10'],
    ] as const;
    const canary = 'dns-ord02-14';
    // How strongly each host is hit depends on how many of its upstream RTT samples spanned the step.
    const hit = new Map<string, number>(hosts.map(([, h]) => [h, rng.between(0.2, 1)]));
    const panicRate = (t: number, host: string) => (t >= leap ? hit.get(host)! * 14 * (1 - 0.4 * ramp(t, leap + 240_000, 480_000)) : 0);
    const qps = (colo: string) => ({ lhr: 21000, ord: 17000, nrt: 14000, gru: 6000 } as Record<string, number>)[colo];

    const metrics: MetricSeries[] = [];
    for (const [colo, host] of hosts) {
      metrics.push(gauge('node_timex_tai_offset_seconds', { instance: `${host}:9100`, job: 'node' }, times, (t) => (t >= leap ? 37 : 36)));
      metrics.push(gauge('node_timex_status', { instance: `${host}:9100`, job: 'node' }, times, (t) => (t >= leap ? 8193 : 8209)));
      metrics.push(gauge('node_timex_offset_seconds', { instance: `${host}:9100`, job: 'node' }, times, (t) => (t >= leap && t < leap + 90_000 ? rng.normal(-0.004, 0.002) : rng.normal(0, 0.0003))));
      for (const rcode of ['NOERROR', 'NXDOMAIN', 'SERVFAIL']) {
        metrics.push(
          counter('rrdns_responses_total', { rcode, instance: `${host}:9253`, colo, job: 'dns-edge' }, times, (t) => {
            const q = (qps(colo) / 2) * wobble(rng, 0.02);
            if (rcode === 'NOERROR') return q * 0.86;
            if (rcode === 'NXDOMAIN') return q * 0.139;
            return q * 0.0004 + panicRate(t, host) * 11;
          }, rng, { service: 'dns-edge' }),
        );
      }
      metrics.push(counter('rrdns_recovered_panics_total', { instance: `${host}:9253`, colo, job: 'dns-edge' }, times, (t) => panicRate(t, host) * 11, rng, { service: 'dns-edge', initial: 0 }));
    }
    metrics.push(counter('edge_http_responses_total', { code_class: '5xx', job: 'edge-proxy' }, times, (t) => 120 + (t >= leap ? 2100 : 0) * wobble(rng, 0.05), rng, { service: 'edge-proxy' }));
    metrics.push(counter('edge_http_responses_total', { code_class: '2xx', job: 'edge-proxy' }, times, () => 310_000 * wobble(rng, 0.01), rng, { service: 'edge-proxy' }));

    const logs: LogRecord[] = [];
    for (const [colo, host] of hosts) {
      logs.push(logRecord(leap, 'warn', undefined, 'Clock: inserting leap second 23:59:60 UTC', { 'host.name': host, colo, 'log.file.name': 'kern.log', 'syslog.facility': 'kern' }));
      logs.push(logRecord(utc('2016-12-31T22:00:03Z') + rng.int(0, 50_000), 'info', undefined, 'ntpd[1342]: leap second armed: insertion at 2016-12-31T23:59:60Z', { 'host.name': host, colo, 'log.file.name': 'syslog' }));
    }
    logs.push(
      ...atRate(rng, start, end, () => 2, (t) => {
        const [colo, host] = rng.pick(hosts);
        return logRecord(t, 'info', 'dns-edge', logfmt({ msg: 'zone reload', zones: rng.int(3, 40), took_ms: rng.int(4, 90) }), { 'host.name': host, colo, 'service.version': host === canary && t >= canaryDeploy ? '2016.12.31-1' : '2016.12.19-2' });
      }),
    );
    logs.push(
      ...atRate(rng, leap, end, (t) => hosts.reduce((s, [, h]) => s + panicRate(t, h), 0) * 0.6, (t) => {
        const [colo, host] = rng.pick(hosts);
        if (panicRate(t, host) === 0) return undefined;
        const body = `recovered panic in CNAME resolution for ${rng.pick(['shop', 'www', 'api', 'img'])}.${rng.pick(['customer-a', 'bakery-site', 'ridewise', 'newsdaily'])}.example: invalid argument to Int63n\n` +
          goPanic('invalid argument to Int63n', rng.int(10_000, 99_999), [
            { fn: 'math/rand.(*Rand).Int63n', file: '/usr/local/go/src/math/rand/rand.go', line: 111 },
            { fn: 'github.com/edgedns/rrdns/resolver.(*upstreamSet).pick', file: `/build/src/github.com/edgedns/${UPSTREAM_GO}`, line: 103 },
            { fn: 'github.com/edgedns/rrdns/resolver.(*Resolver).resolveCNAME', file: '/build/src/github.com/edgedns/rrdns/resolver/cname.go', line: 88 },
            { fn: 'github.com/edgedns/rrdns/server.(*Server).answer', file: '/build/src/github.com/edgedns/rrdns/server/answer.go', line: 203 },
          ]);
        return logRecord(t, 'error', 'dns-edge', body, { 'host.name': host, colo, 'service.version': host === canary && t >= canaryDeploy ? '2016.12.31-1' : '2016.12.19-2' });
      }),
    );
    logs.push(...atRate(rng, leap + 20_000, end, () => 6, (t) => logRecord(t, 'error', 'edge-proxy', `origin DNS resolution failed for CNAME target ${rng.pick(['lb1', 'origin', 'app'])}.${rng.pick(['hostingco', 'paas-cloud', 'cdn77x'])}.example: SERVFAIL`, { 'host.name': `edge-${rng.pick(['lhr', 'ord', 'nrt', 'gru'])}01-${rng.int(10, 40)}` })));

    const spans: Span[] = [];
    for (const t of traceStarts(rng, start, end, (x) => (x < leap ? 2 : 8))) {
      const [colo, host] = rng.pick(hosts);
      const failed = t >= leap && rng.chance(Math.min(0.9, panicRate(t, host) / 10));
      const upstreamCall = failed ? [] : [call({ service: 'dns-edge', name: 'dns.upstream.query', networkMs: jitter(rng, 6, 0.6), attributes: { 'server.address': `10.${rng.int(1, 9)}.0.53`, 'dns.question.type': 'A' } }, undefined)];
      spans.push(
        ...emitTrace(rng, t, {
          service: 'edge-proxy',
          kind: 'server',
          name: 'GET /*',
          selfMs: jitter(rng, 1),
          attributes: { 'http.request.method': 'GET', 'http.response.status_code': failed ? 530 : 200, 'edge.colo': colo },
          ...(failed ? { status: 'error' as const, statusMessage: 'origin DNS error' } : {}),
          children: [
            call({ service: 'edge-proxy', name: 'dns.resolve', networkMs: jitter(rng, 0.4), attributes: { 'server.address': `${host}.int`, 'dns.question.type': 'CNAME' }, ...(failed ? { status: 'error' as const, statusMessage: 'SERVFAIL' } : {}) },
              { service: 'dns-edge', name: 'resolve CNAME', selfMs: jitter(rng, 0.3), attributes: { 'host.name': host, 'dns.response.code': failed ? 'SERVFAIL' : 'NOERROR', 'service.version': host === canary && t >= canaryDeploy ? '2016.12.31-1' : '2016.12.19-2' }, ...(failed ? { status: 'error' as const, statusMessage: 'recovered panic: invalid argument to Int63n', events: [{ name: 'exception', offsetMs: 0.2, attributes: { 'exception.type': 'runtime.Error', 'exception.message': 'invalid argument to Int63n' } }] } : {}), children: upstreamCall }),
            ...(failed ? [] : [call({ service: 'edge-proxy', name: 'GET origin', networkMs: jitter(rng, 40, 0.5), attributes: { 'server.address': 'origin.customer.example' } }, undefined)]),
          ],
        }),
      );
    }

    const changes: Change[] = history([
      commit(rng, { author: 'Ilya Markov', email: 'ilya.markov@edgedns.example', time: utc('2016-12-31T19:52:00Z'), message: 'resolver: log upstream weights at debug level', files: [{ path: UPSTREAM_GO, hunks: [{ newStart: 92, newLines: 6, oldStart: 92, oldLines: 0 }] }], deploy: { ref: 'dns-edge/2016.12.31-1 (canary dns-ord02-14)', time: canaryDeploy, environment: 'production' } }),
      commit(rng, { author: 'Sara Lindqvist', email: 'sara.lindqvist@edgedns.example', time: utc('2016-12-31T15:10:00Z'), message: 'zones: add NS records for new colo ams03', files: [{ path: 'zones/internal/ams03.zone', status: 'A', hunks: [{ newStart: 1, newLines: 22 }] }] }),
    ]);
    const main = alert({ name: 'DNSServfailRatioHigh', severity: 'critical', labels: { service: 'dns-edge', job: 'dns-edge', env: 'production' }, annotations: { summary: 'SERVFAIL ratio above 0.1% on dns-edge' }, startsAt: alertAt, value: '0.0019', service: 'dns-edge', environment: 'production' });
    return { alert: main, alerts: [main], window: { start, end }, metrics, logs, spans: completeTraces(spans, end), changes, files: { [UPSTREAM_GO]: UPSTREAM_FILE } };
  },
};
