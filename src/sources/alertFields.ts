// How labels become the fields of an Alert: severity, service, environment and identity.
// Shared by every alert source so the same labels read the same way whatever reported them.

import type { Labels, Severity, AlertState } from '../core/model';

// No prototype: a label value such as "constructor" must not find Object's own properties.
const severityWords: Record<string, Severity> = Object.assign(Object.create(null) as Record<string, Severity>, {
  critical: 'critical',
  crit: 'critical',
  page: 'critical',
  paging: 'critical',
  fatal: 'critical',
  emergency: 'critical',
  emerg: 'critical',
  alert: 'critical',
  disaster: 'critical',
  p0: 'critical',
  p1: 'critical',
  sev0: 'critical',
  sev1: 'critical',
  error: 'error',
  err: 'error',
  major: 'error',
  high: 'error',
  p2: 'error',
  sev2: 'error',
  warning: 'warning',
  warn: 'warning',
  minor: 'warning',
  medium: 'warning',
  average: 'warning',
  p3: 'warning',
  sev3: 'warning',
  info: 'info',
  informational: 'info',
  notice: 'info',
  low: 'info',
  ticket: 'info',
  p4: 'info',
  p5: 'info',
  sev4: 'info',
  sev5: 'info',
  none: 'none',
});

/** "page", "CRITICAL", "sev-1" -> critical; "warn" -> warning; unknown or missing -> none. */
export function normaliseSeverity(raw: string | undefined): Severity {
  if (!raw) return 'none';
  const exact = severityWords[raw];
  if (exact) return exact;
  const key = raw.trim().toLowerCase().replace(/[\s_-]+/g, '');
  return severityWords[key] ?? 'none';
}

export function severityFromLabels(labels: Labels): Severity {
  return normaliseSeverity(labels.severity ?? labels.level ?? labels.priority);
}

export const severityRank: Record<Severity, number> = { critical: 0, error: 1, warning: 2, info: 3, none: 4 };

// Most specific first: an explicit service label beats the scrape job, which often names a pool.
const serviceFallbacks = ['service', 'service_name', 'app', 'app_kubernetes_io_name', 'job'];
const environmentFallbacks = ['env', 'environment', 'deployment_environment', 'namespace'];

function firstLabel(labels: Labels, preferred: string | undefined, fallbacks: string[]): string | undefined {
  if (preferred && labels[preferred]) return labels[preferred];
  for (const k of fallbacks) if (labels[k]) return labels[k];
  return undefined;
}

export function serviceFromLabels(labels: Labels, serviceLabel?: string): string | undefined {
  return firstLabel(labels, serviceLabel, serviceFallbacks);
}

export function environmentFromLabels(labels: Labels, environmentLabel?: string): string | undefined {
  return firstLabel(labels, environmentLabel, environmentFallbacks);
}

const fnvOffset = 0xcbf29ce484222325n;
const fnvPrime = 0x100000001b3n;
const mask64 = 0xffffffffffffffffn;

/**
 * The fingerprint Prometheus and Alertmanager compute for a label set (FNV-1a 64 over the sorted
 * names and values, each followed by 0xff), as 16 hex digits. Using the same one lets an alert seen
 * through Prometheus and through Alertmanager be recognised as the same alert.
 */
export function labelsFingerprint(labels: Labels): string {
  let h = fnvOffset;
  const add = (bytes: Uint8Array) => {
    for (const b of bytes) {
      h ^= BigInt(b);
      h = (h * fnvPrime) & mask64;
    }
  };
  const sep = new Uint8Array([0xff]);
  for (const name of Object.keys(labels).sort()) {
    add(Buffer.from(name, 'utf8'));
    add(sep);
    add(Buffer.from(labels[name], 'utf8'));
    add(sep);
  }
  return h.toString(16).padStart(16, '0');
}

/** Parses an RFC 3339 time; Go's zero time ("0001-01-01T00:00:00Z") and garbage give undefined. */
export function parseTime(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || !raw) return undefined;
  const t = Date.parse(raw);
  if (!Number.isFinite(t) || t <= 0) return undefined;
  return t;
}

/** Keeps only string values: label maps come from the network and may hold anything. */
export function stringMap(raw: unknown): Labels {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const obj = raw as Record<string, unknown>;
  // The usual case is a fresh JSON object of strings: use it as is rather than copying 10k maps.
  let allStrings = true;
  for (const k in obj) {
    if (typeof obj[k] !== 'string') {
      allStrings = false;
      break;
    }
  }
  if (allStrings && Object.getPrototypeOf(obj) === Object.prototype) return obj as Labels;
  const out: Labels = {};
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
    if (s === undefined) continue;
    // A label literally named "__proto__" must stay a label, not become a prototype.
    if (k === '__proto__') Object.defineProperty(out, k, { value: s, enumerable: true, writable: true, configurable: true });
    else out[k] = s;
  }
  return out;
}

/** Which copy of an alert to keep when two sources report the same one. */
export const statePreference: Record<AlertState, number> = {
  // A silence is a person's decision that only a silence-aware source knows about; Prometheus keeps
  // calling a silenced alert firing, so a silenced copy wins over a firing one.
  silenced: 4,
  firing: 3,
  pending: 2,
  resolved: 1,
};
