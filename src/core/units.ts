// Values with their units, for people: one place that turns 0.99972 (ratio) into "99.97 %", 0.34 s into
// "340 ms" and 1.6e9 bytes into "1.5 GiB", used by the tree, the panel and verification messages.
// Plain data in, strings out: no locale (the same text in every window), never exponent notation.

/**
 * The units series and rules carry. Other strings are allowed (and shown after the number), but these
 * are the ones the formatter scales: seconds and milliseconds, bytes, bytes per second, a ratio (0..1,
 * shown as a percentage), a percentage (0..100), requests, events per second or per minute, CPU cores.
 */
export type KnownUnit = 's' | 'ms' | 'bytes' | 'bytes/s' | 'ratio' | 'percent' | 'req/s' | '/s' | '/min' | 'cores' | 'count';

// Spellings met in the wild (OpenTelemetry's UCUM units, Prometheus metadata and name suffixes, our
// older series) mapped to one canonical unit. No prototype: a unit named "constructor" is not a key.
const aliases: Record<string, KnownUnit> = Object.assign(Object.create(null) as Record<string, KnownUnit>, {
  s: 's',
  sec: 's',
  second: 's',
  seconds: 's',
  ms: 'ms',
  millisecond: 'ms',
  milliseconds: 'ms',
  by: 'bytes',
  byte: 'bytes',
  bytes: 'bytes',
  'by/s': 'bytes/s',
  'bytes/s': 'bytes/s',
  'bytes/second': 'bytes/s',
  ratio: 'ratio',
  '1': 'ratio',
  fraction: 'ratio',
  '%': 'percent',
  percent: 'percent',
  percentage: 'percent',
  'req/s': 'req/s',
  'requests/s': 'req/s',
  '{request}/s': 'req/s',
  '{requests}/s': 'req/s',
  '/s': '/s',
  '1/s': '/s',
  'per second': '/s',
  '/min': '/min',
  'per minute': '/min',
  cores: 'cores',
  core: 'cores',
  '{cpu}': 'cores',
  count: 'count',
  '{count}': 'count',
});

/** The canonical unit for a spelling ("By" -> bytes, "seconds" -> s, "1" -> ratio), or the trimmed text when unknown. */
export function normaliseUnit(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  const text = String(raw).trim();
  if (!text) return undefined;
  const known = aliases[text] ?? aliases[text.toLowerCase()];
  if (known) return known;
  // OpenTelemetry annotations in braces name what is counted ("{request}"): a count of those.
  if (/^\{[^}]*\}$/.test(text)) return 'count';
  if (/^\{[^}]*\}\/s$/.test(text)) return '/s';
  return text;
}

// A plain space: the text goes into Markdown, tooltips and messages, where a no-break space surprises.
const nbsp = ' ';

/** Rounds to `digits` significant digits and prints without exponent or trailing zeros. */
export function formatNumber(value: number, digits = 4): string {
  if (Number.isNaN(value)) return 'no data';
  if (value === Number.POSITIVE_INFINITY) return '∞';
  if (value === Number.NEGATIVE_INFINITY) return '−∞';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  // Large plain numbers read better with a suffix than with twelve digits.
  if (abs >= 1e4) {
    const suffixes: [number, string][] = [
      [1e12, 'T'],
      [1e9, 'G'],
      [1e6, 'M'],
      [1e3, 'k'],
    ];
    for (const [size, suffix] of suffixes) {
      if (abs >= size) {
        const scaled = value / size;
        if (Math.abs(scaled) >= 1e4) return `${fixed(scaled, 0)}${suffix}`;
        return `${significant(scaled, Math.max(3, digits - 1))}${suffix}`;
      }
    }
  }
  // Tiny magnitudes: at most 9 decimals, then it is zero for any reader.
  if (abs < 1e-9) return value < 0 ? '−0' : '0';
  return significant(value, digits);
}

function significant(value: number, digits: number): string {
  const abs = Math.abs(value);
  const magnitude = Math.floor(Math.log10(abs));
  const decimals = Math.min(9, Math.max(0, digits - 1 - magnitude));
  return fixed(value, decimals);
}

function fixed(value: number, decimals: number): string {
  let text = value.toFixed(decimals);
  if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  if (text === '-0') text = '0';
  return text.replace(/^-/, '−');
}

/**
 * A percentage that never rounds a near-miss onto the boundary: 0.99997 is "99.997 %", not "100 %",
 * and 0.00004 is "0.004 %", not "0 %". Otherwise two decimals at most.
 */
function percent(p: number): string {
  if (!Number.isFinite(p)) return formatNumber(p);
  let decimals = 2;
  let text = fixed(p, decimals);
  while (decimals < 6 && ((Math.abs(p) < 100 && /^−?100$/.test(text)) || (p !== 0 && /^−?0$/.test(text)))) {
    decimals++;
    text = fixed(p, decimals);
  }
  if (p !== 0 && /^−?0$/.test(text)) text = formatNumber(p, 2);
  return text;
}

function duration(seconds: number): string {
  const abs = Math.abs(seconds);
  if (abs === 0) return `0${nbsp}s`;
  if (abs < 1e-3) return `${formatNumber(seconds * 1e6, 3)}${nbsp}µs`;
  if (abs < 1) return `${formatNumber(seconds * 1e3, 3)}${nbsp}ms`;
  if (abs < 60) return `${formatNumber(seconds, 3)}${nbsp}s`;
  if (abs < 3600) return `${formatNumber(seconds / 60, 3)}${nbsp}min`;
  if (abs < 48 * 3600) return `${formatNumber(seconds / 3600, 3)}${nbsp}h`;
  return `${formatNumber(seconds / 86400, 3)}${nbsp}d`;
}

function bytes(value: number, suffix = ''): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = value;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${formatNumber(v, 3)}${nbsp}${units[i]}${suffix}`;
}

/** A value with its unit for people: "1.2 s", "340 ms", "1.5 GiB", "87 %", "12 req/s", "0.9997" (no unit). */
export function formatValue(value: number, unit?: string): string {
  if (!Number.isFinite(value)) return formatNumber(value);
  const u = normaliseUnit(unit);
  switch (u) {
    case undefined:
    case 'count':
      return formatNumber(value);
    case 's':
      return duration(value);
    case 'ms':
      return duration(value / 1000);
    case 'bytes':
      return bytes(value);
    case 'bytes/s':
      return bytes(value, '/s');
    case 'ratio':
      return `${percent(value * 100)}${nbsp}%`;
    case 'percent':
      return `${percent(value)}${nbsp}%`;
    case 'req/s':
      return `${formatNumber(value, 3)}${nbsp}req/s`;
    case '/s':
      return `${formatNumber(value, 3)}/s`;
    case '/min':
      return `${formatNumber(value, 3)}/min`;
    case 'cores':
      return `${formatNumber(value, 3)}${nbsp}${Math.abs(value) === 1 ? 'core' : 'cores'}`;
    default:
      return `${formatNumber(value)}${nbsp}${u}`;
  }
}

/**
 * An alert's value as the backend printed it ("9.99727272727273e-01", "+Inf", "12.3%"), for people:
 * a plain number is formatted with the unit; anything else is already text and is kept.
 */
export function formatReportedValue(raw: string | undefined, unit?: string): string | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (!text) return undefined;
  const n = parseReportedNumber(text);
  return n === undefined ? text : formatValue(n, unit);
}

function parseReportedNumber(text: string): number | undefined {
  if (/^[+-]?inf$/i.test(text)) return text.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** A short label of the unit for a chart axis or legend: "%" for ratios, "req/s", "GiB" is left to the values. */
export function unitLabel(unit: string | undefined): string | undefined {
  const u = normaliseUnit(unit);
  if (u === undefined || u === 'count') return undefined;
  if (u === 'ratio' || u === 'percent') return '%';
  if (u === 'bytes') return 'bytes';
  return u;
}
