// What a masked token is, for deciding whether two tokens can fill one variable slot of a
// template: identifier-like values (dotted names, paths, hosts, quoted strings) versus plain words.
import { WILDCARD as wildcardToken } from './tokens';

// A local copy: hot loops compare against it, and some loaders turn imports into getter calls.
const WILDCARD: string = wildcardToken;

/** Token flags (a bit set). */
export const LooksLikeValue = 1;
export const HasWildcard = 2;
export const StartsWithWildcard = 4;
/** `key=value` with a non-empty value. */
export const KeyedValue = 8;

export interface TokenDescription {
  flags: Uint8Array;
  keys: string[];
}

function isWordCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 39 || c === 95;
}

function isAlnumCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * Where the value of `key=value`, `key:value` or `cond?value` starts; 0 for a bare token or when
 * the would-be key is itself a name with dots or slashes (a host:port is one value).
 */
function valueStart(token: string): number {
  let end = token.length;
  while (end > 0 && !isAlnumCode(token.charCodeAt(end - 1)) && token.charCodeAt(end - 1) !== 62) end--;
  for (let i = end - 1; i > 0; i--) {
    const c = token.charCodeAt(i);
    if (c === 61 || c === 58 || c === 63) {
      for (let k = 0; k < i; k++) {
        const d = token.charCodeAt(k);
        if (d === 46 || d === 47 || d === 92) return 0;
      }
      return i + 1;
    }
  }
  return 0;
}

/**
 * Identifier-like: a masked variable, a path, or a name with inner punctuation (a dotted name, a
 * host, a quoted value with spaces). A plain word stays a word even when brackets, trailing dots or
 * a masked number follow it (`(usable)`, `depth....<*>`, `core.<*>`): such words label events.
 * For `key=value` only the value is judged, so enum-like values (`true`, `ACTION_UP`) are constants.
 */
export function looksLikeValue(token: string): boolean {
  let i = valueStart(token);
  const n = token.length;
  // A quoted value under a key is data (`tag="View Lock"`); a bare quoted phrase is judged by its
  // first word, since it may name the event (`"GET <*> HTTP/<*>"`).
  if (token.charCodeAt(i) === 34) {
    if (i > 0) return true;
    const space = token.indexOf(' ');
    if (space > 0) return looksLikeValue(token.slice(1, space));
  }
  // So is a path, absolute or relative (`/etc/x`, `./run`, `../lib`, `~/bin`).
  const c0 = token.charCodeAt(i);
  const c1 = token.charCodeAt(i + 1);
  if ((c0 === 47 && i + 1 < n) || (c0 === 126 && c1 === 47) || (c0 === 46 && (c1 === 47 || (c1 === 46 && token.charCodeAt(i + 2) === 47)))) return true;
  let slashes = 0;
  for (let k = i; k < n; k++) {
    const c = token.charCodeAt(k);
    if (c === 47 || c === 92) slashes++;
  }
  if (slashes >= 2) return true;
  while (i < n && !isAlnumCode(token.charCodeAt(i)) && !token.startsWith(WILDCARD, i)) i++;
  if (i >= n) return false;
  if (token.startsWith(WILDCARD, i)) return true;
  while (i < n && isWordCode(token.charCodeAt(i))) i++;
  // The rest holds letters or digits beyond wildcards and punctuation: a compound name.
  for (; i < n; i++) {
    if (token.startsWith(WILDCARD, i)) { i += WILDCARD.length - 1; continue; }
    if (isAlnumCode(token.charCodeAt(i))) return true;
  }
  return false;
}

export function describeToken(token: string): number {
  let flags = 0;
  if (looksLikeValue(token)) flags |= LooksLikeValue;
  if (token.includes(WILDCARD)) flags |= HasWildcard;
  if (startsWithWildcard(token)) flags |= StartsWithWildcard;
  const key = keyOf(token);
  if (key.endsWith('=') && token.length > key.length) flags |= KeyedValue;
  return flags;
}

export function describeTokens(tokens: string[]): TokenDescription {
  const flags = new Uint8Array(tokens.length);
  const keys = new Array<string>(tokens.length);
  for (let i = 0; i < tokens.length; i++) { flags[i] = describeToken(tokens[i]); keys[i] = keyOf(tokens[i]); }
  return { flags, keys };
}

/**
 * Two tokens (given by their keys, flags and lengths) can fill the same variable slot: both
 * identifier-like under one key, or one is a bare masked value and the other holds a variable
 * too (`10.0.0.1,` and `LOCAL(0),`), or under one `key=` a name or variable stands where a word stood.
 */
export function interchangeable(keyA: string, a: number, lengthA: number, keyB: string, b: number, lengthB: number): boolean {
  if (keyA !== keyB) return false;
  if (a & b & LooksLikeValue) return true;
  if (a & b & KeyedValue && lengthA > 0 && lengthB > 0 && (a | b) & (LooksLikeValue | HasWildcard)) return true;
  if (a & LooksLikeValue) return (a & StartsWithWildcard) !== 0 && (b & HasWildcard) !== 0;
  if (b & LooksLikeValue) return (b & StartsWithWildcard) !== 0 && (a & HasWildcard) !== 0;
  return false;
}

function startsWithWildcard(token: string): boolean {
  let i = valueStart(token);
  while (i < token.length && !isAlnumCode(token.charCodeAt(i)) && !token.startsWith(WILDCARD, i)) i++;
  return token.startsWith(WILDCARD, i);
}

/** The `key=` part of a key=value token: values of different keys are different slots. */
export function keyOf(token: string): string {
  return token.slice(0, valueStart(token));
}
