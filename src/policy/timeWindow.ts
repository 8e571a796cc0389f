// Change-freeze windows. Days and hours are read as wall-clock time in the window's time zone
// (Intl does the zone arithmetic, daylight saving included), so "fri 17:00-23:59 Europe/Paris"
// means what a person in Paris means by it.

import type { DayOfWeek, TimeWindow } from './types';

const dayOrder: DayOfWeek[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const shortDays: Record<string, DayOfWeek> = { Sun: 'sun', Mon: 'mon', Tue: 'tue', Wed: 'wed', Thu: 'thu', Fri: 'fri', Sat: 'sat' };

export interface WallClock {
  /** "YYYY-MM-DDTHH:MM:SS", sortable as a string. */
  wall: string;
  day: DayOfWeek;
  minuteOfDay: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws RangeError for a time zone Intl does not know. */
export function wallClock(now: Date, timeZone: string): WallClock {
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, fmt);
  }
  const parts: Record<string, string> = {};
  for (const p of fmt.formatToParts(now)) parts[p.type] = p.value;
  const hour = parts.hour === '24' ? '00' : parts.hour;
  return {
    wall: `${parts.year}-${parts.month}-${parts.day}T${hour}:${parts.minute}:${parts.second}`,
    day: shortDays[parts.weekday],
    minuteOfDay: Number(hour) * 60 + Number(parts.minute),
  };
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** "HH:MM" -> minutes since midnight, or undefined when malformed. "24:00" is the end of the day. */
export function parseTimeOfDay(text: string): number | undefined {
  const m = /^([01]?\d|2[0-4]):([0-5]\d)$/.exec(text.trim());
  if (!m) return undefined;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes > 24 * 60 ? undefined : minutes;
}

/**
 * An ISO date or date-time. With Z or an offset it is an instant; without, it is wall-clock time
 * in the window's zone (a bare date is that day's midnight). Undefined when malformed.
 */
export function parseWindowBound(text: string): { epochMs?: number; wall?: string } | undefined {
  const t = text.trim();
  const local = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  if (local) {
    if (Number.isNaN(Date.parse(`${local[1]}T00:00:00Z`))) return undefined;
    return { wall: `${local[1]}T${local[2] ?? '00'}:${local[3] ?? '00'}:${local[4] ?? '00'}` };
  }
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(t)) {
    const ms = Date.parse(t.replace(' ', 'T'));
    return Number.isNaN(ms) ? undefined : { epochMs: ms };
  }
  return undefined;
}

function previousDay(day: DayOfWeek): DayOfWeek {
  return dayOrder[(dayOrder.indexOf(day) + 6) % 7];
}

export function timeWindowMatches(window: TimeWindow, now: Date): boolean {
  const clock = wallClock(now, window.timezone);
  const nowMs = now.getTime();
  if (window.from) {
    if (window.from.epochMs !== undefined ? nowMs < window.from.epochMs : clock.wall < (window.from.wall as string)) return false;
  }
  if (window.to) {
    if (window.to.epochMs !== undefined ? nowMs >= window.to.epochMs : clock.wall >= (window.to.wall as string)) return false;
  }
  // The day that counts is the day the daily window opened: 02:00 Saturday is inside "fri 22:00-06:00".
  let day = clock.day;
  if (window.between) {
    const { from, to } = window.between;
    const t = clock.minuteOfDay;
    if (from <= to) {
      if (t < from || t >= to) return false;
    } else if (t >= from) {
      // evening part: today's window
    } else if (t < to) {
      day = previousDay(clock.day);
    } else {
      return false;
    }
  }
  if (window.days && !window.days.includes(day)) return false;
  return true;
}

export const allDays: readonly DayOfWeek[] = dayOrder;
