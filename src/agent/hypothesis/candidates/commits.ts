// Commits and deploys as candidate causes. A commit is blamed for its mechanism, not for its timing
// alone: the failing frames point into its lines, a resource started to climb when it went out, a
// migration it carries ran at the onset. Timing and service help; errors that were already there
// before it went out, failures that start elsewhere, and failures of a kind code does not cause (an
// expired certificate, a full disk, an exhausted quota) count against it.
import { formatLocation } from '../../../core/codeLocation';
import type { Collected } from '../collect';
import type { Candidate, Piece } from './types';
import type { SuspectFinding } from '../../../core/investigation';
import { fmtTime } from '../format';

/** Files that configure rather than program: a commit that changes only these is a configuration change. */
const CONFIG_FILE = /\.(json|ya?ml|toml|properties|ini|conf|cfg|env|hcl|tfvars)$/i;
/** Dependency manifests are JSON/TOML too, but what they change is the code that runs. */
const PACKAGE_MANIFEST = /(^|\/)(package(-lock)?\.json|composer\.(json|lock)|Pipfile(\.lock)?|pyproject\.toml|Cargo\.(toml|lock)|go\.(mod|sum)|tsconfig[^/]*\.json|pnpm-lock\.yaml|yarn\.lock)$/i;

const MIN = 60_000;
const HOUR = 3600_000;
/** Failure classes that point below the code, at a resource or the platform. */
const NOT_CODE = new Set(['tls', 'dns', 'disk', 'quota', 'unavailable', 'refused']);
/** Failures of the environment (a peer, the network, a resource), not of the code they surface in. */
const ENVIRONMENT = new Set(['tls', 'dns', 'disk', 'quota', 'unavailable', 'refused', 'reset', 'timeout', 'pool', 'lock', 'memory', 'auth']);

function basenameTokens(path: string): string[] {
  const base = path.split('/').pop() ?? path;
  const stem = base.replace(/\.[a-z0-9]+$/i, '');
  return stem.length >= 6 ? [stem.toLowerCase()] : [];
}

const COMMON = new Set(['return', 'function', 'const', 'import', 'export', 'default', 'string', 'number', 'public', 'private', 'static', 'class', 'value', 'values', 'config', 'enabled', 'disabled', 'true', 'false', 'error', 'errors', 'timeout', 'service', 'request', 'response', 'server', 'client', 'should', 'before', 'after', 'github', 'https']);

function tokensOf(text: string): string[] {
  return text.split(/[\s"'`,;()[\]{}<>|=]+/).map((t) => t.replace(/^[:.]+|[:.]+$/g, '')).filter((t) => t.length >= 6 && /[a-z]/i.test(t) && !COMMON.has(t.toLowerCase()));
}

/** Distinctive tokens of the lines a commit changed, from the file contents the bundle carries. */
function changedLineTokens(c: Collected, sha: string): Set<string> {
  const out = new Set<string>();
  const change = c.changes.find((x) => x.sha === sha);
  for (const f of change?.files ?? []) {
    const text = c.files[f.path];
    if (typeof text !== 'string' || !f.hunks?.length) continue;
    const lines = text.split('\n');
    for (const h of f.hunks) for (let i = h.newStart; i < h.newStart + Math.max(1, h.newLines) && i <= lines.length; i++) for (const t of tokensOf(lines[i - 1] ?? '')) out.add(t);
  }
  return out;
}

/** The failure class a commit subject talks about, from the words commits use for each. */
const VOCAB: [string, RegExp][] = [
  ['dns', /\b(host ?names?|hosts?|gateway|endpoints?|url|urls|address(es)?|domains?|dns|resolver)\b/i],
  ['tls', /\b(cert(ificate)?s?|tls|ssl|https|ca bundle)\b/i],
  ['timeout', /\b(time ?outs?|deadlines?|retr(y|ies))\b/i],
  ['pool', /\b(pool|pools|connections?|max_?conn)/i],
  ['lock', /\b(migrations?|index(es)?|alter|locks?|schema|backfill(ed)?)\b/i],
  ['quota', /\b(limits?|quotas?|rate)\b/i],
  ['memory', /\b(cache|caches|buffers?|memory|heap)\b/i],
];
const VOCAB_LABEL: Record<string, string> = { dns: 'host names or endpoints', tls: 'certificates', timeout: 'timeouts', pool: 'connections', lock: 'the schema', quota: 'limits', memory: 'caching or memory' };

function classNamedBy(subject: string): string | undefined {
  const first = subject.split('\n', 1)[0];
  return VOCAB.find(([, re]) => re.test(first))?.[0];
}

function deployEvidence(c: Collected, s: SuspectFinding): Piece['evidence'] {
  const change = c.changes.find((x) => x.sha === s.sha);
  if (!change?.deploy) return undefined;
  return { kind: 'deploy', ref: s.sha, title: `Deploy ${change.deploy.ref} at ${fmtTime(change.deploy.time)}`, why: `Went out ${Math.round((c.onset - change.deploy.time) / MIN)} min before the onset.`, weight: 0.3, time: change.deploy.time };
}

export function commitCandidates(c: Collected): Candidate[] {
  const f = c.findings;
  const locus = c.topLocus;
  const locusSvc = locus && !locus.external ? locus.service : undefined;
  const implicated = c.services.slice(0, 3);
  const dominant = c.dominantClass;
  const out: Candidate[] = [];
  for (const s of f.suspects.slice(0, 15)) {
    const pro: Piece[] = [];
    const con: Piece[] = [];
    const touches = s.strength.services;
    const age = c.onset - s.time;
    const commitEv = { kind: (s.strength.config ? 'config' : 'commit') as 'config' | 'commit', ref: s.sha, title: `${s.sha.slice(0, 8)} ${s.message} (${s.author})`, why: s.reasons.join('; '), weight: s.score, time: s.time };
    let mechanism: Candidate['mechanism'] = s.strength.config ? 'config-commit' : 'deploy-timing';
    let leak = false;
    // Mechanism: the failing code is in its lines. Frames say where an error surfaced; they implicate the
    // code when the error is a programming error, much less when it is the environment's (a rate limit,
    // a timeout, a name that does not resolve) surfacing through old, correct code.
    // The errors that printed the matching frames tell; else the failures of the service it changes.
    const matching = f.stackFrames.filter((fr) => fr.errorClass && s.files.some((p) => p === fr.path || p.endsWith(fr.path) || fr.path.endsWith(p)));
    const svcClasses = matching.length ? new Map<string, number>() : c.classes(touches[0]);
    for (const fr of matching) svcClasses.set(fr.errorClass!, (svcClasses.get(fr.errorClass!) ?? 0) + 1);
    const svcTotal = [...svcClasses.values()].reduce((a, b) => a + b, 0);
    const envShare = svcTotal ? [...svcClasses.entries()].filter(([k]) => ENVIRONMENT.has(k)).reduce((a, [, v]) => a + v, 0) / svcTotal : 0;
    const envClass = [...svcClasses.entries()].filter(([k]) => ENVIRONMENT.has(k)).sort((a, b) => b[1] - a[1])[0]?.[0];
    if (s.strength.code >= 0.9 && envShare >= 0.6) {
      pro.push({ weight: 0.7, reason: `the failing frames run through its changed lines, but the failures are ${envClass} failures surfacing there`, evidence: commitEv });
    } else if (s.strength.code >= 0.9) {
      pro.push({ weight: 2.0, reason: 'the failing stack frames or spans point into its changed lines', evidence: commitEv });
      mechanism = 'code-in-frames';
    } else if (s.strength.code >= 0.6) pro.push({ weight: envShare >= 0.6 ? 0.4 : 1.0, reason: 'the failing stack frames point into files it changed', evidence: commitEv });
    else if (s.strength.code >= 0.3) pro.push({ weight: 0.3, reason: 'the failing frames are in a folder it changed' });
    // Mechanism: a resource of a service it touches started to climb when it went out (a leak), at any lag.
    const leaky = (x: (typeof f.series)[number]): boolean => !!x.slope && !!x.service && touches.includes(x.service) && (x.role === 'memory' || x.resource === 'connections' || x.resource === 'threads' || x.resource === 'files');
    let climb = f.series.find((x) => leaky(x) && !x.slope!.sinceStart && x.slope!.start >= s.time - 5 * MIN && x.slope!.start <= s.time + 45 * MIN);
    // A climb already under way when the window starts began before it: the last deploy of that service
    // before the climb is the one that started it.
    if (!climb && s.strength.deployed) {
      const since = f.series.find((x) => leaky(x) && x.slope!.sinceStart && s.time <= x.slope!.start && s.time >= x.slope!.start - 48 * HOUR);
      const later = since && f.suspects.some((o) => o !== s && o.strength.deployed && o.strength.services.includes(since.service!) && o.time > s.time && o.time <= since.slope!.start);
      if (since && !later) climb = since;
    }
    if (climb?.slope) {
      const memoryFailures = (c.classes(climb.service).get('memory') ?? 0) + (c.classes(climb.service).get('pool') ?? 0);
      if (memoryFailures > 0) pro.push({ weight: 0.4, reason: `${climb.service} runs out of ${climb.role === 'memory' ? 'memory' : 'connections'}` });
      pro.push({ weight: 2.0, reason: climb.slope.sinceStart ? `${climb.name} of ${climb.service} has climbed steadily all through the window, and this was its last deploy before` : `${climb.name} of ${climb.service} has climbed steadily since ${fmtTime(climb.slope.start)}, ${Math.round((climb.slope.start - s.time) / MIN)} min after it went out`, evidence: { kind: 'metric', ref: climb.id, title: `${climb.name} of ${climb.service} climbing since ${fmtTime(climb.slope.start)} (${climb.slope.ratio.toFixed(1)}x)`, why: 'A climb that starts when a change goes out and never levels off: a leak.', weight: 0.5, time: climb.slope.start } });
      mechanism = 'leak';
      leak = true;
    }
    // Mechanism: a runtime event (a migration, a release step) names a file it changed.
    // Only a step that runs something (a migration, a job, an operator's command) counts, not a start-up banner.
    const named = f.changeEvents.find((e) => e.kind !== 'deploy' && e.kind !== 'restart' && e.time <= c.onset + 2 * MIN && e.time >= c.onset - 15 * MIN && s.files.some((p) => basenameTokens(p).some((t) => e.text.toLowerCase().includes(t))));
    if (named) {
      pro.push({ weight: 2.0, reason: `"${named.text.slice(0, 120)}" at ${fmtTime(named.time)} runs a file it changed`, evidence: { kind: 'config', ref: named.ref, title: named.text.slice(0, 160), why: 'A release step that runs what this commit changed, at the onset.', weight: 0.4, time: named.time } });
      // It took effect when that step ran, whenever it was committed.
      if (Math.abs(c.onset - named.time) <= 5 * MIN) pro.push({ weight: 0.8, reason: 'that step ran at the onset' });
      if (mechanism === 'deploy-timing') mechanism = 'code-in-frames';
    }
    // Mechanism: what fails after the onset quotes the lines it changed (a bad value, a broken flag).
    const changedTokens = changedLineTokens(c, s.sha);
    let quoted: { text: string; time: number; ref: string } | undefined;
    if (changedTokens.size) {
      const texts = [
        ...f.changeEvents.filter((e) => e.time >= c.onset - 10 * MIN && e.time <= c.onset + 15 * MIN).map((e) => ({ text: e.text, time: e.time, ref: e.ref })),
        ...c.risingPatterns.slice(0, 20).map((p) => ({ text: `${p.template} ${p.samples[0] ?? ''}`, time: p.firstAfter ?? c.onset, ref: p.id })),
      ];
      quoted = texts.find((x) => {
        const hits = tokensOf(x.text).filter((t) => changedTokens.has(t));
        return new Set(hits).size >= 2 || hits.some((t) => t.length >= 12);
      });
      if (quoted) {
        pro.push({ weight: 1.6, reason: `"${quoted.text.slice(0, 100)}" quotes the lines it changed`, evidence: { kind: s.strength.config ? 'config' : 'commit', ref: s.sha, title: `${s.sha.slice(0, 8)} ${s.message}`, why: `What fails after the onset quotes its changed lines: "${quoted.text.slice(0, 120)}"`, weight: 0.6, time: s.time } });
        if (mechanism === 'deploy-timing') mechanism = s.strength.config ? 'config-commit' : 'code-in-frames';
      }
    }
    // Mechanism: it carries a runtime change seen right after it (a flags file, then the flag flips in a
    // service; a configuration file, then that service reloads it): GitOps changes that are not deploys.
    const carries = f.changeEvents.find((e) => (e.kind === 'flag' || e.kind === 'config') && e.time >= s.time - MIN && e.time <= s.time + 10 * MIN && Math.abs(e.time - c.onset) <= 10 * MIN && s.files.some((p) => (e.kind === 'flag' ? /flag|feature|toggle/i : /\.(json|ya?ml|toml|properties|ini|conf|cfg|env)$/i).test(p)));
    if (carries) {
      pro.push({ weight: 1.6, reason: `${carries.kind === 'flag' ? 'a flag' : 'the configuration'} changed ${Math.max(0, Math.round((carries.time - s.time) / 1000))} s after it was committed: "${carries.text.slice(0, 90)}"`, evidence: { kind: 'config', ref: carries.ref, title: carries.text.slice(0, 160), why: 'The runtime change this commit carried.', weight: 0.5, time: carries.time } });
      if (mechanism === 'deploy-timing') mechanism = 'config-commit';
    }
    // Mechanism: it changes a flags file just before the onset, and the failing service evaluates flags.
    let flagService: string | undefined;
    if (!carries && age >= -MIN && age <= 15 * MIN && s.files.some((p) => /flag|feature|toggle/i.test(p))) {
      const words = (s.message ?? '').toLowerCase().replace(/[-_]+/g, ' ');
      const evaluating = Object.entries(f.flags ?? {}).filter(([svc]) => c.services.slice(0, 3).includes(svc));
      const byKey = evaluating.find(([, keys]) => Object.keys(keys).some((k) => words.includes(k.toLowerCase().replace(/[-_]+/g, ' '))));
      const hit = byKey ?? evaluating[0];
      if (hit) {
        flagService = hit[0];
        // A flags file takes effect when it is synced, not when a deploy ships it.
        if (age <= 3 * MIN) pro.push({ weight: 0.9, reason: 'the failures started as it was synced' });
        pro.push({ weight: byKey ? 1.8 : 1.2, reason: `it changes the flags ${hit[0]} evaluates${byKey ? ` (${Object.keys(hit[1]).find((k) => words.includes(k.toLowerCase().replace(/[-_]+/g, ' ')))})` : ''}, ${Math.max(0, Math.round(age / 1000))} s before the onset` });
        if (mechanism === 'deploy-timing') mechanism = 'config-commit';
      }
    }
    // Where: the service it changes against where the failures start. Calls out of a service it changes
    // that start failing just as it goes out point at the change, not at the callee.
    const callerOfLocus = locus && locus.callers.find((x) => touches.includes(x));
    const locusClasses = locus ? Object.entries(locus.errorClasses) : [];
    const locusTotal = locusClasses.reduce((a, [, n]) => a + (n ?? 0), 0) || 1;
    // A peer that answers 503 or refuses connections is down; calls that time out or are refused by our
    // own settings after our change are ours.
    const peerDown = locusClasses.filter(([k]) => k === 'unavailable' || k === 'refused' || k === 'quota').reduce((a, [, n]) => a + (n ?? 0), 0) / locusTotal >= 0.5;
    const callerChanged = !!(locus?.external && callerOfLocus && s.strength.close > 0.5 && !peerDown);
    if (callerChanged) pro.push({ weight: 1.0, reason: `the calls of ${callerOfLocus}, which it changes, to ${locus.service} started failing as it went out` });
    if (locusSvc && touches.includes(locusSvc)) pro.push({ weight: 0.8, reason: `it changes ${locusSvc}, where the failures start` });
    else if (implicated[0] && touches.includes(implicated[0])) pro.push({ weight: 0.6, reason: `it changes ${implicated[0]}, the most implicated service` });
    else if (touches.some((t) => implicated.includes(t))) pro.push({ weight: 0.3, reason: `it changes ${touches.find((t) => implicated.includes(t))}, an implicated service` });
    // When: close before the onset.
    const deployed = s.strength.deployed;
    if (s.strength.close > 0) pro.push({ weight: (deployed ? 0.9 : 0.45) * s.strength.close, reason: `it ${deployed ? 'went out' : 'was committed'} ${Math.max(0, Math.round(age / MIN))} min before the onset`, ...(deployed ? { evidence: deployEvidence(c, s) } : {}) });
    // The onset is known to about a minute: "as it went out" allows for that.
    if (deployed && age >= -MIN && age <= 3 * MIN) pro.push({ weight: 0.3, reason: 'the failures started as it went out' });
    // Larger changes break more often (the oldest finding of change-risk research); a small tie-breaker.
    const lines = (c.changes.find((x) => x.sha === s.sha)?.files ?? []).reduce((a, x) => a + (x.additions || 0) + (x.deletions || 0), 0);
    if (lines > 0) pro.push({ weight: Math.min(0.25, (0.25 * Math.log1p(lines)) / Math.log(500)), reason: `it changes ${lines} lines` });
    // What it says it changes against what fails.
    const subjectClass = classNamedBy(s.message ?? '');
    if (dominant && subjectClass && subjectClass === dominant.cls) pro.push({ weight: 0.5, reason: `it says it changes ${VOCAB_LABEL[subjectClass]}, and the failures are ${dominant.cls} failures` });
    else if (dominant && subjectClass && dominant.share >= 0.6 && subjectClass !== dominant.cls) con.push({ weight: 0.3, reason: `it says it changes ${VOCAB_LABEL[subjectClass]}, but the failures are ${dominant.cls} failures` });
    // A schema migration takes locks: lock waits and statement timeouts at the database follow it.
    if (s.files.some((p) => /migrat|\.sql$|schema/i.test(p)) && age >= -2 * MIN && age <= 15 * MIN && ['lock', 'timeout'].includes(dominant?.cls ?? '')) pro.push({ weight: 1.0, reason: 'it carries a schema migration, and the failures are lock waits and timeouts' });
    // The number of calls per request changed: a code path changed (an N+1 query, a retry loop).
    const fanout = (f.fanout ?? []).find((x) => touches.includes(x.service));
    if (fanout && !s.strength.config && age >= -2 * MIN && age <= 30 * MIN) {
      if (fanout.before !== undefined) pro.push({ weight: 0.9, reason: `${fanout.service}'s calls to ${fanout.callee} per request rose from ${fanout.before} to ${fanout.after}: a code path changed` });
      else pro.push({ weight: 0.5, reason: `${fanout.service} calls ${fanout.callee} ${fanout.after} times per request, the same statement again and again (an N+1 pattern); no trace from before the onset to compare` });
    }
    if (s.strength.config && touches.some((t) => implicated.includes(t)) && s.strength.close > 0.3) pro.push({ weight: 0.4, reason: 'it changes the configuration of an implicated service just before the onset' });

    // Against: failures that start elsewhere.
    const strongCode = (s.strength.code >= 0.9 && envShare < 0.6) || !!named || leak || !!quoted || !!carries || !!flagService;
    if (locus?.external && !strongCode && !callerChanged) con.push({ weight: 0.9, reason: `the failures start at ${locus.service}, outside our code` });
    else if (locusSvc && !touches.includes(locusSvc) && !strongCode) con.push({ weight: touches.length ? 1.0 : 0.5, reason: `the failures start in ${locusSvc}, which it does not change` });
    if (!touches.some((t) => c.services.includes(t)) && touches.length && !strongCode) con.push({ weight: 0.5, reason: `nothing it changes (${touches.join(', ')}) shows a symptom` });
    // Against: the same failures before it went out.
    const before = c.risingPatterns.filter((p) => (!p.service || touches.includes(p.service) || implicated.includes(p.service)) && p.level !== 'warn').find((p) => p.firstSeen !== undefined && p.firstSeen < s.time - 2 * MIN && p.countBefore > 0);
    if (before && s.strength.code < 0.9) con.push({ weight: 1.0, reason: `the same errors ("${before.template.slice(0, 80)}") were there before it went out` });
    const chronic = c.newOrigins.find((o) => touches.includes(o.service) && o.countBefore > 0 && o.count < 4 * o.countBefore);
    if (chronic && s.strength.code < 0.9) con.push({ weight: 0.6, reason: `${chronic.operation} in ${chronic.service} failed before the onset too` });
    // Against: a kind of failure code changes rarely cause.
    // Host names, certificates and ports are configuration: a config change is consistent with failures
    // to resolve, to handshake or to connect.
    const configConsistent = s.strength.config && dominant && ['dns', 'tls', 'refused'].includes(dominant.cls);
    if (dominant && NOT_CODE.has(dominant.cls) && dominant.share >= 0.5 && !(matching.length && envShare < 0.5) && !configConsistent) {
      // Frames show where a failing call was made, not what broke: a refused or unresolvable peer is not our code.
      if (!strongCode) con.push({ weight: 1.0, reason: `the failures are ${dominant.cls} failures (${Math.round(dominant.share * 100)}%), which point below the code` });
      else if (locus?.external && ['refused', 'dns', 'tls', 'unavailable'].includes(dominant.cls) && !leak) con.push({ weight: 0.9, reason: `the calls to ${locus.service} fail as ${dominant.cls}: the frames show where they were made, not what broke` });
    }
    if (strongCode && !leak && !named && age > 3 * HOUR) con.push({ weight: 0.4, reason: `its lines fail only now, ${(age / HOUR).toFixed(1)} h after it went out: something else triggered it` });
    // Against: too old to be the trigger, with nothing to say it is.
    if (!strongCode) {
      if (age > 24 * HOUR) con.push({ weight: 1.2, reason: `it went out ${Math.round(age / HOUR)} h before the onset` });
      else if (age > 3 * HOUR) con.push({ weight: 0.6, reason: `it went out ${(age / HOUR).toFixed(1)} h before the onset` });
    }
    if (age < -2 * MIN) con.push({ weight: Math.min(1.5, (-age / MIN) * 0.2), reason: `it went out ${Math.round(-age / MIN)} min after the estimated onset` });
    if (s.files.length && s.files.every((p) => /(^|\/)(docs?|tests?|__tests__|spec)\/|\.(md|rst|txt)$/i.test(p))) con.push({ weight: 2, reason: 'it changes only docs or tests' });
    // A commit whose paths name no service belongs to the service whose failing frames point into it.
    const frameService = s.strength.code >= 0.6 ? f.stackFrames.find((fr) => fr.service && s.files.some((p) => p === fr.path || p.endsWith(fr.path) || fr.path.endsWith(p)))?.service : undefined;
    const service = (locusSvc && touches.includes(locusSvc) ? locusSvc : undefined) ?? touches.find((t) => c.services.includes(t)) ?? touches[0] ?? frameService ?? carries?.services[0] ?? flagService ?? (c.services.length === 1 ? c.services[0] : undefined);
    // What it changes decides the kind: configuration files make a configuration change, whatever the mechanism.
    const configOnly = s.files.length > 0 && s.files.every((p) => CONFIG_FILE.test(p) && !PACKAGE_MANIFEST.test(p));
    const kind = (s.strength.config && !leak && s.strength.code < 0.9) || configOnly ? 'config-change' : 'code-change';
    out.push({
      key: `${kind}|${s.sha}`,
      causeKind: kind,
      mechanism,
      ...(service ? { service } : {}),
      suspect: s,
      ...(leak ? { leak } : {}),
      pro,
      con,
      sentence: `the ${kind === 'config-change' ? 'configuration change' : 'change'} ${s.sha.slice(0, 8)} "${s.message}"${s.location ? ` at ${formatLocation(s.location)}` : ''}`,
    });
  }
  return out;
}
