// Wire formats of the public API: timestamps as the published page shows them.

/** ISO-8601 UTC with microseconds, as `created_at`: 2023-04-11T15:46:26.000000Z. */
export function isoMicros(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** `Y-m-d H:i:s` in UTC, as `scheduled_at`: 2023-04-11 15:46:26. */
export function ymdHis(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}
