// Tokenizing and masking of one log message for template mining.
// Tokens are whitespace-separated; inside a token, every alphanumeric run that holds a digit is a
// variable (ids, counts, addresses, times, hex), so `blk_123` becomes `blk_<*>` and `core.2275`
// becomes `core.<*>`: the token keeps its shape, which tells templates apart.

export const WILDCARD = '<*>';

export interface TokenizeLimits {
  maxTokens: number;
  maxTokenLength: number;
}

// Day and month names are parts of timestamps written out in a message.
const calendarWords = new Set(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun', 'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']);

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isJoiner(c: number): boolean {
  // . : - _ / @ , # ~ + \
  return c === 46 || c === 58 || c === 45 || c === 95 || c === 47 || c === 64 || c === 44 || c === 35 || c === 126 || c === 43 || c === 92;
}

/**
 * Masks the digit-bearing alphanumeric runs of content[start, end). Wildcards joined only by
 * separators collapse into one (an IP:port, a timestamp, `a_1_2` ids), a minus sign belongs to its
 * number, and a digit-bearing path is one variable, since its depth varies.
 */
function maskToken(content: string, start: number, end: number, hasDigit: boolean): string {
  if (hasDigit) {
    let slashes = 0;
    for (let i = start; i < end; i++) {
      const c = content.charCodeAt(i);
      if (c === 47 || c === 92) slashes++;
    }
    if (slashes >= 2) return WILDCARD;
  }
  let out = '';
  let lastWildcardEnd = -1;
  let i = start;
  while (i < end) {
    const c = content.charCodeAt(i);
    if (!isAlnum(c)) { out += content[i]; i++; continue; }
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
    // A long run of hex letters alone (`ffffffff`) is a number too.
    if (!digit && hex && i - runStart >= 8) digit = true;
    if (!digit) { out += content.slice(runStart, i); continue; }
    let joinedToPrevious = lastWildcardEnd >= 0;
    for (let k = lastWildcardEnd; joinedToPrevious && k < out.length; k++) if (!isJoiner(out.charCodeAt(k))) joinedToPrevious = false;
    if (joinedToPrevious) { out = out.slice(0, lastWildcardEnd); continue; }
    if (out.length > 0 && out.charCodeAt(out.length - 1) === 45 && (out.length === 1 || !isAlnum(out.charCodeAt(out.length - 2)))) out = out.slice(0, -1);
    out += WILDCARD;
    lastWildcardEnd = out.length;
  }
  return out;
}

/** Splits on whitespace and masks variables. Bounded by limits, so hostile lines stay cheap. */
export function maskedTokens(content: string, limits: TokenizeLimits): string[] {
  const out: string[] = [];
  const n = content.length;
  let i = 0;
  while (i < n && out.length < limits.maxTokens) {
    let c = content.charCodeAt(i);
    if (c <= 32) { i++; continue; }
    const start = i;
    let hasDigit = false;
    let quotes = 0;
    while (i < n) {
      c = content.charCodeAt(i);
      if (c <= 32) {
        // A double-quoted value with spaces stays one token, so its word count does not shift the
        // rest of the line; an unclosed quote within reach leaves the token as it was.
        if ((quotes & 1) === 0) break;
        const close = content.indexOf('"', i);
        if (close < 0 || close - start > limits.maxTokenLength) break;
        for (let k = i; k < close; k++) {
          const d = content.charCodeAt(k);
          if (d >= 48 && d <= 57) hasDigit = true;
        }
        i = close;
        continue;
      }
      if (c >= 48 && c <= 57) hasDigit = true;
      else if (c === 34) quotes++;
      i++;
    }
    if (i - start > limits.maxTokenLength) out.push(WILDCARD);
    else if (hasDigit || i - start >= 8) out.push(maskToken(content, start, i, hasDigit));
    else {
      const token = content.slice(start, i);
      out.push(token.length === 3 && calendarWords.has(token) ? WILDCARD : token);
    }
  }
  return out;
}
