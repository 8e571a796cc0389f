// Online log template mining.
//
// The miner starts from Drain's idea (templates kept per token count and leading token, variable
// positions become <*>) but decides what is variable from evidence instead of one similarity
// threshold, which is what made Drain need per-dataset settings:
// 1. Masking (tokens.ts): digit-bearing parts of a token, hex ids, MAC/UUID/IP groups, paths with
//    digits, units after numbers, day/month names. A line's masked form is hashed in one pass, so
//    a line of a known form is an O(length) lookup with no allocation (the hot path).
// 2. A new masked form joins a template when every position either agrees, or both sides are
//    values that can share a slot (values.ts: dotted names, paths, quoted strings, key=value
//    values), while plain words must agree: `data address: <*>` and `instruction address: <*>`
//    stay apart, `name=com.a.b` and `name=android` do not. A slot under a key keeps its key
//    (`name=<*>`), so it never takes another key's values.
// 3. Lines that differ in one plain word at one position merge once that position has shown
//    distinctValuesForVariable values (`user alice/bob/carol`), but two values do not (`Link ok`,
//    `Link error`). Merges keep the older template's id; resolveId maps ids handed out earlier.
// Every rule that is a design choice is a switch in MinerOptions; bench/loghub.ts chooses them by
// leave-one-system-out on LogHub, and the defaults are what all ten systems choose.
// Memory is bounded: at most maxTemplates templates (then an 'other' template), capped tokens per
// line and characters per token, and bounded caches.
import { defaultMinerOptions, type MinerOptions } from './minerOptions';
import { skeletonKeys } from './skeletons';
import { maskedTokens, scanMaskedLine, WILDCARD as wildcardToken, type MaskedLineHash } from './tokens';
import { describeToken, describeTokens, HasWildcard, interchangeable, keyOf, LooksLikeValue, looksLikeValue, type TokenDescription } from './values';

// Local copies: hot loops use them, and some loaders turn every use of an import into a getter call.
const WILDCARD: string = wildcardToken;
const scanLine = scanMaskedLine;

export interface LogTemplate {
  /** The miner's handle for the template; it may be merged into an older one (see resolveId). */
  id: string;
  template: string;
  count: number;
  samples: string[];
}

interface Group {
  id: string;
  /** Creation order; a merge keeps the older group. */
  serial: number;
  tokens: string[];
  count: number;
  samples: string[];
  /** Set when this group was merged into another (union-find link). */
  parent: Group | undefined;
  /** How many positions became wildcards by merging (generalized groups are matched by template). */
  mergedWildcards: number;
  /** tokens joined, cached until the tokens change. */
  template: string | undefined;
  /** Per token: the value flags (see values.ts) and the `key=` part, worked out once for the variant matching. */
  flags: Uint8Array;
  keys: string[];
  /** The byShape list that holds this group while it is live. */
  shape: Group[] | undefined;
  /** For a generalized group: per position, the other values seen there in lines that agree elsewhere, and their groups. */
  variants: Map<number, { values: string[]; groups: Group[] }> | undefined;
  /** Whether the group is filed in withVariables. */
  indexed: boolean;
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
  /** Templates that hold a variable, by leading token, for lines of other lengths (variableLengthSlots). */
  private readonly withVariables = new Map<string, Group[]>();
  /** Counts generalizations, so add() knows when to look for covered templates. */
  private generalizations = 0;
  private other: Group | undefined;

  constructor(opts?: Partial<MinerOptions>) {
    this.opts = { ...defaultMinerOptions, ...opts };
  }

  /**
   * Mines one message (the line without its header; see header.ts). The returned id may later be
   * merged into an older template as variables show up: resolveId gives the current one.
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
      const created = this.mineNewForm(maskedTokens(content, this.opts));
      group = created.group;
      isNew = created.isNew;
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

  /** The slow path: a masked form not seen before finds its template or starts one. */
  private mineNewForm(tokens: string[]): { group: Group; isNew: boolean } {
    const opts = this.opts;
    const shapeKey = opts.leadingTokenKey ? `${tokens.length} ${leadKey(tokens[0] ?? '')}` : String(tokens.length);
    const shape = this.byShape.get(shapeKey);
    const generalizationsBefore = this.generalizations;
    let description: TokenDescription | undefined;
    let group = shape && this.matchGeneralized(shape, tokens);
    if (shape && !group) {
      description = describeTokens(tokens);
      group = this.matchIdentifierVariant(shape, tokens, description);
    }
    if (!group && opts.variableLengthSlots > 0) group = this.matchVariableLength(tokens);
    let isNew = false;
    if (!group) {
      if (this.groups.length >= opts.maxTemplates) {
        const other = this.other ??= newGroup(OTHER_TEMPLATE_ID, -1, [WILDCARD], describeTokens([WILDCARD]), undefined);
        return { group: other, isNew: other.count === 0 };
      }
      const created = newGroup(`T${this.groups.length + 1}`, this.groups.length, tokens, description ?? describeTokens(tokens), shape);
      this.groups.push(created);
      if (shape) shape.push(created); else this.byShape.set(shapeKey, (created.shape = [created]));
      if (opts.variableLengthSlots > 0 && tokens.includes(WILDCARD)) this.indexVariables(created);
      group = this.registerSkeletons(created);
      if (group === created && opts.generalizedVariants && shape) group = this.registerGeneralizedVariant(shape, created);
      // A new line that at once proves a position variable joins the older template instead.
      isNew = group === created;
    }
    if (this.generalizations !== generalizationsBefore) {
      group = this.absorbCovered(root(group), opts.absorbCovered);
      if (opts.variableLengthSlots > 0) this.indexVariables(root(group));
    }
    return { group, isNew };
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
      if (coversTokens(g, tokens)) best = g;
    }
    return best;
  }

  /**
   * A template that the line matches except where both sides hold identifier-like tokens
   * (names with dots, slashes, ids): those are values, while plain words must agree.
   */
  private matchIdentifierVariant(shape: Group[], tokens: string[], line: TokenDescription): Group | undefined {
    const { valueSlots, maskedWordSlots, leadingTokenKey, similarity } = this.opts;
    if (!valueSlots && !maskedWordSlots && !(similarity > 0)) return undefined;
    let best: Group | undefined;
    let bestEqual = -1;
    let bestDiffering: number[] = [];
    let examined = 0;
    // Plain words that differ are allowed only under the similarity rule, up to this many.
    const maxWordDiffs = similarity > 0 ? Math.floor(tokens.length * (1 - similarity) + 1e-9) : 0;
    for (let k = shape.length - 1; k >= 0 && examined < maxCandidates; k--) {
      const g = shape[k];
      examined++;
      let equal = 0;
      const differing: number[] = [];
      let wordDiffs = 0;
      let compatible = true;
      for (let i = 0; i < tokens.length && compatible; i++) {
        const a = g.tokens[i];
        const b = tokens[i];
        if (a === b) equal++;
        // A variable proven by merges takes anything; one from masking (a number, a path) takes values only.
        else if (g.mergedWildcards > 0 && fitsSlot(a, g.keys[i], b)) continue;
        // The leading token names the event unless both sides hold a masked id (`task_<*>_m_<*>`).
        else if (i === 0 && leadingTokenKey && !(g.flags[0] & line.flags[0] & HasWildcard)) compatible = false;
        else if (valueSlots && interchangeable(g.keys[i], g.flags[i], a.length, line.keys[i], line.flags[i], b.length)) differing.push(i);
        // A masked name is one word; a quoted phrase with spaces keeps its structure.
        else if (maskedWordSlots && g.keys[i] === line.keys[i] && g.flags[i] & line.flags[i] & HasWildcard && !a.includes(' ') && !b.includes(' ')) differing.push(i);
        else if (wordDiffs < maxWordDiffs) { wordDiffs++; differing.push(i); }
        else compatible = false;
      }
      if (compatible && differing.length > 0 && equal >= differing.length && equal >= bestEqual) {
        best = g; bestEqual = equal; bestDiffering = differing;
      }
    }
    if (!best) return undefined;
    for (const i of bestDiffering) this.generalize(best, i, tokens[i]);
    return best;
  }

  /** Files a template that holds a variable under its leading token, once. */
  private indexVariables(group: Group): void {
    if (group.indexed || group.parent !== undefined) return;
    group.indexed = true;
    const key = this.opts.leadingTokenKey ? leadKey(group.tokens[0] ?? '') : '';
    const list = this.withVariables.get(key);
    if (list) list.push(group); else this.withVariables.set(key, [group]);
  }

  /**
   * A template of another length that the line fits when one of its variables stands for a run
   * of up to variableLengthSlots + 1 tokens of the line, or for none, between constants that agree.
   */
  private matchVariableLength(tokens: string[]): Group | undefined {
    const list = this.withVariables.get(this.opts.leadingTokenKey ? leadKey(tokens[0] ?? '') : '');
    if (!list) return undefined;
    const n = tokens.length;
    let examined = 0;
    for (let k = list.length - 1; k >= 0 && examined < maxCandidates; k--) {
      const g = list[k];
      // Merged groups leave the list here rather than at merge time.
      if (g.parent !== undefined) { list.splice(k, 1); continue; }
      const m = g.tokens.length;
      const extra = n - m;
      if (extra === 0 || extra < -1 || extra > this.opts.variableLengthSlots) continue;
      examined++;
      let constantBefore = false;
      for (let at = 0; at < m && at <= n; at++) {
        const a = g.tokens[at];
        if (a === WILDCARD && constantBefore && suffixFits(g, tokens, at)) return g;
        if (at >= n || !(a === tokens[at] || fitsSlot(a, g.keys[at], tokens[at]))) break;
        if (a !== WILDCARD) constantBefore = true;
      }
    }
    return undefined;
  }

  /**
   * Merges into a template that just gained a variable the live templates of its shape that now
   * read the same (always: one template, one pattern) or, with `covered`, that it covers.
   */
  private absorbCovered(group: Group, covered: boolean): Group {
    let target = group;
    const shape = target.shape;
    if (!shape) return target;
    // The newest maxCandidates, as in the matching, so a flood of templates costs bounded time.
    const candidates = shape.slice(-maxCandidates);
    for (const other of candidates) {
      if (other === target || other.parent !== undefined) continue;
      if (covered ? coversTokens(target, other.tokens) : sameTokens(target.tokens, other.tokens)) target = this.union(target, other, -1);
    }
    return target;
  }

  /**
   * Records a new group as a one-word variant of the newest generalized template it fits but for
   * one position; once that position has shown distinctValuesForVariable values, it becomes a
   * variable and the variants merge into the template.
   */
  private registerGeneralizedVariant(shape: Group[], group: Group): Group {
    const tokens = group.tokens;
    const from = this.opts.leadingTokenKey ? 1 : 0;
    let examined = 0;
    for (let k = shape.length - 1; k >= 0 && examined < maxCandidates; k--) {
      const g = shape[k];
      if (g === group || g.mergedWildcards === 0) continue;
      examined++;
      let at = -1;
      for (let i = 0; i < tokens.length; i++) {
        const a = g.tokens[i];
        if (a === tokens[i] || fitsSlot(a, g.keys[i], tokens[i])) continue;
        if (at >= 0 || i < from) { at = -2; break; }
        at = i;
      }
      if (at < 0) continue;
      if (this.opts.keyedWordsConstant && g.keys[at].length > 0 && !(g.flags[at] & LooksLikeValue)) return group;
      g.variants ??= new Map();
      let variant = g.variants.get(at);
      if (!variant) g.variants.set(at, (variant = { values: [g.tokens[at]], groups: [] }));
      if (!variant.values.includes(tokens[at])) variant.values.push(tokens[at]);
      variant.groups.push(group);
      if (variant.values.length < this.opts.distinctValuesForVariable) return group;
      let target = root(g);
      for (const member of variant.groups) target = this.union(target, root(member), at);
      g.variants.delete(at);
      return target;
    }
    return group;
  }

  /** Records the group's one-position skeletons; merges it when a position proves variable. */
  private registerSkeletons(group: Group): Group {
    const tokens = [...group.tokens];
    const keys = skeletonKeys(tokens, [...group.keys]);
    // Position 0 stays a constant, as in Drain's tree: the leading word usually names the event.
    const keyedWordsConstant = this.opts.keyedWordsConstant;
    for (let q = this.opts.leadingTokenKey ? 1 : 0; q < tokens.length; q++) {
      if (tokens[q] === WILDCARD) continue;
      if (keyedWordsConstant && group.keys[q].length > 0 && !(group.flags[q] & LooksLikeValue)) continue;
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

  /**
   * Makes position i of the group a variable that also takes `other`: `key=<*>` when both carry
   * the same `key=`, else `<*>`. Returns whether the template changed.
   */
  private generalize(group: Group, i: number, other: string): boolean {
    const current = group.tokens[i];
    if (current === WILDCARD) {
      // A variable from masking that takes another kind of value is now proven by a merge too.
      if (group.mergedWildcards > 0) return false;
      group.mergedWildcards = 1;
      this.generalizations++;
      return true;
    }
    const key = group.keys[i];
    const slot = key.length > 0 && keyOf(other) === key ? key + WILDCARD : WILDCARD;
    if (current === slot) return false;
    group.tokens[i] = slot;
    group.flags[i] = describeToken(slot);
    group.keys[i] = slot === WILDCARD ? '' : key;
    group.mergedWildcards++;
    group.template = undefined;
    this.generalizations++;
    return true;
  }

  /** Merges two groups, keeping the older id; position q and any disagreement become variables. */
  private union(a: Group, b: Group, q: number): Group {
    if (a === b) {
      if (q >= 0) this.generalize(a, q, a.tokens[q]);
      return a;
    }
    const [keep, gone] = a.serial <= b.serial ? [a, b] : [b, a];
    for (let i = 0; i < keep.tokens.length; i++) {
      const other = gone.tokens[i];
      if (i === q) this.generalize(keep, i, other);
      else if (keep.tokens[i] !== other && !fitsSlot(keep.tokens[i], keep.keys[i], other)) this.generalize(keep, i, other);
    }
    gone.parent = keep;
    this.generalizations++;
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

function newGroup(id: string, serial: number, tokens: string[], description: TokenDescription, shape: Group[] | undefined): Group {
  return {
    id, serial, tokens, count: 0, samples: [], parent: undefined, mergedWildcards: 0, template: undefined,
    flags: description.flags, keys: description.keys, shape, variants: undefined, indexed: false,
  };
}

/** The bucket key of a leading token: value-like tokens share one. */
function leadKey(lead: string): string {
  return looksLikeValue(lead) ? WILDCARD : lead;
}

/** Whether template token `slot` (with its `key=` part) stands for `token`: `<*>`, or `key=<*>` and token has that key. */
function fitsSlot(slot: string, key: string, token: string): boolean {
  if (slot === WILDCARD) return true;
  return key.length > 0 && slot.length === key.length + WILDCARD.length && slot.endsWith(WILDCARD)
    && token.length > key.length && token.startsWith(key) && keyOf(token) === key;
}

function sameTokens(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether every position of the group's template stands for the token there. */
function coversTokens(g: Group, tokens: string[]): boolean {
  for (let i = 0; i < tokens.length; i++) {
    const a = g.tokens[i];
    if (a !== tokens[i] && !fitsSlot(a, g.keys[i], tokens[i])) return false;
  }
  return true;
}

/**
 * Whether, with g's variable at `at` absorbing the difference in length, the rest of g fits the
 * end of the line, with at least one constant there (a trailing variable could absorb anything).
 */
function suffixFits(g: Group, tokens: string[], at: number): boolean {
  const m = g.tokens.length;
  const n = tokens.length;
  if (n - (m - at - 1) < at) return false;
  let constant = false;
  for (let j = 1; at + j < m; j++) {
    const a = g.tokens[m - j];
    const b = tokens[n - j];
    if (a !== b && !fitsSlot(a, g.keys[m - j], b)) return false;
    if (a !== WILDCARD) constant = true;
  }
  return constant;
}

function root(group: Group): Group {
  let g = group;
  while (g.parent !== undefined) g = g.parent;
  // Path compression keeps later lookups short.
  let h = group;
  while (h.parent !== undefined && h.parent !== g) { const next: Group = h.parent; h.parent = g; h = next; }
  return g;
}
