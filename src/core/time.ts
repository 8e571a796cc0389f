// One time format for people, used by the panel, the tree, the Markdown export and the hypothesis:
// local time with its zone ("2024-05-01 14:03:22 GMT+2"), spans that never read "0 min"
// ("19 s", "4 min 10 s", "2 h 5 min") and times relative to a named moment ("19 s before the onset").
// Host-free: the webview, the extension host and the CLI all format the same way. The zone is the
// runtime's unless a test or a caller names one (an IANA name such as "Europe/Berlin" or "UTC").

export interface TimeFormatOptions {
  /** IANA zone; default the runtime's own. */
  timeZone?: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let f = formatters.get(key);
  if (!f) {
    // en-GB with h23 gives stable numeric parts; the parts are reassembled below, so no locale's
    // punctuation leaks into the text.
    f = new Intl.DateTimeFormat('en-GB', {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
      ...(timeZone ? { timeZone } : {}),
    });
    formatters.set(key, f);
  }
  return f;
}

interface TimeParts {
  date: string;
  clock: string;
  minutes: string;
  zone: string;
}

function parts(ms: number, opts: TimeFormatOptions): TimeParts | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const p: Record<string, string> = {};
  for (const part of formatter(opts.timeZone).formatToParts(new Date(ms))) p[part.type] = part.value;
  const zone = (p.timeZoneName ?? '').replace(/^GMT$/, 'UTC');
  return { date: `${p.year}-${p.month}-${p.day}`, clock: `${p.hour}:${p.minute}:${p.second}`, minutes: `${p.hour}:${p.minute}`, zone };
}

/** "2024-05-01 14:03:22 GMT+2": the date, the local time and the zone. */
export function formatTime(ms: number, opts: TimeFormatOptions = {}): string {
  const p = parts(ms, opts);
  return p ? `${p.date} ${p.clock} ${p.zone}`.trim() : 'unknown time';
}

/** "14:03:22 GMT+2": the local time and the zone, for times on a day the reader already knows. */
export function formatClock(ms: number, opts: TimeFormatOptions = {}): string {
  const p = parts(ms, opts);
  return p ? `${p.clock} ${p.zone}`.trim() : 'unknown time';
}

/** The zone's short name at a moment ("GMT+2", "UTC", "CET"). */
export function zoneName(ms: number, opts: TimeFormatOptions = {}): string {
  return parts(ms, opts)?.zone ?? '';
}

/** A chart axis label: "14:05" within a day, with the date ("05-01 14:05") where the day changes or for long ranges. */
export function axisLabel(ms: number, rangeMs: number, previous: number | undefined, opts: TimeFormatOptions = {}): string {
  const p = parts(ms, opts);
  if (!p) return '';
  const prev = previous === undefined ? undefined : parts(previous, opts);
  const withDate = rangeMs > 36 * 3600_000 || (prev !== undefined && prev.date !== p.date);
  const clock = rangeMs <= 10 * 60_000 ? p.clock : p.minutes;
  return withDate ? `${p.date.slice(5)} ${clock}` : clock;
}

/**
 * A duration for people, rounded to what matters at its size: "450 ms", "19 s", "4 min 10 s",
 * "12 min", "2 h 5 min", "3 d 4 h". Never "0 min": under a second is milliseconds.
 */
export function formatSpan(ms: number): string {
  if (!Number.isFinite(ms)) return 'unknown';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)} ms`;
  const s = Math.round(abs / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 10) return s % 60 ? `${min} min ${s % 60} s` : `${min} min`;
  const totalMin = Math.round(s / 60);
  if (totalMin < 60) return `${totalMin} min`;
  const h = Math.floor(totalMin / 60);
  if (h < 48) return totalMin % 60 ? `${h} h ${totalMin % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** "19 s before the onset", "3 min after the alert", "at the onset" (within a second). */
export function formatRelative(ms: number, reference: number, referenceName: string): string {
  if (!Number.isFinite(ms) || !Number.isFinite(reference)) return '';
  const d = ms - reference;
  if (Math.abs(d) < 1000) return `at ${referenceName}`;
  return `${formatSpan(d)} ${d < 0 ? 'before' : 'after'} ${referenceName}`;
}

/** "5 min ago", "in 2 min", "just now". */
export function formatAgo(ms: number, now: number): string {
  if (!Number.isFinite(ms)) return '';
  const d = now - ms;
  if (Math.abs(d) < 1000) return 'just now';
  return d > 0 ? `${formatSpan(d)} ago` : `in ${formatSpan(d)}`;
}
