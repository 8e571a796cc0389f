// Generic stripping of a raw log line's header (timestamp, level, pid, host, thread, component),
// leaving the message, with no per-format configuration. Heuristic by nature: it strips what looks
// like a header from the front and stops at the first token that reads like a message.

const levelWords = new Set([
  'TRACE', 'DEBUG', 'INFO', 'NOTICE', 'WARN', 'WARNING', 'ERROR', 'ERR', 'SEVERE', 'CRITICAL', 'CRIT', 'FATAL', 'ALERT', 'EMERG', 'FAILURE', 'SUCCESS',
]);
const singleLetterLevels = new Set(['V', 'D', 'I', 'W', 'E', 'F', 'A']);
const calendarWords = new Set(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun', 'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']);

/** Only the front of a line is looked at: headers are short. */
const maxHeaderChars = 512;
const maxHeaderTokens = 20;

interface Span {
  text: string;
  start: number;
  end: number;
}

function frontTokens(line: string): Span[] {
  const spans: Span[] = [];
  const n = Math.min(line.length, maxHeaderChars);
  let i = 0;
  while (i < n && spans.length < maxHeaderTokens) {
    while (i < n && line.charCodeAt(i) <= 32) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && line.charCodeAt(i) > 32) i++;
    spans.push({ text: line.slice(start, i), start, end: i });
  }
  return spans;
}

/** A date, time, epoch, pid or sequence number: digits and separators only. */
function isNumeric(token: string): boolean {
  let digits = 0;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (!(c === 45 || c === 47 || c === 58 || c === 46 || c === 44 || c === 43 || c === 84 || c === 90 || c === 95)) return false;
  }
  return digits > 0;
}

/** A node or host id written in capitals and digits (`R02-M1-N0-C:J12-U11`). */
function isCapitalId(token: string): boolean {
  let digits = 0;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 97 && c <= 122) return false;
    if (c >= 48 && c <= 57) digits++;
  }
  return digits > 0;
}

function isLevel(token: string): boolean {
  const bare = token.replace(/^[[(<]+|[\])>:,]+$/g, '');
  return levelWords.has(bare.toUpperCase()) && bare.length > 0;
}

/** Seconds or milliseconds since the epoch, 2001 to 2040: a time field, wherever it sits in a header. */
function isEpoch(token: string): boolean {
  if (!/^\d{10}(\d{3})?$/.test(token)) return false;
  const seconds = token.length === 13 ? Number(token) / 1000 : Number(token);
  return seconds >= 1e9 && seconds < 2.21e9;
}

/** An ISO date-time, or a date with a 4-digit year (`2005.06.03`, `2005-06-03-15.42.50.675872`, `29/07/2015`). */
function isDateTime(token: string): boolean {
  return /^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-][\d:]+)?$/.test(token) || /^(\d{4}[-./]\d\d[-./]\d\d|\d\d[-./]\d\d[-./]\d{4})([-.T:]\d+)*$/.test(token);
}

function isTimestampish(token: string): boolean {
  return isNumeric(token) || calendarWords.has(token.replace(/,$/, '')) || isDateTime(token);
}

/** `component:` as loggers print it: a dotted, CamelCase or pid-tagged name, not a plain word. */
function isComponent(token: string): boolean {
  if (token.length < 3 || !token.endsWith(':')) return false;
  const name = token.slice(0, -1);
  if (/\s/.test(name)) return false;
  return /[.$([\]_/]/.test(name) || /[a-z][A-Z]|^[A-Z][A-Za-z0-9]*$/.test(name);
}

/** The message part of a raw log line; the line itself when nothing in front looks like a header. */
export function stripLogHeader(line: string): string {
  const tokens = frontTokens(line);
  let i = 0;
  let skippedTimestamp = false;
  let sawLevel = false;
  let lastWasDash = false;
  // A tag or host right before the time at the very start is a header field (`APPREAD 1117869872 ...`).
  if (tokens.length > 2 && !isTimestampish(tokens[0].text) && (isEpoch(tokens[1].text) || isDateTime(tokens[1].text))) i = 1;
  while (i < tokens.length) {
    const t = tokens[i].text;
    const next = tokens[i + 1]?.text;
    if (t === '-' || t === '|') { i++; lastWasDash = true; continue; }
    // Fields before a time a few tokens on are header too (`node-246 unix.hw state_change.unavailable 1077804742`),
    // unless a level comes first: the header ends there.
    if (skippedTimestamp && !sawLevel && !isTimestampish(t) && !isLevel(t)) {
      let k = i + 1;
      while (k < tokens.length && k - i <= 4 && !isLevel(tokens[k].text) && !isEpoch(tokens[k].text) && !isDateTime(tokens[k].text)) k++;
      if (k < tokens.length && k - i <= 4 && !isLevel(tokens[k].text)) { i = k; continue; }
    }
    const dashBefore = lastWasDash;
    lastWasDash = false;
    // Times and pids come before the level; after it a number is the message's.
    if (!sawLevel && isTimestampish(t)) { i++; skippedTimestamp = true; continue; }
    if (!skippedTimestamp) { lastWasDash = dashBefore; break; }
    // One level per header: a level word after it is the message's (`FATAL debug interrupt ...`).
    if (!sawLevel && (isLevel(t) || (singleLetterLevels.has(t) && next !== undefined))) {
      i++;
      sawLevel = true;
      // A column-aligned field right after the level (`Info   CBS    Loaded ...`) is a component.
      const field = tokens[i];
      if (field && tokens[i + 1] && tokens[i + 1].start - field.end >= 2 && field.text.length <= 24) i++;
      continue;
    }
    if (!sawLevel && isCapitalId(t)) { i++; continue; }
    // A host before more header (`dn228 Nov 9 ...`).
    if (!sawLevel && next !== undefined && /\d/.test(t) && (isTimestampish(next) || isLevel(next)) && !t.endsWith(':')) { i++; continue; }
    // Facility words ending in a level (`RAS KERNEL INFO`).
    let k = i;
    while (k < tokens.length && k - i < 3 && /^[A-Z_]+$/.test(tokens[k].text) && !isLevel(tokens[k].text)) k++;
    if (k < tokens.length && k > i && isLevel(tokens[k].text)) { i = k + 1; sawLevel = true; continue; }
    // A bracketed thread or logger (`[main]`, `[Socket Reader #1 for port 62260]`).
    if (t.startsWith('[')) {
      k = i;
      while (k < tokens.length && k - i < 8 && !tokens[k].text.endsWith(']')) k++;
      if (k < tokens.length && tokens[k].text.endsWith(']')) { i = k + 1; continue; }
    }
    lastWasDash = dashBefore;
    break;
  }
  if (!skippedTimestamp) return line;
  // Then one `component:` within a couple of tokens (a host may come first), unless a dash just
  // ended the header, as in `... [thread] - message: ...`.
  if (!lastWasDash) {
    for (let k = i; k < tokens.length && k - i < 2; k++) {
      const text = tokens[k].text;
      // After a level, a logger name (`WindowManager:`, `org.a.B:`). Without one (syslog), the program
      // after the host (`combo logrotate:`), or one that carries a pid or facility (`sshd(pam_unix)[19939]:`);
      // a bare capitalised word there is the message's (`NIFF: node ...`).
      const program = sawLevel ? isComponent(text) : k > i ? isComponent(text) || /^[A-Za-z][\w-]*:$/.test(text) : isComponent(text) && /[.$([\]_/]/.test(text);
      if (program) { i = k + 1; break; }
      if (text.endsWith(':')) break;
    }
  }
  if (i >= tokens.length) return tokens.length > 0 && tokens[tokens.length - 1].end < Math.min(line.length, maxHeaderChars) ? '' : line.slice(tokens.length ? tokens[tokens.length - 1].end : 0).trimStart();
  return line.slice(tokens[i].start);
}
