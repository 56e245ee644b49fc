// Time as integer microseconds since the Unix epoch (UTC): stored so on both engines, shown as the API's formats.

/** A source of the current time in microseconds; the store reads the clock only through this. */
export type ClockUs = () => number;

export const US_PER_MS = 1000;
export const US_PER_SECOND = 1_000_000;

/** The system clock; JavaScript keeps milliseconds, so the three last digits are zero. */
export const systemClockUs: ClockUs = () => Date.now() * US_PER_MS;

/**
 * Milliseconds from an arbitrary origin that only move forward, for a duration or a deadline within one process; never
 * a date. The code reads the current time only through a ClockUs or a MonotonicMs handed to it (test/layers checks).
 */
export type MonotonicMs = () => number;

/** The process's monotonic clock. */
export const systemMonotonicMs: MonotonicMs = () => performance.now();

export function usFromDate(date: Date): number {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid date');
  return ms * US_PER_MS;
}

/** ISO-8601 UTC with six decimals, as the API shows `created_at`: "2023-04-11T15:46:26.123456Z". */
export function isoFromUs(us: number): string {
  if (!Number.isSafeInteger(us)) throw new RangeError(`${us} is not a whole number of microseconds`);
  const ms = Math.floor(us / US_PER_MS);
  const micros = us - ms * US_PER_MS;
  const iso = new Date(ms).toISOString(); // "2023-04-11T15:46:26.123Z"
  return `${iso.slice(0, -1)}${String(micros).padStart(3, '0')}Z`;
}

const ISO_RE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(?:Z|[+-]00:?00)?$/;

/** Reads UTC time with up to six decimals ("2023-04-11T15:46:26.123456Z", "2023-04-11 15:46:26"); null if not one. */
export function usFromIso(text: string): number | null {
  const m = ISO_RE.exec(text);
  if (!m) return null;
  const ms = Date.parse(`${m[1]}T${m[2]}Z`);
  if (!Number.isFinite(ms)) return null;
  const fraction = (m[3] ?? '').padEnd(6, '0');
  return ms * US_PER_MS + Number(fraction);
}

/** `Y-m-d H:i:s` in UTC, as the API shows `scheduled_at`: "2023-04-11 15:46:26". */
export function ymdHisFromUs(us: number): string {
  return new Date(Math.floor(us / US_PER_MS)).toISOString().slice(0, 19).replace('T', ' ');
}

const YMD_HIS_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Reads `Y-m-d H:i:s` as UTC microseconds; null when it is not that format or not a real time (2023-02-30). */
export function usFromYmdHis(text: string): number | null {
  const m = YMD_HIS_RE.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isFinite(ms) && ymdHisFromUs(ms * US_PER_MS) === text ? ms * US_PER_MS : null;
}
