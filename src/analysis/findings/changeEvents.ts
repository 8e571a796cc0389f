// Runtime changes the telemetry shows, besides commits: a feature flag flipped (OpenFeature
// `feature_flag.evaluation` span events changing variant, a flag service's log line), configuration set,
// pushed or reloaded, an operator's command in an audit log, a migration run, a node going away, a
// certificate's expiry (blackbox exporter's `probe_ssl_earliest_cert_expiry`). These are rare lines in
// the logs written in the vocabulary of change, or steps in configuration and flag gauges.
import type { LogRecord, Span } from '../../core/model';
import type { ChangeEventFinding } from '../../core/investigation';
import type { DerivedSeries } from '../series/derive';
import { errorClassesOf } from './errorClasses';

const MIN = 60_000;
/** A log template seen more often than this in the window is routine, not a change. */
const MAX_OCCURRENCES = 8;

const CHANGE_WORDS = /\b(chang(e|ed|ing)|updat(e|ed|ing)|set|sets|enabl(e|ed|ing)|disabl(e|ed|ing)|toggl(e|ed)|flag|flags|variant|rollout|rolled out|deploy(ed|ing|ment)?|releas(e|ed|ing)|migrat(e|ed|ion|ions|ing)|applying|apply|applied|reload(ed|ing)?|push(ed|ing)?|config(uration|ured)?|scal(e|ed|ing)|drain(ed|ing)?|cordon(ed)?|remov(e|ed|ing)|decommission(ed|ing)?|delet(e|ed|ing)|upgrad(e|ed|ing)|rotat(e|ed|ing)|expir(e|es|ed|ing)|delegat(e|ed|ing)|failover|playbook|command|executed|override|enforc(e|ed|ing)|grace period|maintenance|terminated|notready|not ready|restarting|restarted|evict(ed|ing)|preempt(ed)?|policy write)\b/i;
/** What a clock step is written as: the kernel's leap-second message, NTP's, a runtime's complaint. */
export const CLOCK_WORDS = /leap second|clock (step|jump)|time (went|jumped) backwards/i;
/** CHANGE_WORDS or CLOCK_WORDS in one pass over the lines. */
const CHANGE_OR_CLOCK = new RegExp(`${CHANGE_WORDS.source}|${CLOCK_WORDS.source}`, 'i');
const REQUEST_NOISE = /\b(GET|POST|PUT|DELETE|PATCH|HEAD) \/|\b[1-5]\d\d\b.*\b\d+(\.\d+)? ?ms\b|request_id=|latency_ms=/;

function kindOf(text: string): ChangeEventFinding['kind'] {
  if (/feature|flag|toggle|variant|experiment/i.test(text)) return 'flag';
  if (/migrat|alter table|schema|applying [a-z_]+\.\d/i.test(text)) return 'migration';
  if (/host error|host maintenance|nodenotready|node .*not ?ready|kernel|link status|bond\d|terminated|preempt|hardware|zone .*(down|outage)|power|cooling/i.test(text)) return 'infrastructure';
  if (/playbook|command|executed|\bran\b|action=|by user|user=|operator|manual|drain|cordon|decommission|removed from service|failover|override|session\.open/i.test(text)) return 'operation';
  if (/\bdeploy|release v?\d|rollout|rolled out|binary upgrade|push r\d|version .* (started|ready)|listening on|started \w+ in \d|server (started|listening)|\bready\b/i.test(text)) return 'deploy';
  if (/restart/i.test(text)) return 'restart';
  return 'config';
}

const MASK = /[0-9a-f]{6,}|\d+/gi;
const SPACE = /\s/;

function maskKey(r: LogRecord): string {
  // The first five words are enough; splitting only the start keeps this cheap on long lines.
  const words = String(r.body ?? '').slice(0, 200).split(/\s+/, 5).join(' ');
  return `${r.service ?? ''}|${r.level}|${words.replace(MASK, '#')}`;
}

/** The first word of maskKey's words, masked the same way. */
function firstWordOf(body: string): string {
  const head = body.length > 200 ? body.slice(0, 200) : body;
  const end = head.search(SPACE);
  return (end < 0 ? head : head.slice(0, end)).replace(MASK, '#');
}

/** Lower case with -, _ and . as one separator, so "site_config" names "site-config". */
function norm(s: string): string {
  return s.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Names with their normalized forms, computed once per call of changeEvents (there can be hundreds of hosts). */
type NormalizedNames = { name: string; norm: string }[];

function normalized(names: string[]): NormalizedNames {
  return names.map((name) => ({ name, norm: norm(name) })).filter((n) => n.norm.length >= 3);
}

function mentioned(text: string, names: NormalizedNames): string[] {
  const lower = norm(text);
  return names.filter(({ norm: name }) => {
    let i = lower.indexOf(name);
    while (i >= 0) {
      const before = i === 0 ? ' ' : lower[i - 1];
      const after = lower[i + name.length] ?? ' ';
      if (!/[a-z0-9]/.test(before) && !/[a-z0-9]/.test(after)) return true;
      i = lower.indexOf(name, i + 1);
    }
    return false;
  }).map((n) => n.name);
}

export interface ChangeEventInput {
  logs: readonly LogRecord[];
  spans: readonly Span[];
  series: DerivedSeries[];
  window: { start: number; end: number };
  knownServices: string[];
  knownHosts: string[];
  /** Patterns by id, to point log events at their pattern. */
  patternIdOf?: (r: LogRecord) => string | undefined;
  /**
   * Receives (up to 20 distinct) lines that speak of the clock (CLOCK_WORDS): a leap second is written once
   * per host, a routine template to the rule below, yet the one sign of the clock in the logs.
   */
  clockLines?: string[];
}

/**
 * The lines in the vocabulary of change (CHANGE_WORDS) that are no errors, by index; lines about the
 * clock go to `clockLines`. The one pass over every line, a function of its own so V8 compiles it small.
 */
function changeCandidates(logs: readonly LogRecord[], clockLines: string[] | undefined): number[] {
  const candidates: number[] = [];
  for (let i = 0; i < logs.length; i++) {
    const r = logs[i];
    if (!r || typeof r.body !== 'string' || !Number.isFinite(r.time) || r.level === 'error' || r.level === 'fatal') continue;
    const head = r.body.length > 400 ? r.body.slice(0, 400) : r.body;
    if (!CHANGE_OR_CLOCK.test(head)) continue;
    if (clockLines && clockLines.length < 20 && CLOCK_WORDS.test(head)) {
      const line = head.split('\n', 1)[0];
      if (!clockLines.includes(line)) clockLines.push(line);
    }
    if (CHANGE_WORDS.test(head)) candidates.push(i);
  }
  return candidates;
}

export function changeEvents(input: ChangeEventInput): ChangeEventFinding[] {
  const out: ChangeEventFinding[] = [];
  // Candidates first (rare: a line in the vocabulary of change that is no request log and no error);
  // only lines that could share a candidate's template (same service and level) get a template key.
  const candidates = changeCandidates(input.logs, input.clockLines);
  // A line shares a candidate's key only if it shares its service, level and first masked word: the
  // rest need no key (masking is per word, so equal keys have equal first words).
  // Only the candidates' keys are counted, and only until each is known to be routine.
  const streams = new Map<string, Set<string>>();
  const firstWords = new Set<string>();
  const counts = new Map<string, number>();
  for (const i of candidates) {
    const r = input.logs[i];
    const service = r.service ?? '';
    const levels = streams.get(service);
    if (levels) levels.add(r.level);
    else streams.set(service, new Set([r.level]));
    firstWords.add(firstWordOf(r.body));
    counts.set(maskKey(r), 0);
  }
  let open = counts.size;
  for (let i = 0; i < input.logs.length && open > 0; i++) {
    const r = input.logs[i];
    if (!r || typeof r.body !== 'string' || !streams.get(r.service ?? '')?.has(r.level) || !firstWords.has(firstWordOf(r.body))) continue;
    const k = maskKey(r);
    const n = counts.get(k);
    if (n === undefined) continue;
    counts.set(k, n + 1);
    if (n + 1 === MAX_OCCURRENCES + 1) open--;
  }
  const seenKeys = new Map<string, number>();
  const services = normalized(input.knownServices);
  const hosts = normalized(input.knownHosts);
  for (const i of candidates) {
    const r = input.logs[i];
    const key = maskKey(r);
    const n = counts.get(key) ?? 0;
    if (n > MAX_OCCURRENCES) continue;
    const text = r.body.split('\n', 1)[0].slice(0, 400);
    // Errors are symptoms, not changes (a "write ... i/o timeout" is not a write of configuration): they
    // are no candidates.
    if (!CHANGE_WORDS.test(text) || REQUEST_NOISE.test(text)) continue;
    const classes = errorClassesOf(text).filter((c) => c !== 'config' && c !== 'crash');
    if (classes.length && !/(change|set|enabl|disabl|flag|config|command|playbook|decommission|drain|maintenance|terminated|notready|not ready|failover|delegat|enforc)/i.test(text)) continue;
    // The same change written by many hosts at once is one change: keep the first of each template per minute.
    const last = seenKeys.get(key);
    if (last !== undefined && r.time - last < MIN) continue;
    seenKeys.set(key, r.time);
    const attrs = Object.entries(r.attributes ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(' ');
    const full = `${text} ${attrs}`;
    out.push({
      id: `log:${key}:${r.time}`,
      time: r.time,
      kind: kindOf(full),
      text,
      source: r.service ?? String(r.attributes?.['service.name'] ?? 'logs'),
      services: mentioned(full, services).filter((s) => s !== r.service || /\b(for|of|on|to|from) /.test(text)),
      hosts: mentioned(full, hosts),
      ref: input.patternIdOf?.(r) ?? `log:${r.time}`,
    });
  }
  out.push(...flagFlips(input.spans), ...gaugeSteps(input.series, input.window), ...certificateExpiries(input.series, input.window));
  return out.sort((a, b) => a.time - b.time).slice(0, 200);
}

/** A flag whose evaluations change variant: the first evaluation of a variant the service had not been getting. */
function flagFlips(spans: readonly Span[]): ChangeEventFinding[] {
  const evals = new Map<string, { time: number; variant: string; ref: string }[]>();
  for (const s of spans) {
    for (const e of s.events ?? []) {
      if (e.name !== 'feature_flag.evaluation' && e.name !== 'feature_flag') continue;
      const a = e.attributes ?? {};
      const key = a['feature_flag.key'];
      const variant = a['feature_flag.result.variant'] ?? a['feature_flag.variant'] ?? a['feature_flag.result.value'];
      if (typeof key !== 'string' || variant === undefined) continue;
      const k = `${s.service}\u0000${key}`;
      const list = evals.get(k) ?? [];
      if (list.length < 20_000) list.push({ time: e.time ?? s.startTime, variant: String(variant), ref: `${s.traceId}/${s.spanId}` });
      evals.set(k, list);
    }
  }
  const out: ChangeEventFinding[] = [];
  for (const [k, list] of evals) {
    const [service, key] = k.split('\u0000');
    list.sort((a, b) => a.time - b.time);
    const early = new Set(list.slice(0, Math.max(3, Math.floor(list.length / 4))).map((x) => x.variant));
    const flip = list.find((x) => !early.has(x.variant));
    if (!flip) continue;
    // A flip that sticks: most evaluations after it get the new variant.
    const after = list.filter((x) => x.time >= flip.time);
    if (after.filter((x) => x.variant === flip.variant).length < 0.5 * after.length) continue;
    out.push({ id: `flag:${service}:${key}:${flip.time}`, time: flip.time, kind: 'flag', text: `feature flag ${key} now evaluates to ${flip.variant} in ${service} (was ${[...early].join(', ')})`, source: 'span-event', services: [service], hosts: [], ref: flip.ref });
  }
  return out;
}

/** Steps in gauges that count configuration: applied revisions, generations, enabled flags. */
function gaugeSteps(series: DerivedSeries[], window: { start: number; end: number }): ChangeEventFinding[] {
  const out: ChangeEventFinding[] = [];
  for (const s of series) {
    if (s.derivation !== 'raw' || !/revision|generation|config|flag|enabled|applied|version_info|reload/.test(s.meaning.baseName) || /error|fail|total/.test(s.meaning.baseName)) continue;
    const v = s.values;
    for (let i = 1; i < v.length; i++) {
      if (v[i] !== v[i - 1] && s.timestamps[i] >= window.start && Number.isFinite(v[i]) && Number.isFinite(v[i - 1])) {
        out.push({ id: `metric:${s.id}:${s.timestamps[i]}`, time: s.timestamps[i], kind: /flag|enabled/.test(s.meaning.baseName) ? 'flag' : 'config', text: `${s.name} changed from ${v[i - 1]} to ${v[i]}`, source: 'metric', services: s.meaning.entity.service ? [s.meaning.entity.service] : [], hosts: s.meaning.entity.host ? [s.meaning.entity.host] : [], ref: s.id });
        break;
      }
    }
  }
  return out;
}

/** A certificate whose expiry (blackbox exporter's probe_ssl_earliest_cert_expiry, in seconds) falls inside the window. */
function certificateExpiries(series: DerivedSeries[], window: { start: number; end: number }): ChangeEventFinding[] {
  const out: ChangeEventFinding[] = [];
  for (const s of series) {
    if (!/cert.*expir|ssl.*expir|expiry_timestamp|not_after/.test(s.meaning.baseName)) continue;
    const last = s.values[s.values.length - 1];
    if (!Number.isFinite(last)) continue;
    const at = last > 1e11 ? last : last * 1000;
    if (at < window.start - 10 * MIN || at > window.end) continue;
    out.push({ id: `cert:${s.id}`, time: at, kind: 'config', text: `certificate of ${s.labels?.instance ?? s.labels?.target ?? s.name} expired at ${new Date(at).toISOString()}`, source: 'metric', services: s.meaning.entity.service ? [s.meaning.entity.service] : [], hosts: [], ref: s.id });
  }
  return out;
}
