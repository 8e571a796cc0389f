// Online log template mining and before/after-onset pattern comparison.
//
// The miner starts from Drain's idea (templates kept per token count and leading token, variable
// positions become <*>) but decides what is variable from evidence instead of one similarity
// threshold, which is what made Drain need per-dataset settings:
// 1. Masking (logs/tokens.ts): digit-bearing parts of a token, hex ids, MAC/UUID/IP groups, paths
//    with digits, units after numbers, day/month names. A line's masked form is hashed in one pass,
//    so a line of a known form is an O(length) lookup with no allocation (the hot path).
// 2. A new masked form joins a template when every position either agrees, or both sides are
//    values that can share a slot (logs/values.ts: dotted names, paths, quoted strings, key=value
//    values), while plain words must agree: `data address: <*>` and `instruction address: <*>`
//    stay apart, `name=com.a.b` and `name=android` do not.
// 3. Lines that differ in one plain word at one position merge once that position has shown
//    distinctValuesForVariable values (`user alice/bob/carol`), but two values do not (`Link ok`,
//    `Link error`). Merges keep the older template's id; resolveId maps ids handed out earlier.
// Memory is bounded: at most maxTemplates templates (then an 'other' template), capped tokens per
// line and characters per token, and bounded caches.
import type { LogLevel, LogRecord } from '../core/model';
import { maskedTokens, scanMaskedLine, WILDCARD as wildcardToken, type MaskedLineHash } from './logs/tokens';
import {
  describeTokens, HasWildcard, interchangeable, LooksLikeValue, looksLikeValue, StartsWithWildcard, type TokenDescription,
} from './logs/values';

// Local copies: hot loops use them, and some loaders turn every use of an import into a getter call.
const WILDCARD: string = wildcardToken;
const scanLine = scanMaskedLine;

export interface MinerOptions {
  /**
   * Lines that differ from each other in one word only, at one position, share a template once
   * that position has taken this many distinct values: a variable, not a different event.
   */
  distinctValuesForVariable: number;
  maxTokens: number;
  maxTokenLength: number;
  maxLineLength: number;
  /** Beyond this many templates, unmatched lines go to one 'other' template (bounded memory). */
  maxTemplates: number;
  maxSamples: number;
  maxSampleLength: number;
}

export const defaultMinerOptions: MinerOptions = {
  distinctValuesForVariable: 3,
  maxTokens: 128,
  maxTokenLength: 256,
  maxLineLength: 16384,
  maxTemplates: 5000,
  maxSamples: 3,
  maxSampleLength: 512,
};

export interface LogTemplate {
  id: string;
  template: string;
  count: number;
  samples: string[];
}

interface Group {
  id: string;
  tokens: string[];
  count: number;
  samples: string[];
  /** Set when this group was merged into another (union-find link). */
  parent: Group | undefined;
  /** How many positions became wildcards by merging (generalized groups are matched by template). */
  mergedWildcards: number;
  /** tokens joined, cached until the tokens change. */
  template: string | undefined;
  /** Per token: the value flags (see logs/values) and the `key=` part, worked out once for the variant matching. */
  flags: Uint8Array;
  keys: string[];
  /** The byShape list that holds this group while it is live. */
  shape: Group[] | undefined;
}

/** A masked line seen before, found by its hash; chained when 30-bit keys collide. */
interface SeenLine {
  h2: number;
  tokenCount: number;
  group: Group;
  next: SeenLine | undefined;
}

/** Groups whose templates agree everywhere but at one position, and the values seen there. */
interface Skeleton {
  /** Second hash of the skeleton, checked on lookup (the map is keyed by the first). */
  check: number;
  values: string[];
  groups: Group[];
  mergedInto: Group | undefined;
  next: Skeleton | undefined;
}

export const OTHER_TEMPLATE_ID = 'other';

/**
 * A line of a new shape is compared with at most this many templates of its length and leading
 * token (the newest), so a flood of distinct lines costs bounded time per line.
 */
const maxCandidates = 128;

export class LogTemplateMiner {
  private readonly opts: MinerOptions;
  private readonly groups: Group[] = [];
  /**
   * Masked line (by its 64-bit hash and token count) -> the group it first joined; follow parent
   * links for the current one. Hashing instead of keying by the masked text keeps the common case,
   * a line of a known shape, free of allocation.
   */
  private readonly seenLines = new Map<number, SeenLine>();
  private readonly lineHash: MaskedLineHash = { h1: 0, h2: 0, tokenCount: 0 };
  /** Groups by token count and leading token, as in Drain's first tree levels. */
  private readonly byShape = new Map<string, Group[]>();
  private readonly skeletons = new Map<number, Skeleton>();
  private skeletonCount = 0;
  private other: Group | undefined;

  constructor(opts?: Partial<MinerOptions>) {
    this.opts = { ...defaultMinerOptions, ...opts };
  }

  /**
   * Mines one message (the line without its header; see logs/header.ts). The returned id may later
   * be merged into an older template as variables show up: resolveId gives the current one.
   */
  add(content: string): { templateId: string; template: string; isNew: boolean } {
    if (typeof content !== 'string') content = String(content ?? '');
    const hash = this.lineHash;
    scanLine(content, this.opts, hash);
    const slot = hash.h1 & 0x3fffffff;
    let seen = this.seenLines.get(slot);
    while (seen !== undefined && (seen.h2 !== hash.h2 || seen.tokenCount !== hash.tokenCount)) seen = seen.next;
    let group: Group;
    let isNew = false;
    if (seen) group = root(seen.group);
    else {
      const h2 = hash.h2;
      const tokenCount = hash.tokenCount;
      const tokens = maskedTokens(content, this.opts);
      const lead = tokens[0] ?? '';
      const shapeKey = `${tokens.length} ${looksLikeValue(lead) ? WILDCARD : lead}`;
      const shape = this.byShape.get(shapeKey);
      let lineDescription: TokenDescription | undefined;
      let matched = shape && this.matchGeneralized(shape, tokens);
      if (shape && !matched) {
        lineDescription = describeTokens(tokens);
        matched = this.matchIdentifierVariant(shape, tokens, lineDescription);
      }
      if (matched) group = matched;
      else if (this.groups.length < this.opts.maxTemplates) {
        const description = lineDescription ?? describeTokens(tokens);
        group = { id: `T${this.groups.length + 1}`, tokens, count: 0, samples: [], parent: undefined, mergedWildcards: 0, template: undefined, flags: description.flags, keys: description.keys, shape };
        this.groups.push(group);
        if (shape) shape.push(group); else this.byShape.set(shapeKey, (group.shape = [group]));
        const created = group;
        group = this.registerSkeletons(group);
        // A new line that at once proves a position variable joins the older template instead.
        isNew = group === created;
      } else {
        group = this.other ??= { id: OTHER_TEMPLATE_ID, tokens: [WILDCARD], count: 0, samples: [], parent: undefined, mergedWildcards: 0, template: undefined, ...describeTokens([WILDCARD]), shape: undefined };
        isNew = group.count === 0;
      }
      if (group !== this.other) {
        // The seen-line index is a cache: a flood of distinct lines resets it instead of growing it.
        if (this.seenLines.size >= this.opts.maxTemplates * 20) this.seenLines.clear();
        this.seenLines.set(slot, { h2, tokenCount, group, next: this.seenLines.get(slot) });
      }
    }
    group.count++;
    if (group.samples.length < this.opts.maxSamples) group.samples.push(content.slice(0, this.opts.maxSampleLength));
    return { templateId: group.id, template: (group.template ??= group.tokens.join(' ')), isNew };
  }

  /** The id that a template id handed out earlier has now (templates merge as variables show up). */
  resolveId(templateId: string): string {
    if (templateId === OTHER_TEMPLATE_ID) return templateId;
    const group = this.groups[Number(templateId.slice(1)) - 1];
    return group ? root(group).id : templateId;
  }

  templates(): LogTemplate[] {
    const live = this.groups.filter((g) => g.parent === undefined);
    if (this.other) live.push(this.other);
    return live.map((g) => ({ id: g.id, template: (g.template ??= g.tokens.join(' ')), count: g.count, samples: [...g.samples] }));
  }

  /** The most specific generalized template that the line fits, if any. */
  private matchGeneralized(shape: Group[], tokens: string[]): Group | undefined {
    let best: Group | undefined;
    let examined = 0;
    for (let k = shape.length - 1; k >= 0 && examined < maxCandidates; k--) {
      const g = shape[k];
      examined++;
      if (g.mergedWildcards === 0) continue;
      if (best && g.mergedWildcards >= best.mergedWildcards) continue;
      let fits = true;
      for (let i = 0; i < tokens.length && fits; i++) if (g.tokens[i] !== WILDCARD && g.tokens[i] !== tokens[i]) fits = false;
      if (fits) best = g;
    }
    return best;
  }

  /**
   * A template that the line matches except where both sides hold identifier-like tokens
   * (names with dots, slashes, ids): those are values, while plain words must agree.
   */
  private matchIdentifierVariant(shape: Group[], tokens: string[], line: TokenDescription): Group | undefined {
    let best: Group | undefined;
    let bestEqual = -1;
    let bestDiffering: number[] = [];
    let examined = 0;
    for (let k = shape.length - 1; k >= 0 && examined < maxCandidates; k--) {
      const g = shape[k];
      examined++;
      let equal = 0;
      const differing: number[] = [];
      let compatible = true;
      for (let i = 0; i < tokens.length && compatible; i++) {
        const a = g.tokens[i];
        const b = tokens[i];
        if (a === b) equal++;
        else if (a === WILDCARD) continue;
        // The leading token names the event unless both sides hold a masked id (`task_<*>_m_<*>`).
        else if (i === 0 && !(g.flags[0] & line.flags[0] & HasWildcard)) compatible = false;
        else if (interchangeable(g.keys[i], g.flags[i], a.length, line.keys[i], line.flags[i], b.length)) differing.push(i);
        else compatible = false;
      }
      if (compatible && differing.length > 0 && equal >= differing.length && equal >= bestEqual) {
        best = g; bestEqual = equal; bestDiffering = differing;
      }
    }
    if (!best) return undefined;
    for (const i of bestDiffering) setWildcard(best, i);
    best.template = undefined;
    best.mergedWildcards += bestDiffering.length;
    return best;
  }

  /** Records the group's one-position skeletons; merges it when a position proves variable. */
  private registerSkeletons(group: Group): Group {
    const tokens = [...group.tokens];
    const keys = skeletonKeys(tokens, [...group.keys]);
    // Position 0 stays a constant, as in Drain's tree: the leading word usually names the event.
    for (let q = 1; q < tokens.length; q++) {
      if (tokens[q] === WILDCARD) continue;
      const slot = keys[2 * q];
      const check = keys[2 * q + 1];
      let skeleton = this.skeletons.get(slot);
      while (skeleton !== undefined && skeleton.check !== check) skeleton = skeleton.next;
      if (!skeleton) {
        if (this.skeletonCount >= this.opts.maxTemplates * 16) continue;
        skeleton = { check, values: [], groups: [], mergedInto: undefined, next: this.skeletons.get(slot) };
        this.skeletons.set(slot, skeleton);
        this.skeletonCount++;
      }
      if (skeleton.mergedInto) {
        this.union(root(skeleton.mergedInto), root(group), q);
        continue;
      }
      if (!skeleton.values.includes(tokens[q])) skeleton.values.push(tokens[q]);
      skeleton.groups.push(group);
      if (skeleton.values.length >= this.opts.distinctValuesForVariable) {
        let target = root(skeleton.groups[0]);
        for (const g of skeleton.groups) target = this.union(target, root(g), q);
        skeleton.mergedInto = target;
        skeleton.groups = [];
        skeleton.values = [];
      }
    }
    return root(group);
  }

  /** Merges two groups, keeping the older id; position q and any disagreement become wildcards. */
  private union(a: Group, b: Group, q: number): Group {
    if (a === b) {
      if (a.tokens[q] !== WILDCARD) { setWildcard(a, q); a.mergedWildcards++; a.template = undefined; }
      return a;
    }
    const [keep, gone] = Number(a.id.slice(1)) <= Number(b.id.slice(1)) ? [a, b] : [b, a];
    for (let i = 0; i < keep.tokens.length; i++) {
      if (keep.tokens[i] !== WILDCARD && (i === q || keep.tokens[i] !== gone.tokens[i])) {
        setWildcard(keep, i);
        keep.mergedWildcards++;
        keep.template = undefined;
      }
    }
    gone.parent = keep;
    // Shape lists hold live groups only, so their scans stay short.
    if (gone.shape) {
      const at = gone.shape.indexOf(gone);
      if (at >= 0) gone.shape.splice(at, 1);
      gone.shape = undefined;
    }
    keep.count += gone.count;
    for (const s of gone.samples) if (keep.samples.length < this.opts.maxSamples) keep.samples.push(s);
    return keep;
  }
}

function setWildcard(group: Group, i: number): void {
  group.tokens[i] = WILDCARD;
  group.flags[i] = LooksLikeValue | HasWildcard | StartsWithWildcard;
  group.keys[i] = '';
}

function root(group: Group): Group {
  let g = group;
  while (g.parent !== undefined) g = g.parent;
  // Path compression keeps later lookups short.
  let h = group;
  while (h.parent !== undefined && h.parent !== g) { const next: Group = h.parent; h.parent = g; h = next; }
  return g;
}

function hashToken(token: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * For each position q, two 32-bit hashes (at 2q and 2q+1) naming the line with q left out, and
 * q's `key=`, so values of different keys never share a slot. Rolling prefix and suffix hashes
 * keep this linear in the line.
 */
function skeletonKeys(tokens: string[], tokenKeys: string[]): Int32Array {
  const n = tokens.length;
  const h1 = new Int32Array(n);
  const h2 = new Int32Array(n);
  for (let i = 0; i < n; i++) { h1[i] = hashToken(tokens[i], 2166136261); h2[i] = hashToken(tokens[i], 374761393); }
  const pre1 = new Int32Array(n + 1);
  const pre2 = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    pre1[i + 1] = Math.imul(pre1[i], 1000003) + h1[i];
    pre2[i + 1] = Math.imul(pre2[i], 999983) + h2[i];
  }
  const keys = new Int32Array(2 * n);
  let suf1 = n;
  let suf2 = n;
  for (let q = n - 1; q >= 0; q--) {
    const key = tokenKeys[q];
    const k1 = key ? hashToken(key, 2166136261) : 0;
    const k2 = key ? hashToken(key, 374761393) : 0;
    keys[2 * q] = (Math.imul(pre1[q] ^ Math.imul(suf1, 0x5bd1e995), 0x27d4eb2d) ^ k1 ^ q) & 0x3fffffff;
    keys[2 * q + 1] = Math.imul(pre2[q] + Math.imul(suf2, 0x165667b1), 0x2545f491) ^ k2 ^ Math.imul(q, 0x9e3779b1);
    suf1 = Math.imul(suf1, 1000033) + h1[q];
    suf2 = Math.imul(suf2, 999979) + h2[q];
  }
  return keys;
}

export interface PatternStat {
  /** The template id (stable within one report). */
  id: string;
  template: string;
  /** The most common level among the pattern's records. */
  level: LogLevel;
  /** The most common service among the pattern's records, when they name one. */
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
}

const levelOrder: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'unknown'];
const levelIndex = new Map<LogLevel, number>(levelOrder.map((l, i) => [l, i]));
const maxBuckets = 1000;
const maxSampleChars = 512;

interface PatternAccumulator {
  id: string;
  template: string;
  countBefore: number;
  countAfter: number;
  firstSeen: number;
  levels: Int32Array;
  services: Map<string, number> | undefined;
  samplesAfter: string[];
  samplesBefore: string[];
  /** Set for the patterns the report keeps: their counts per bucket. */
  buckets: Int32Array | undefined;
}

/**
 * Mines the templates of `records` and compares each template's rate before and after `onset`:
 * which patterns are new, which grew, with per-bucket counts for a chart. Records need not be
 * sorted. Sorted by interest: new error patterns first, then the biggest rate increases.
 */
export function comparePatterns(records: LogRecord[], onset: number, opts?: ComparePatternsOptions): PatternReport {
  if (!Number.isFinite(onset)) throw new RangeError(`comparePatterns: onset must be a time in ms, got ${String(onset)}`);
  const maxPatterns = Math.max(0, Math.floor(opts?.maxPatterns ?? 50));
  const maxSamples = Math.max(0, Math.floor(opts?.maxSamples ?? 3));
  const miner = new LogTemplateMiner({ maxSamples: 0 });

  // Pass 1: mine every record; remember each record's template slot.
  const slotOfRecord = new Int32Array(records.length).fill(-1);
  const slotById = new Map<string, number>();
  const idOfSlot: string[] = [];
  let minTime = Infinity;
  let maxTime = -Infinity;
  for (let r = 0; r < records.length; r++) {
    const record = records[r];
    const time = record?.time;
    if (typeof time !== 'number' || !Number.isFinite(time)) continue;
    if (time < minTime) minTime = time;
    if (time > maxTime) maxTime = time;
    const body = typeof record.body === 'string' ? record.body : String(record.body ?? '');
    const { templateId } = miner.add(body);
    let slot = slotById.get(templateId);
    if (slot === undefined) { slot = idOfSlot.length; idOfSlot.push(templateId); slotById.set(templateId, slot); }
    slotOfRecord[r] = slot;
  }
  if (idOfSlot.length === 0) return { onset, patterns: [] };

  // Templates merge as the miner learns: map every slot to its final template.
  const templateById = new Map(miner.templates().map((t) => [t.id, t.template]));
  const accumulatorOfSlot: PatternAccumulator[] = [];
  const accumulatorById = new Map<string, PatternAccumulator>();
  for (const id of idOfSlot) {
    const finalId = miner.resolveId(id);
    let acc = accumulatorById.get(finalId);
    if (!acc) {
      acc = {
        id: finalId, template: templateById.get(finalId) ?? '', countBefore: 0, countAfter: 0, firstSeen: Infinity,
        levels: new Int32Array(levelOrder.length), services: undefined, samplesAfter: [], samplesBefore: [], buckets: undefined,
      };
      accumulatorById.set(finalId, acc);
    }
    accumulatorOfSlot.push(acc);
  }

  const span = Math.max(1, maxTime - minTime + 1);
  let bucketMs = opts?.bucketMs !== undefined && Number.isFinite(opts.bucketMs) && opts.bucketMs > 0 ? opts.bucketMs : Math.max(1000, Math.ceil(span / 60 / 1000) * 1000);
  if (span / bucketMs > maxBuckets) bucketMs = Math.ceil(span / maxBuckets);
  const bucketStart = Math.floor(minTime / bucketMs) * bucketMs;
  const bucketCount = Math.floor((maxTime - bucketStart) / bucketMs) + 1;

  // Pass 2: counts, levels, services, samples, buckets.
  for (let r = 0; r < records.length; r++) {
    const slot = slotOfRecord[r];
    if (slot < 0) continue;
    const record = records[r];
    const acc = accumulatorOfSlot[slot];
    const after = record.time >= onset;
    if (after) acc.countAfter++; else acc.countBefore++;
    if (record.time < acc.firstSeen) acc.firstSeen = record.time;
    acc.levels[levelIndex.get(record.level) ?? levelOrder.length - 1]++;
    if (record.service) {
      acc.services ??= new Map();
      acc.services.set(record.service, (acc.services.get(record.service) ?? 0) + 1);
    }
    const samples = after ? acc.samplesAfter : acc.samplesBefore;
    if (samples.length < maxSamples) {
      const body = typeof record.body === 'string' ? record.body : String(record.body ?? '');
      samples.push(body.length > maxSampleChars ? body.slice(0, maxSampleChars) : body);
    }
  }

  // Rates use the observed time on each side of the onset, at least a minute, so a short window
  // does not turn two lines into a storm.
  const minutesBefore = Math.max(1, (onset - minTime) / 60000);
  const minutesAfter = Math.max(1, (maxTime - onset) / 60000);
  // Half a record over the longer window: enough to keep 0 -> few finite, small enough to notice.
  const smoothing = 0.5 / Math.max(minutesBefore, minutesAfter);
  const stats: PatternStat[] = [];
  const accumulatorOfStat = new Map<PatternStat, PatternAccumulator>();
  for (const acc of accumulatorById.values()) {
    let level = 0;
    for (let l = 1; l < acc.levels.length; l++) if (acc.levels[l] > acc.levels[level]) level = l;
    let service: string | undefined;
    let serviceCount = 0;
    for (const [name, count] of acc.services ?? []) if (count > serviceCount) { service = name; serviceCount = count; }
    const ratePerMinBefore = acc.countBefore / minutesBefore;
    const ratePerMinAfter = acc.countAfter / minutesAfter;
    const stat: PatternStat = {
      id: acc.id,
      template: acc.template,
      level: levelOrder[level],
      countBefore: acc.countBefore,
      countAfter: acc.countAfter,
      ratePerMinBefore,
      ratePerMinAfter,
      isNew: acc.firstSeen >= onset,
      rateChange: Math.log2((ratePerMinAfter + smoothing) / (ratePerMinBefore + smoothing)),
      buckets: [],
      samples: [...acc.samplesAfter, ...acc.samplesBefore].slice(0, maxSamples),
    };
    if (service !== undefined) stat.service = service;
    stats.push(stat);
    accumulatorOfStat.set(stat, acc);
  }
  stats.sort(byInterest);
  const kept = stats.slice(0, maxPatterns);

  // Pass 3: buckets, only for the patterns kept.
  for (const stat of kept) accumulatorOfStat.get(stat)!.buckets = new Int32Array(bucketCount);
  for (let r = 0; r < records.length; r++) {
    const slot = slotOfRecord[r];
    if (slot < 0) continue;
    const counts = accumulatorOfSlot[slot].buckets;
    if (counts) counts[Math.floor((records[r].time - bucketStart) / bucketMs)]++;
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
function byInterest(a: PatternStat, b: PatternStat): number {
  const aNewError = a.isNew && isErrorLevel(a.level) ? 1 : 0;
  const bNewError = b.isNew && isErrorLevel(b.level) ? 1 : 0;
  if (aNewError !== bNewError) return bNewError - aNewError;
  if (a.rateChange !== b.rateChange) return b.rateChange - a.rateChange;
  if (a.countAfter !== b.countAfter) return b.countAfter - a.countAfter;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
