// Time helpers: every time in a bundle is milliseconds since the epoch.

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

/** Parses an ISO time that must carry its zone, so no case depends on the machine's time zone. */
export function utc(iso: string): number {
  if (!/(Z|[+-]\d\d:\d\d)$/.test(iso)) throw new Error(`time ${iso} has no zone`);
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new Error(`bad time ${iso}`);
  return ms;
}

/** Scrape timestamps from start to end inclusive, aligned to the step as Prometheus aligns range queries. */
export function grid(start: number, end: number, stepMs: number): number[] {
  const first = Math.ceil(start / stepMs) * stepMs;
  const out: number[] = [];
  for (let t = first; t <= end; t += stepMs) out.push(t);
  return out;
}

/** 0 before `at`, rising linearly to 1 over `rampMs` (a step when rampMs is 0). */
export function ramp(t: number, at: number, rampMs = 0): number {
  if (t < at) return 0;
  if (rampMs <= 0 || t >= at + rampMs) return 1;
  return (t - at) / rampMs;
}

/** 1 inside [from, to), else 0. */
export function within(t: number, from: number, to: number): number {
  return t >= from && t < to ? 1 : 0;
}

/** Daily traffic shape: 1 on average, peaking at `peakHourUtc`, with the given relative amplitude. */
export function diurnal(t: number, peakHourUtc: number, amplitude: number): number {
  const hours = (t / 3_600_000) % 24;
  return 1 + amplitude * Math.cos(((hours - peakHourUtc) / 24) * 2 * Math.PI);
}

export function isoMinute(t: number): string {
  return new Date(t).toISOString().slice(0, 16).replace('T', ' ');
}
