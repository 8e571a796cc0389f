// Before/after-onset comparison of log patterns: which templates are new, which grew, with
// per-bucket counts for a chart. The templates come from the miner in logs/miner.ts.
//
// Pattern ids derive from content (service, level and final template text), and records are mined
// per service and level in time order, so the same template gets the same id whichever subset of
// the logs was mined (all lines, or only warnings and errors) and in whatever order records arrive
// (two sources interleaved differently): evidence links keep pointing at the right pattern.
import type { LogLevel, LogRecord } from '../core/model';
import { LogTemplateMiner } from './logs/miner';

export interface PatternStat {
  /** Derived from service, level and template (patternId), so the same pattern has the same id in every report. */
  id: string;
  template: string;
  /** The level of the pattern's records: patterns are mined per service and level. */
  level: LogLevel;
  /** The service of the pattern's records, when they name one. */
  service?: string;
  countBefore: number;
  countAfter: number;
  ratePerMinBefore: number;
  ratePerMinAfter: number;
  /** First seen at or after the onset. */
  isNew: boolean;
  /** log2 of the smoothed after/before rate ratio: 1 means doubled, -1 halved. */
  rateChange: number;
  /** Records per time bucket over the whole span, zeros included; t is the bucket start. */
  buckets: { t: number; count: number }[];
  /** A few raw bodies, from after the onset first. */
  samples: string[];
}

export interface PatternReport {
  onset: number;
  patterns: PatternStat[];
}

export interface ComparePatternsOptions {
  /** Bucket width for PatternStat.buckets; by default the span split in about 60 buckets. */
  bucketMs?: number;
  /** How many patterns the report keeps, the most interesting first (default 50). */
  maxPatterns?: number;
  /** Sample bodies per pattern (default 3). */
  maxSamples?: number;
  /**
   * The time span of the whole set when `records` are part of it, split by level: rates and buckets are
   * over this span, and since every level is mined apart, templates and ids are too. Two reports over
   * the lines of disjoint levels are then one report over all lines, in two parts.
   */
  span?: { min: number; max: number };
}

const levels: ReadonlySet<string> = new Set<LogLevel>(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'unknown']);
const maxBuckets = 1000;
const maxSampleChars = 512;
/** Beyond this many services of one level, the rest of that level share one miner (bounded memory). */
const maxStreams = 512;

interface PatternAccumulator {
  key: string;
  template: string;
  level: LogLevel;
  service: string | undefined;
  countBefore: number;
  countAfter: number;
  firstSeen: number;
  samplesAfter: string[];
  samplesBefore: string[];
  /** Set for the patterns the report keeps: their counts per bucket. */
  buckets: Int32Array | undefined;
}

/** One miner per service and level, so a pattern's records share both and one stream cannot reshape another's templates. */
interface Stream {
  service: string | undefined;
  level: LogLevel;
  miner: LogTemplateMiner;
  /** Template handle -> slot in comparePatterns' handle table. */
  slots: Map<string, number>;
}

function fnv1a(text: string, seed: number, prime: number): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), prime);
  return h >>> 0;
}

/**
 * The id of a pattern: `p` and 12 hex digits of a hash of its service, level and template, so it
 * names the same pattern in every report. Within one report a collision (two patterns, one hash)
 * is resolved by comparePatterns in key order, `-2`, `-3` after the id.
 */
export function patternId(template: string, service?: string, level?: LogLevel): string {
  const key = `${service ?? ''}\u0000${level ?? ''}\u0000${template}`;
  const high = fnv1a(key, 0x811c9dc5, 16777619);
  const low = fnv1a(key, 0x9e3779b9, 0x01000193 ^ 0x5bd1e995) & 0xffff;
  return `p${high.toString(16).padStart(8, '0')}${low.toString(16).padStart(4, '0')}`;
}

function levelOf(record: LogRecord): LogLevel {
  return levels.has(record.level) ? record.level : 'unknown';
}

function bodyOf(record: LogRecord): string {
  return typeof record.body === 'string' ? record.body : String(record.body ?? '');
}

/**
 * Mines the templates of `records` and compares each template's rate before and after `onset`:
 * which patterns are new, which grew, with per-bucket counts for a chart. Records need not be
 * sorted: they are mined in time order, per service and level. Sorted by interest: new error
 * patterns first, then the biggest rate increases.
 */
export function comparePatterns(records: readonly LogRecord[], onset: number, opts?: ComparePatternsOptions): PatternReport {
  if (!Number.isFinite(onset)) throw new RangeError(`comparePatterns: onset must be a time in ms, got ${String(onset)}`);
  const maxPatterns = Math.max(0, Math.floor(opts?.maxPatterns ?? 50));
  const maxSamples = Math.max(0, Math.floor(opts?.maxSamples ?? 3));

  // The same records in any order give the same mining order: by time, then body.
  // Times are read once into a typed array: the passes below then touch a record only to mine it.
  const order: number[] = [];
  const times = new Float64Array(records.length);
  let minTime = Infinity;
  let maxTime = -Infinity;
  for (let r = 0; r < records.length; r++) {
    const time = records[r]?.time;
    if (typeof time !== 'number' || !Number.isFinite(time)) continue;
    order.push(r);
    times[r] = time;
    if (time < minTime) minTime = time;
    if (time > maxTime) maxTime = time;
  }
  if (order.length === 0) return { onset, patterns: [] };
  const whole = opts?.span;
  if (whole && Number.isFinite(whole.min) && Number.isFinite(whole.max)) {
    minTime = Math.min(minTime, whole.min);
    maxTime = Math.max(maxTime, whole.max);
  }
  order.sort((a, b) => {
    const d = times[a] - times[b];
    if (d !== 0) return d;
    const x = bodyOf(records[a]);
    const y = bodyOf(records[b]);
    return x < y ? -1 : x > y ? 1 : 0;
  });

  // Pass 1: mine; remember each record's (stream, template handle) slot.
  // Streams by service, then level; past maxStreams services of a level the rest of it share one miner.
  const streams = new Map<string | undefined, Map<LogLevel, Stream>>();
  const streamCount = new Map<LogLevel, number>();
  const shared = new Map<LogLevel, LogTemplateMiner>();
  const slotOfRecord = new Int32Array(records.length).fill(-1);
  const handles: { miner: LogTemplateMiner; id: string; service: string | undefined; level: LogLevel }[] = [];
  for (const r of order) {
    const record = records[r];
    const level = levelOf(record);
    const service = typeof record.service === 'string' ? record.service : undefined;
    let byLevel = streams.get(service);
    if (!byLevel) streams.set(service, (byLevel = new Map()));
    let stream = byLevel.get(level);
    if (!stream) {
      const n = streamCount.get(level) ?? 0;
      streamCount.set(level, n + 1);
      let miner = n < maxStreams ? new LogTemplateMiner({ maxSamples: 0 }) : shared.get(level);
      if (!miner) shared.set(level, (miner = new LogTemplateMiner({ maxSamples: 0 })));
      stream = { service, level, miner, slots: new Map() };
      byLevel.set(level, stream);
    }
    const { templateId } = stream.miner.add(bodyOf(record));
    let slot = stream.slots.get(templateId);
    if (slot === undefined) {
      slot = handles.length;
      handles.push({ miner: stream.miner, id: templateId, service, level });
      stream.slots.set(templateId, slot);
    }
    slotOfRecord[r] = slot;
  }

  // Templates merge as the miner learns: map every slot to its final template, keyed by content.
  const templatesOf = new Map<LogTemplateMiner, Map<string, string>>();
  const accumulatorOfSlot: PatternAccumulator[] = [];
  const accumulatorByKey = new Map<string, PatternAccumulator>();
  for (const handle of handles) {
    let templates = templatesOf.get(handle.miner);
    if (!templates) templatesOf.set(handle.miner, (templates = new Map(handle.miner.templates().map((t) => [t.id, t.template]))));
    const template = templates.get(handle.miner.resolveId(handle.id)) ?? '';
    const key = `${handle.service ?? ''}\u0000${handle.level}\u0000${template}`;
    let acc = accumulatorByKey.get(key);
    if (!acc) {
      acc = { key, template, level: handle.level, service: handle.service, countBefore: 0, countAfter: 0, firstSeen: Infinity, samplesAfter: [], samplesBefore: [], buckets: undefined };
      accumulatorByKey.set(key, acc);
    }
    accumulatorOfSlot.push(acc);
  }

  const span = Math.max(1, maxTime - minTime + 1);
  let bucketMs = opts?.bucketMs !== undefined && Number.isFinite(opts.bucketMs) && opts.bucketMs > 0 ? opts.bucketMs : Math.max(1000, Math.ceil(span / 60 / 1000) * 1000);
  if (span / bucketMs > maxBuckets) bucketMs = Math.ceil(span / maxBuckets);
  const bucketStart = Math.floor(minTime / bucketMs) * bucketMs;
  const bucketCount = Math.floor((maxTime - bucketStart) / bucketMs) + 1;

  // Pass 2, in time order: counts, first sighting, samples.
  for (const r of order) {
    const acc = accumulatorOfSlot[slotOfRecord[r]];
    const time = times[r];
    const after = time >= onset;
    if (after) acc.countAfter++; else acc.countBefore++;
    if (time < acc.firstSeen) acc.firstSeen = time;
    const samples = after ? acc.samplesAfter : acc.samplesBefore;
    if (samples.length < maxSamples) {
      const body = bodyOf(records[r]);
      samples.push(body.length > maxSampleChars ? body.slice(0, maxSampleChars) : body);
    }
  }

  // Content-derived ids; a hash shared by two patterns goes to them in key order.
  const byId = new Map<string, PatternAccumulator[]>();
  for (const acc of accumulatorByKey.values()) {
    const id = patternId(acc.template, acc.service, acc.level);
    const list = byId.get(id);
    if (list) list.push(acc); else byId.set(id, [acc]);
  }
  const idOf = new Map<PatternAccumulator, string>();
  for (const [id, list] of byId) {
    list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    list.forEach((acc, k) => idOf.set(acc, k === 0 ? id : `${id}-${k + 1}`));
  }

  // Rates use the observed time on each side of the onset, at least a minute, so a short window
  // does not turn two lines into a storm.
  const minutesBefore = Math.max(1, (onset - minTime) / 60000);
  const minutesAfter = Math.max(1, (maxTime - onset) / 60000);
  // Half a record over the longer window: enough to keep 0 -> few finite, small enough to notice.
  const smoothing = 0.5 / Math.max(minutesBefore, minutesAfter);
  const stats: PatternStat[] = [];
  const accumulatorOfStat = new Map<PatternStat, PatternAccumulator>();
  for (const acc of accumulatorByKey.values()) {
    const ratePerMinBefore = acc.countBefore / minutesBefore;
    const ratePerMinAfter = acc.countAfter / minutesAfter;
    const stat: PatternStat = {
      id: idOf.get(acc)!,
      template: acc.template,
      level: acc.level,
      countBefore: acc.countBefore,
      countAfter: acc.countAfter,
      ratePerMinBefore,
      ratePerMinAfter,
      isNew: acc.firstSeen >= onset,
      rateChange: Math.log2((ratePerMinAfter + smoothing) / (ratePerMinBefore + smoothing)),
      buckets: [],
      samples: [...acc.samplesAfter, ...acc.samplesBefore].slice(0, maxSamples),
    };
    if (acc.service !== undefined) stat.service = acc.service;
    stats.push(stat);
    accumulatorOfStat.set(stat, acc);
  }
  stats.sort(byInterest);
  const kept = stats.slice(0, maxPatterns);

  // Pass 3: buckets, only for the patterns kept.
  for (const stat of kept) accumulatorOfStat.get(stat)!.buckets = new Int32Array(bucketCount);
  for (const r of order) {
    const counts = accumulatorOfSlot[slotOfRecord[r]].buckets;
    if (counts) counts[Math.floor((times[r] - bucketStart) / bucketMs)]++;
  }
  for (const stat of kept) {
    const counts = accumulatorOfStat.get(stat)!.buckets!;
    for (let b = 0; b < bucketCount; b++) stat.buckets.push({ t: bucketStart + b * bucketMs, count: counts[b] });
  }
  return { onset, patterns: kept };
}

function isErrorLevel(level: LogLevel): boolean {
  return level === 'error' || level === 'fatal';
}

/** New error patterns first, then the biggest rate increases, then the busiest after the onset. */
export function byInterest(a: Pick<PatternStat, 'isNew' | 'level' | 'rateChange' | 'countAfter' | 'id'>, b: Pick<PatternStat, 'isNew' | 'level' | 'rateChange' | 'countAfter' | 'id'>): number {
  const aNewError = a.isNew && isErrorLevel(a.level) ? 1 : 0;
  const bNewError = b.isNew && isErrorLevel(b.level) ? 1 : 0;
  if (aNewError !== bNewError) return bNewError - aNewError;
  if (a.rateChange !== b.rateChange) return b.rateChange - a.rateChange;
  if (a.countAfter !== b.countAfter) return b.countAfter - a.countAfter;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
