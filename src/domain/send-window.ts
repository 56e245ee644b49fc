// Quiet hours: a sending's send window ("08:00-20:00") read in each recipient's local time, and when it next opens.
import { COUNTRY_TIME_ZONES } from './country-time-zones.js';

/** A daily window of local time, in minutes of the day: from `startMinute` (inclusive) to `endMinute` (exclusive). */
export interface SendWindow {
  readonly startMinute: number;
  readonly endMinute: number;
}

const WINDOW_RE = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;
const MINUTES_PER_DAY = 24 * 60;
const US_PER_MINUTE = 60_000_000;
const MS_PER_MINUTE = 60_000;

/**
 * Reads `HH:MM-HH:MM` (24-hour, spaces around ignored); a start after the end crosses midnight ("21:00-07:00").
 * Null when it is not that format, or start and end are the same (an empty window, or a whole day: neither is one).
 */
export function parseSendWindow(text: string): SendWindow | null {
  const m = WINDOW_RE.exec(text.trim());
  if (!m) return null;
  const startMinute = Number(m[1]) * 60 + Number(m[2]);
  const endMinute = Number(m[3]) * 60 + Number(m[4]);
  if (startMinute === endMinute) return null;
  return { startMinute, endMinute };
}

/** The window written back in its canonical form, `HH:MM-HH:MM`. */
export function formatSendWindow(window: SendWindow): string {
  const hhmm = (minute: number) =>
    `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
  return `${hhmm(window.startMinute)}-${hhmm(window.endMinute)}`;
}

/** Whether a minute of the local day falls inside the window. */
export function minuteInWindow(window: SendWindow, minuteOfDay: number): boolean {
  const { startMinute, endMinute } = window;
  return startMinute < endMinute
    ? minuteOfDay >= startMinute && minuteOfDay < endMinute
    : minuteOfDay >= startMinute || minuteOfDay < endMinute;
}

/** The IANA zone a country's windows are read in (COUNTRY_TIME_ZONES), UTC for a country without one. */
export function timeZoneOfCountry(iso: string): string {
  return COUNTRY_TIME_ZONES[iso] ?? 'UTC';
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The local wall time of an instant (whole minutes) written as if it were UTC: milliseconds since the epoch. */
function wallMs(zone: string, utcMs: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatterOf(zone).formatToParts(new Date(utcMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0);
}

/**
 * The first instant (whole minute, UTC milliseconds) whose local wall time in `zone` is `wall` or later: the instant
 * itself when it exists, the earlier of two in an hour repeated when clocks go back, the moment clocks jump forward
 * when `wall` falls in the hour skipped.
 */
function firstInstantAtOrAfter(zone: string, wall: number): number {
  // The offsets a day either side: every candidate instant is wall − offset for one of them.
  const offsets = new Set([
    wallMs(zone, wall - MINUTES_PER_DAY * MS_PER_MINUTE) - (wall - MINUTES_PER_DAY * MS_PER_MINUTE),
    wallMs(zone, wall) - wall,
    wallMs(zone, wall + MINUTES_PER_DAY * MS_PER_MINUTE) - (wall + MINUTES_PER_DAY * MS_PER_MINUTE),
  ]);
  const exact = [...offsets].map((offset) => wall - offset).filter((t) => wallMs(zone, t) === wall);
  if (exact.length > 0) return Math.min(...exact);
  // In a gap: between the candidates, local time jumps past `wall`; find that minute.
  const candidates = [...offsets].map((offset) => wall - offset);
  let low = Math.min(...candidates); // local time before `wall`
  let high = Math.max(...candidates); // local time past `wall`
  while (high - low > MS_PER_MINUTE) {
    const mid = low + Math.floor((high - low) / 2 / MS_PER_MINUTE) * MS_PER_MINUTE;
    if (wallMs(zone, mid) >= wall) high = mid;
    else low = mid;
  }
  return high;
}

/**
 * When a message for a recipient in `zone` may go, at `fromUs` or later: `fromUs` itself when its local time is
 * inside the window, else the window's next opening (its start, local time, today or tomorrow; on a day clocks jump
 * over the start, the moment they jump). Microseconds since the epoch, UTC.
 */
export function nextWindowOpeningUs(window: SendWindow, zone: string, fromUs: number): number {
  const fromMs = Math.floor(fromUs / 1000);
  const wall = wallMs(zone, fromMs);
  const minuteOfDay = Math.floor((((wall / MS_PER_MINUTE) % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY);
  if (minuteInWindow(window, minuteOfDay)) return fromUs;
  const localMidnight = wall - minuteOfDay * MS_PER_MINUTE;
  for (let day = 0; day <= 2; day++) {
    const opening = firstInstantAtOrAfter(
      zone,
      localMidnight + day * MINUTES_PER_DAY * MS_PER_MINUTE + window.startMinute * MS_PER_MINUTE,
    );
    if (opening * 1000 > fromUs) return opening * 1000;
  }
  // Unreachable for any real zone: an opening comes every day.
  return fromUs + MINUTES_PER_DAY * US_PER_MINUTE;
}
