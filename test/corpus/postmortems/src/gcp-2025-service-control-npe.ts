// Google Cloud, 12 June 2025: a quota-check feature added to the API policy service two weeks earlier had a
// code path without error handling and without a feature flag; a policy change with blank fields, replicated
// to every region in seconds, reached that path, and the binaries crash-looped on a null pointer everywhere.

import type { Change, LogRecord, MetricSeries, Span } from '../../../../src/core/model';
import { alert } from './lib/alerts';
import type { PostmortemCase } from './lib/bundle';
import { commit, history } from './lib/changes';
import { deploymentPods, liveAt, type Instance } from './lib/fleet';
import { javaStack, logRecord } from './lib/logs';
import { counter, gauge, histogram } from './lib/metrics';
import { atRate, wobble } from './lib/signals';
import { grid, ramp, utc } from './lib/time';
import { call, completeTraces, emitTrace, jitter, traceStarts } from './lib/traces';

const EVALUATOR = 'policy-check/src/main/java/org/tollgate/policy/quota/QuotaPolicyEvaluator.java';
// Lines 87-128 and 47-50 came with the regional-limits commit; line 104 dereferences limits a blank policy lacks.
const EVALUATOR_FILE = `package org.tollgate.policy.quota;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tollgate.policy.CheckRequest;
import org.tollgate.policy.CheckResponse;
import org.tollgate.policy.PolicySnapshot;
import org.tollgate.policy.metrics.PolicyMetrics;

/**
 * Evaluates quota policies for one Check call. Policies come from the regional policy store,
 * replicated to every region; the evaluator keeps per-consumer counters in memory.
 */
public final class QuotaPolicyEvaluator {

    private static final Logger log = LoggerFactory.getLogger(QuotaPolicyEvaluator.class);
    private static final Duration WINDOW = Duration.ofMinutes(1);

    private final PolicySnapshot snapshot;
    private final Map<String, UsageCounter> counters = new ConcurrentHashMap<>();
    private final PolicyMetrics metrics;
    private final Clock clock;
    private final String region;

    public QuotaPolicyEvaluator(PolicySnapshot snapshot, PolicyMetrics metrics, Clock clock, String region) {
        this.snapshot = Objects.requireNonNull(snapshot);
        this.metrics = Objects.requireNonNull(metrics);
        this.clock = Objects.requireNonNull(clock);
        this.region = Objects.requireNonNull(region);
    }

    /** Applies every quota policy that matches the request's consumer and method. */
    public CheckResponse evaluate(CheckRequest request) {
        List<QuotaPolicy> policies = snapshot.quotaPoliciesFor(request.consumer(), request.method());
        for (QuotaPolicy policy : policies) {
            CheckResponse denied = evaluateGlobal(policy, request);
            if (denied != null) {
                return denied;
            }
            denied = evaluateRegional(policy, request);
            if (denied != null) {
                return denied;
            }
        }
        metrics.allowed(request.method());
        return CheckResponse.allow();
    }

    private CheckResponse evaluateGlobal(QuotaPolicy policy, CheckRequest request) {
        long limit = policy.getGlobalLimit();
        if (limit <= 0) {
            return null;
        }
        UsageCounter counter = counters.computeIfAbsent(key(policy, request, "global"), k -> new UsageCounter(clock, WINDOW));
        if (counter.incrementAndGet(request.cost()) > limit) {
            metrics.denied(request.method(), "global");
            return CheckResponse.resourceExhausted(policy.getName(), "global");
        }
        return null;
    }

    private static String key(QuotaPolicy policy, CheckRequest request, String scope) {
        return policy.getName() + '/' + request.consumer() + '/' + scope;
    }

    /** Counters older than two windows are dropped so idle consumers do not hold memory. */
    public void evictIdle() {
        counters.values().removeIf(c -> c.idleFor(WINDOW.multipliedBy(2)));
    }

    int counterCount() {
        return counters.size();
    }

    @Override
    public String toString() {
        return "QuotaPolicyEvaluator{region=" + region + ", counters=" + counters.size() + '}';
    }

    // Regional quota checks (added for per-region limits, rolled out region by region).
    // Owner: policy-check team; see the quota design doc, section "regional limits".
    //
    // A policy carries a regional section when its "regional" field is set in the policy store.
    // The section maps region names to per-minute limits; regions without an entry inherit the
    // policy's default limit. Regional counters are keyed like global ones, with the region as
    // scope, so eviction treats them alike.

    /**
     * Applies the policy's regional limit for this region. Policies written before regional
     * limits existed carry none and are skipped.
     */
    private CheckResponse evaluateRegional(QuotaPolicy policy, CheckRequest request) {
        if (!policy.hasRegionalLimits()) {
            return null;
        }
        RegionalLimits regional = policy.getRegionalLimits();
        long limit = regional.getLimitFor(region);
        UsageCounter counter = counters.computeIfAbsent(key(policy, request, region), k -> new UsageCounter(clock, WINDOW));
        long used = counter.incrementAndGet(request.cost());
        if (used > limit) {
            metrics.denied(request.method(), "regional");
            log.debug("regional quota {} exhausted for {} in {}: {} > {}", policy.getName(), request.consumer(), region, used, limit);
            return CheckResponse.resourceExhausted(policy.getName(), region);
        }
        return null;
    }

    /** Current regional usage per policy, for the usage export. */
    public Map<String, Long> regionalUsage() {
        Map<String, Long> usage = new ConcurrentHashMap<>();
        counters.forEach((k, c) -> {
            if (k.endsWith('/' + region)) {
                usage.merge(k.substring(0, k.indexOf('/')), c.current(), Long::sum);
            }
        });
        return usage;
    }

    public String region() {
        return region;
    }
}
`;

const REGIONS = ['us-central1', 'europe-west1', 'asia-east1'];

export const gcp2025ServiceControlNpe: PostmortemCase = {
  slug: 'gcp-2025-service-control-npe',
  title: 'A blank policy replicated everywhere reaches an unguarded new code path and the policy service crash-loops',
  source: { url: 'https://status.cloud.google.com/incidents/ow5i3PPK96RduMcb1SsW', publisher: 'Google Cloud', date: '2025-06-12' },
  follows:
    'On 29 May a new feature for additional quota policy checks was added to Service Control, the API management and control plane that ' +
    'authorises API requests; its code path had no error handling and no feature flag; on 12 June a policy change with unintended blank fields ' +
    'was inserted into the regional datastore and replicated globally within seconds; the null pointer crashed the binaries in every region.',
  changed:
    'Our names (api-edge, policy-check, policy-store); the feature commit is two days old instead of fourteen, so it is in the change ' +
    'history; Java instead of Google\'s implementation language; three regions; the window ends before the red-button fix rolled out.',
  traps: [
    'The latest deploy of the crashing service (a gRPC upgrade) went out 40 minutes before the onset; the guilty commit is two days old.',
    'The trigger is a data change (a policy row), visible only in the policy store\'s replication logs; blaming "the policy push" misses the unguarded code.',
    'Restarting tasks all reload policies at once and the policy store slows down (thundering herd), which looks like a dependency problem.',
    'api-edge, where the alert fires, has no deploy and its errors are client-side connection failures to policy-check.',
  ],
  build(rng) {
    const start = utc('2025-06-12T15:50:00Z');
    const end = utc('2025-06-12T17:58:00Z');
    const policyInsert = utc('2025-06-12T17:45:30Z');
    const alertAt = utc('2025-06-12T17:48:30Z');
    const grpcDeploy = utc('2025-06-12T17:05:00Z');
    const times = grid(start, end, 30_000);
    const replicatedAt = new Map<string, number>(REGIONS.map((r, i) => [r, policyInsert + 1200 + i * 700 + rng.int(0, 600)]));
    const crashing = (region: string, t: number) => t >= replicatedAt.get(region)! + 2000;
    const pods: Instance[] = REGIONS.flatMap((r) => deploymentPods(rng, `policy-check-${r}`, 3, start, end, '2025.06.10-1', [{ at: grpcDeploy + REGIONS.indexOf(r) * 120_000, version: '2025.06.12-1', podIntervalSec: 30 }], [`gke-${r}-pool-a`, `gke-${r}-pool-b`, `gke-${r}-pool-c`]).map((p) => ({ ...p, zone: r })));
    const servingShare = (region: string, t: number) => (crashing(region, t) ? 0.03 + 0.04 * ramp(t, policyInsert + 300_000, 400_000) : 1);

    const metrics: MetricSeries[] = [];
    for (const p of pods) {
      const restartsStart = replicatedAt.get(p.zone!)! + rng.int(2000, 9000);
      metrics.push(counter('kube_pod_container_status_restarts_total', { pod: p.name, container: 'policy-check', namespace: 'control', job: 'kube-state-metrics' }, times, (t) => (t >= restartsStart ? 1 / 45 : 0), rng, { initial: 0, alive: { from: p.from, to: p.to } }));
    }
    for (const r of REGIONS) {
      for (const cls of ['2', '5']) metrics.push(counter('envoy_cluster_upstream_rq_xx', { envoy_cluster_name: 'policy-check', envoy_response_code_class: cls, region: r, job: 'api-edge' }, times, (t) => 21_000 * (cls === '2' ? servingShare(r, t) * 0.9995 : 1 - servingShare(r, t) + 0.0005) * wobble(rng, 0.02), rng, { service: 'api-edge' }));
      metrics.push(counter('envoy_cluster_upstream_cx_connect_fail', { envoy_cluster_name: 'policy-check', region: r, job: 'api-edge' }, times, (t) => (crashing(r, t) ? 900 * wobble(rng, 0.1) : 0.01), rng, { service: 'api-edge' }));
      metrics.push(...histogram('policy_store_read_duration_seconds', { region: r, job: 'policy-store' }, times, [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10], (t) => (crashing(r, t) ? 600 : 40),
        (t) => (crashing(r, t) ? { median: 2.4, sigma: 0.6 } : { median: 0.008, sigma: 0.5 }), rng, { service: 'policy-store', unit: 's' }));
      metrics.push(gauge('kube_deployment_status_replicas_available', { deployment: `policy-check-${r}`, namespace: 'control', job: 'kube-state-metrics' }, times, (t) => (crashing(r, t) ? rng.int(0, 1) : 3)));
    }

    const logs: LogRecord[] = [];
    logs.push(logRecord(policyInsert, 'info', 'policy-store', 'policy write qp-2025-06-12-0007 by quota-automation: consumer=project:55120843 method=storage.objects.list regional={} default_limit=null', { 'policy.id': 'qp-2025-06-12-0007' }));
    for (const r of REGIONS) logs.push(logRecord(replicatedAt.get(r)!, 'info', 'policy-store', `replicated policy qp-2025-06-12-0007 to ${r} in ${((replicatedAt.get(r)! - policyInsert) / 1000).toFixed(1)}s`, { 'cloud.region': r, 'policy.id': 'qp-2025-06-12-0007' }));
    logs.push(...atRate(rng, start, policyInsert, () => 0.8, (t) => logRecord(t, 'info', 'policy-store', `replicated policy qp-2025-06-12-${String(rng.int(1, 6)).padStart(4, '0')} to all regions`, {})));
    for (const p of pods.filter((x) => x.version === '2025.06.12-1')) logs.push(logRecord(p.from + 9000, 'info', 'policy-check', 'Started PolicyCheckServer in 7.21 seconds (grpc-java 1.64.0)', { 'k8s.pod.name': p.name, 'cloud.region': p.zone!, 'service.version': p.version }));
    logs.push(...atRate(rng, policyInsert + 2000, end, () => 20, (t) => {
      const r = rng.pick(REGIONS);
      if (!crashing(r, t)) return undefined;
      const live = liveAt(pods, t).filter((p) => p.zone === r);
      const p = rng.pick(live);
      if (!p) return undefined;
      return logRecord(t, 'fatal', 'policy-check', 'Uncaught exception in thread "grpc-default-executor-3"; exiting\n' + javaStack('java.lang.NullPointerException', 'Cannot invoke "org.tollgate.policy.quota.RegionalLimits.getLimitFor(String)" because "regional" is null', [
        'org.tollgate.policy.quota.QuotaPolicyEvaluator.evaluateRegional(QuotaPolicyEvaluator.java:104)',
        'org.tollgate.policy.quota.QuotaPolicyEvaluator.evaluate(QuotaPolicyEvaluator.java:47)',
        'org.tollgate.policy.CheckService.check(CheckService.java:77)',
        'org.tollgate.policy.v1.ServiceControlGrpc$MethodHandlers.invoke(ServiceControlGrpc.java:312)',
        'io.grpc.stub.ServerCalls$UnaryServerCallHandler$UnaryServerCallListener.onHalfClose(ServerCalls.java:182)',
      ]), { 'k8s.pod.name': p.name, 'cloud.region': r, 'service.version': p.version });
    }));
    logs.push(...atRate(rng, policyInsert + 20_000, end, () => 6, (t) => logRecord(t, 'warn', 'kubelet', `Back-off restarting failed container policy-check in pod ${rng.pick(pods).name}`, { 'k8s.event.reason': 'BackOff' })));
    logs.push(...atRate(rng, policyInsert + 5000, end, () => 12, (t) => logRecord(t, 'error', 'api-edge', `[${rng.pick(REGIONS)}] policy check failed: upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: delayed connect error: 111`, { 'envoy.cluster': 'policy-check' })));

    const spans: Span[] = [];
    for (const t of traceStarts(rng, start, end, (x) => (x < policyInsert ? 2.5 : 8))) {
      const r = rng.pick(REGIONS);
      const down = crashing(r, t) && rng.chance(1 - servingShare(r, t));
      const pod = rng.pick(liveAt(pods, t).filter((p) => p.zone === r));
      const server = down || !pod ? undefined : { service: 'policy-check', name: 'policy.v1.ServiceControl/Check', selfMs: jitter(rng, 1.1), attributes: { 'rpc.system': 'grpc', 'rpc.service': 'policy.v1.ServiceControl', 'rpc.method': 'Check', 'k8s.pod.name': pod.name, 'cloud.region': r, 'service.version': pod.version, 'rpc.grpc.status_code': 0 } };
      const check = call({ service: 'api-edge', name: 'policy.v1.ServiceControl/Check', networkMs: down ? jitter(rng, 2) : jitter(rng, 0.6), attributes: { 'rpc.system': 'grpc', 'server.address': `policy-check.${r}.control.svc`, 'rpc.grpc.status_code': down ? 14 : 0 }, ...(down ? { status: 'error' as const, statusMessage: 'upstream connect error or disconnect/reset before headers. reset reason: connection failure' } : {}) }, server);
      spans.push(...emitTrace(rng, t, { service: 'api-edge', kind: 'server', name: 'GET /storage/v1/b/{bucket}/o', selfMs: jitter(rng, 3), attributes: { 'http.request.method': 'GET', 'http.route': '/storage/v1/b/{bucket}/o', 'http.response.status_code': down ? 503 : 200, 'cloud.region': r }, ...(down ? { status: 'error' as const } : {}), children: [check] }));
    }

    const changes: Change[] = history([
      commit(rng, { sha: 'e973de4bfe47c7d3183520a216c9e933b7786fcd', author: 'Arjun Mehta', email: 'arjun.mehta@tollgate.example', time: utc('2025-06-10T09:20:00Z'), message: 'quota: enforce per-region limits from the policy\'s regional section', files: [{ path: EVALUATOR, hunks: [{ newStart: 47, newLines: 4, oldStart: 47, oldLines: 0 }, { newStart: 87, newLines: 42, oldStart: 87, oldLines: 0 }] }, { path: 'policy-check/src/main/java/org/tollgate/policy/quota/RegionalLimits.java', status: 'A', hunks: [{ newStart: 1, newLines: 44 }] }], deploy: { ref: 'policy-check/2025.06.10-1 (region by region)', time: utc('2025-06-10T14:00:00Z'), environment: 'production' } }),
      commit(rng, { author: 'Nadia Rahman', email: 'nadia.rahman@tollgate.example', time: utc('2025-06-12T15:40:00Z'), message: 'build: upgrade grpc-java to 1.64.0', files: [{ path: 'policy-check/build.gradle', hunks: [{ newStart: 31, newLines: 2 }] }], deploy: { ref: 'policy-check/2025.06.12-1', time: grpcDeploy, environment: 'production' } }),
      commit(rng, { author: 'Lars Berg', email: 'lars.berg@tollgate.example', time: utc('2025-06-11T11:15:00Z'), message: 'edge: retry policy checks once on UNAVAILABLE', files: [{ path: 'api-edge/envoy/clusters/policy-check.yaml', hunks: [{ newStart: 14, newLines: 6 }] }], deploy: { ref: 'api-edge/2025.06.11-2', time: utc('2025-06-11T13:00:00Z'), environment: 'production' } }),
    ]);
    const main = alert({ name: 'APIEdge503Ratio', severity: 'critical', labels: { service: 'api-edge', env: 'production' }, annotations: { summary: 'API 503s above 5% in all regions' }, startsAt: alertAt, value: '0.91', service: 'api-edge', environment: 'production' });
    const alerts = [alert({ name: 'KubePodCrashLooping', severity: 'warning', labels: { namespace: 'control', container: 'policy-check' }, annotations: { summary: 'policy-check pods crash looping' }, startsAt: utc('2025-06-12T17:47:40Z') }), main, alert({ name: 'PolicyStoreReadLatency', severity: 'warning', labels: { service: 'policy-store' }, annotations: { summary: 'policy store p99 read latency above 1s' }, startsAt: utc('2025-06-12T17:49:00Z'), service: 'policy-store' })];
    return { alert: main, alerts, window: { start, end }, metrics, logs, spans: completeTraces(spans, end), changes, files: { [EVALUATOR]: EVALUATOR_FILE } };
  },
};
