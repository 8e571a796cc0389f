// Tokenizing and masking of one log message for template mining.
// Tokens are whitespace-separated; inside a token, every alphanumeric run that holds a digit is a
// variable (ids, counts, addresses, times, hex), so `blk_123` becomes `blk_<*>` and `core.2275`
// becomes `core.<*>`: the token keeps its shape, which tells templates apart.

export const WILDCARD = '<*>';

/**
 * How a line becomes masked tokens: the bounds, and the masking rules that are design choices.
 * Each rule is a switch so that the benchmark can choose them by leave-one-system-out (bench/loghub.ts).
 */
export interface MaskingOptions {
  maxTokens: number;
  maxTokenLength: number;
  /** Only this many characters of a line are read. */
  maxLineLength: number;
  /** A double-quoted value with spaces is one token, so its word count does not shift the line; its words are masked one by one. */
  quotedStrings: boolean;
  /** A size or duration unit after a number joins the number (`5.2 KB` and `93.0 B` alike). */
  sizeUnits: boolean;
  /** Day and month names are variables (parts of timestamps written out in a message). */
  calendarWords: boolean;
  /** A run of 8 or more hex letters (`ffffffff`), or a 4-letter hex group dashed onto a number (`-aaaa-`), is a number. */
  hexWords: boolean;
  /** A run of variable tokens is one variable, so lists of varying length share a template. */
  collapseVariableRuns: boolean;
  /** A run of the same masked token (`blk_<*> blk_<*> blk_<*>`) is one token: a list. */
  repeatedTokenLists: boolean;
  /** A token with a digit is a variable as a whole (Drain's rule), instead of keeping its shape (`blk_<*>`). */
  wholeTokenNumbers: boolean;
  /** `<`, `>`, `~` and `+` before a number belong to it as a minus sign does (`<1 sec`, `~5`). */
  comparisonSigns: boolean;
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isJoiner(c: number): boolean {
  // . : - _ / @ , # ~ + \
  return c === 46 || c === 58 || c === 45 || c === 95 || c === 47 || c === 64 || c === 44 || c === 35 || c === 126 || c === 43 || c === 92;
}

/**
 * A digit-bearing token that is one value as a whole: a path (its depth varies), or hex groups
 * joined by separators (a MAC or IPv6 address, a UUID, a hex dump), whose letter-only groups
 * would otherwise stay literal.
 */
function isWholeValue(content: string, start: number, end: number, slashes: number): boolean {
  if (slashes >= 2) return true;
  let separators = 0;
  for (let i = start; i < end; i++) {
    const c = content.charCodeAt(i);
    if (c === 58 || c === 45 || c === 46) separators++;
    else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false;
  }
  return separators >= 3;
}

/**
 * Masks the digit-bearing alphanumeric runs of content[start, end). Wildcards joined only by
 * separators collapse into one (an IP:port, a timestamp, `a_1_2` ids), a minus sign belongs to its
 * number, and a digit-bearing path is one variable, since its depth varies.
 */
/** A sign that belongs to the number after it: `-` always, comparison signs when asked. */
function isSign(c: number, comparisonSigns: boolean): boolean {
  return c === 45 || (comparisonSigns && (c === 60 || c === 62 || c === 126 || c === 43));
}

function maskToken(content: string, start: number, end: number, hasDigit: boolean, hexWords: boolean, comparisonSigns: boolean): string {
  if (hasDigit) {
    let slashes = 0;
    for (let i = start; i < end; i++) {
      const c = content.charCodeAt(i);
      if (c === 47 || c === 92) slashes++;
    }
    if (isWholeValue(content, start, end, slashes)) return WILDCARD;
  }
  let out = '';
  let lastWildcardEnd = -1;
  let i = start;
  while (i < end) {
    const c = content.charCodeAt(i);
    if (!isAlnum(c)) { out += c <= 32 ? ' ' : content[i]; i++; continue; }
    const runStart = i;
    let digit = false;
    let hex = true;
    while (i < end) {
      const d = content.charCodeAt(i);
      if (!isAlnum(d)) break;
      if (d <= 57) digit = true;
      else if (!((d >= 97 && d <= 102) || (d >= 65 && d <= 70))) hex = false;
      i++;
    }
    // A long run of hex letters alone (`ffffffff`) is a number too, and so is a 4-letter hex group
    // that a dash joins to a number (UUID groups such as `-aaaa-`).
    if (!digit && hex && hexWords && (i - runStart >= 8 || (i - runStart === 4 && lastWildcardEnd === out.length - 1 && out.charCodeAt(out.length - 1) === 45))) digit = true;
    if (!digit) { out += content.slice(runStart, i); continue; }
    let joinedToPrevious = lastWildcardEnd >= 0;
    for (let k = lastWildcardEnd; joinedToPrevious && k < out.length; k++) if (!isJoiner(out.charCodeAt(k))) joinedToPrevious = false;
    if (joinedToPrevious) { out = out.slice(0, lastWildcardEnd); continue; }
    if (out.length > 0 && isSign(out.charCodeAt(out.length - 1), comparisonSigns) && (out.length === 1 || !isAlnum(out.charCodeAt(out.length - 2)))) out = out.slice(0, -1);
    out += WILDCARD;
    lastWildcardEnd = out.length;
  }
  return out;
}

/** A quoted token with spaces: each space-separated piece is masked as a token of its own. */
function maskSpacedToken(content: string, start: number, end: number, opts: MaskingOptions): string {
  let out = '';
  let i = start;
  while (i < end) {
    while (i < end && content.charCodeAt(i) <= 32) i++;
    if (i >= end) break;
    const pieceStart = i;
    let digit = false;
    while (i < end && content.charCodeAt(i) > 32) { const c = content.charCodeAt(i); if (c >= 48 && c <= 57) digit = true; i++; }
    if (out.length > 0) out += ' ';
    out += digit && opts.wholeTokenNumbers ? WILDCARD : maskToken(content, pieceStart, i, digit, opts.hexWords, opts.comparisonSigns);
  }
  return out;
}

// Hashes of the token hashMaskedToken last saw; module-level so it allocates nothing.
let tokenHash1 = 0;
let tokenHash2 = 0;

/**
 * The hash of maskToken(content, start, end, hasDigit), computed without building the string.
 * Must follow maskToken rule for rule; a unit test holds the two together. The per-character
 * hashing is written out inline: this is the hottest loop of the miner.
 */
function hashMaskedToken(content: string, start: number, end: number, hasDigit: boolean, slashes: number, hexWords: boolean, comparisonSigns: boolean): void {
  let h1 = 0x811c9dc5;
  let h2 = 0x3c6ef372;
  if (hasDigit && isWholeValue(content, start, end, slashes)) {
    h1 = Math.imul(h1 ^ 60, 16777619); h2 = ((h2 << 5) - h2 + 60) | 0;
    h1 = Math.imul(h1 ^ 42, 16777619); h2 = ((h2 << 5) - h2 + 42) | 0;
    h1 = Math.imul(h1 ^ 62, 16777619); h2 = ((h2 << 5) - h2 + 62) | 0;
    tokenHash1 = h1;
    tokenHash2 = h2;
    return;
  }
  // Punctuation between alphanumeric runs is hashed late: it vanishes when it joins two wildcards,
  // and a minus sign goes with the number after it.
  let previous = 0; // 0: token start, 1: a plain run, 2: a wildcard
  let gapFrom = start;
  let i = start;
  while (i < end) {
    if (!isAlnum(content.charCodeAt(i))) { i++; continue; }
    const runStart = i;
    let digit = false;
    let hex = true;
    while (i < end) {
      const d = content.charCodeAt(i);
      if (!isAlnum(d)) break;
      if (d <= 57) digit = true;
      else if (!((d >= 97 && d <= 102) || (d >= 65 && d <= 70))) hex = false;
      i++;
    }
    if (!digit && hex && hexWords && (i - runStart >= 8 || (i - runStart === 4 && previous === 2 && runStart - gapFrom === 1 && content.charCodeAt(gapFrom) === 45))) digit = true;
    if (digit && previous === 2) {
      let joined = true;
      for (let k = gapFrom; joined && k < runStart; k++) if (!isJoiner(content.charCodeAt(k))) joined = false;
      if (joined) { gapFrom = i; continue; }
    }
    let gapEnd = runStart;
    if (digit && gapEnd > gapFrom && isSign(content.charCodeAt(gapEnd - 1), comparisonSigns) && (gapEnd - 1 > gapFrom || previous !== 1)) gapEnd--;
    for (let k = gapFrom; k < gapEnd; k++) {
      let d = content.charCodeAt(k);
      if (d <= 32) d = 32;
      h1 = Math.imul(h1 ^ d, 16777619); h2 = ((h2 << 5) - h2 + d) | 0;
    }
    if (digit) {
      h1 = Math.imul(h1 ^ 60, 16777619); h2 = ((h2 << 5) - h2 + 60) | 0;
      h1 = Math.imul(h1 ^ 42, 16777619); h2 = ((h2 << 5) - h2 + 42) | 0;
      h1 = Math.imul(h1 ^ 62, 16777619); h2 = ((h2 << 5) - h2 + 62) | 0;
      previous = 2;
    } else {
      for (let k = runStart; k < i; k++) {
        const d = content.charCodeAt(k);
        h1 = Math.imul(h1 ^ d, 16777619); h2 = ((h2 << 5) - h2 + d) | 0;
      }
      previous = 1;
    }
    gapFrom = i;
  }
  for (let k = gapFrom; k < end; k++) {
    let d = content.charCodeAt(k);
    if (d <= 32) d = 32;
    h1 = Math.imul(h1 ^ d, 16777619); h2 = ((h2 << 5) - h2 + d) | 0;
  }
  tokenHash1 = h1;
  tokenHash2 = h2;
}

function hashString(text: string): void {
  let h1 = 0x811c9dc5;
  let h2 = 0x3c6ef372;
  for (let k = 0; k < text.length; k++) {
    const d = text.charCodeAt(k);
    h1 = Math.imul(h1 ^ d, 16777619); h2 = ((h2 << 5) - h2 + d) | 0;
  }
  tokenHash1 = h1;
  tokenHash2 = h2;
}

/** The line hash that scanMaskedLine gives, computed from masked tokens (for tests and checks). */
export function hashOfMaskedTokens(tokens: string[]): MaskedLineHash {
  let line1 = 0x811c9dc5;
  let line2 = 0x9e3779b9;
  for (let count = 0; count < tokens.length; count++) {
    hashString(tokens[count]);
    line1 = Math.imul(line1 ^ tokenHash1, 16777619) ^ count;
    line2 = Math.imul(line2 + tokenHash2, 3266489917) ^ (line2 >>> 15);
  }
  return { h1: line1 >>> 0, h2: line2 >>> 0, tokenCount: tokens.length };
}

// What the scanner must notice about a character; 0 for most of them.
const KIND_DIGIT = 1;
const KIND_HEX_LETTER = 2;
const KIND_QUOTE = 3;
const KIND_SLASH = 4;
const charKinds = new Uint8Array(128);
for (let c = 48; c <= 57; c++) charKinds[c] = KIND_DIGIT;
for (let c = 97; c <= 102; c++) charKinds[c] = KIND_HEX_LETTER;
for (let c = 65; c <= 70; c++) charKinds[c] = KIND_HEX_LETTER;
charKinds[34] = KIND_QUOTE;
charKinds[47] = KIND_SLASH;
charKinds[92] = KIND_SLASH;

/** Identity of a masked line: two independent 32-bit hashes and the token count. */
export interface MaskedLineHash {
  h1: number;
  h2: number;
  tokenCount: number;
}

/** The masked tokens of a line (the slow path, for lines not seen before). */
export function maskedTokens(content: string, limits: MaskingOptions): string[] {
  const tokens: string[] = [];
  scanMaskedLine(content, limits, { h1: 0, h2: 0, tokenCount: 0 }, tokens);
  return tokens;
}

/**
 * One pass over a line: splits on whitespace, masks variables, and hashes the masked tokens into
 * `hash` without building strings for plain tokens, so a line seen before costs no allocation.
 * Pushes the masked tokens into `tokens` when given. Bounded by limits, so hostile lines stay cheap.
 */
export function scanMaskedLine(content: string, limits: MaskingOptions, hash: MaskedLineHash, tokens?: string[]): void {
  const n = Math.min(content.length, limits.maxLineLength);
  const maxTokens = limits.maxTokens;
  const maxTokenLength = limits.maxTokenLength;
  const quotedStrings = limits.quotedStrings;
  const sizeUnits = limits.sizeUnits;
  const calendarWords = limits.calendarWords;
  const hexWords = limits.hexWords;
  const collapseVariableRuns = limits.collapseVariableRuns;
  const repeatedTokenLists = limits.repeatedTokenLists;
  const wholeTokenNumbers = limits.wholeTokenNumbers;
  const comparisonSigns = limits.comparisonSigns;
  let previous1 = 0;
  let previous2 = 0;
  let line1 = 0x811c9dc5;
  let line2 = 0x9e3779b9;
  let count = 0;
  let previousWasWildcard = false;
  let i = 0;
  while (i < n && count < maxTokens) {
    let c = content.charCodeAt(i);
    if (c <= 32) { i++; continue; }
    const start = i;
    let hasDigit = false;
    let quotes = 0;
    // Length of the current run of hex letters, and whether one reached 8 (`ffffffff` is a number).
    let hexRun = 0;
    let longHex = false;
    let slashes = 0;
    let spaced = false;
    let t1 = 0x811c9dc5;
    let t2 = 0x3c6ef372;
    while (i < n) {
      c = content.charCodeAt(i);
      if (c <= 32) {
        // A double-quoted value with spaces stays one token, so its word count does not shift the
        // rest of the line; an unclosed quote within reach leaves the token as it was.
        if (!quotedStrings || (quotes & 1) === 0) break;
        const limit = Math.min(n, start + maxTokenLength);
        let close = i;
        while (close < limit && content.charCodeAt(close) !== 34) close++;
        if (close >= limit) break;
        for (let k = i; k < close; k++) {
          const d = content.charCodeAt(k);
          if (d >= 48 && d <= 57) hasDigit = true;
          else if (d === 47 || d === 92) slashes++;
        }
        i = close;
        spaced = true;
        continue;
      }
      if (hasDigit) {
        // The token will be hashed by hashMaskedToken: only find its end and what the masker needs.
        if (c === 34) quotes++;
        else if (c === 47 || c === 92) slashes++;
        i++;
        continue;
      }
      t1 = Math.imul(t1 ^ c, 16777619);
      t2 = ((t2 << 5) - t2 + c) | 0;
      const kind = c < 128 ? charKinds[c] : 0;
      i++;
      if (kind === 0) { hexRun = 0; continue; }
      if (kind === KIND_HEX_LETTER) { if (++hexRun >= 8) longHex = true; continue; }
      hexRun = 0;
      if (kind === KIND_DIGIT) hasDigit = true;
      else if (kind === KIND_QUOTE) quotes++;
      else slashes++;
    }
    let token: string | undefined;
    const numeric = hasDigit || (hexWords && longHex);
    if (sizeUnits && previousWasWildcard && i - start <= 5 && unitLength(content, start, i) > 0) token = WILDCARD + content.slice(start + unitLength(content, start, i), i);
    else if (i - start > maxTokenLength) token = WILDCARD;
    else if (spaced) token = maskSpacedToken(content, start, i, limits);
    else if (numeric && wholeTokenNumbers) token = WILDCARD;
    else if (numeric || quotes > 1) {
      if (tokens) token = maskToken(content, start, i, hasDigit, hexWords, comparisonSigns);
      else { hashMaskedToken(content, start, i, hasDigit, slashes, hexWords, comparisonSigns); t1 = tokenHash1; t2 = tokenHash2; }
    } else if (calendarWords && i - start === 3 && isCalendarWord(content, start)) token = WILDCARD;
    if (token !== undefined) {
      // Masked tokens are hashed from their text; plain ones were hashed while scanning.
      hashString(token);
      t1 = tokenHash1;
      t2 = tokenHash2;
    }
    const isWildcard = t1 === wildcardHash1 && t2 === wildcardHash2;
    if (isWildcard && previousWasWildcard && collapseVariableRuns) continue;
    if (repeatedTokenLists && count > 0 && t1 === previous1 && t2 === previous2 && (numeric || (token !== undefined && token.includes(WILDCARD)))) continue;
    previousWasWildcard = isWildcard;
    previous1 = t1;
    previous2 = t2;
    if (tokens) tokens.push(token ?? content.slice(start, i));
    line1 = Math.imul(line1 ^ t1, 16777619) ^ count;
    line2 = Math.imul(line2 + t2, 3266489917) ^ (line2 >>> 15);
    count++;
  }
  hash.h1 = line1 >>> 0;
  hash.h2 = line2 >>> 0;
  hash.tokenCount = count;
}

// A size or duration unit after a number is part of the value (`5.2 KB` and `93.0 B` alike).
const units = new Set(['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'KiB', 'MiB', 'GiB', 'TiB', 'kB', 'ms', 'us', 'ns', '\u00b5s', 's', 'sec', 'min', 'hr']);

/** The length of the unit that starts the token, when the rest is closing punctuation; else 0. */
function unitLength(content: string, start: number, end: number): number {
  let wordEnd = end;
  while (wordEnd > start && (content.charCodeAt(wordEnd - 1) === 44 || content.charCodeAt(wordEnd - 1) === 41 || content.charCodeAt(wordEnd - 1) === 59 || content.charCodeAt(wordEnd - 1) === 93)) wordEnd--;
  return wordEnd > start && wordEnd - start <= 3 && units.has(content.slice(start, wordEnd)) ? wordEnd - start : 0;
}

hashString(WILDCARD);
const wildcardHash1 = tokenHash1;
const wildcardHash2 = tokenHash2;

// Day and month names are parts of timestamps written out in a message.
const calendarCodes = new Set(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun', 'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  .map((w) => (w.charCodeAt(0) << 16) | (w.charCodeAt(1) << 8) | w.charCodeAt(2)));

function isCalendarWord(content: string, start: number): boolean {
  const a = content.charCodeAt(start);
  const b = content.charCodeAt(start + 1);
  const c = content.charCodeAt(start + 2);
  if (a < 65 || a > 90 || b < 97 || b > 122 || c < 97 || c > 122) return false;
  return calendarCodes.has((a << 16) | (b << 8) | c);
}
