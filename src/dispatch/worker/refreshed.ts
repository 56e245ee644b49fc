// A value read from the database and kept for a while: each caller gets the kept one, read again once it is older
// than its period (one read at a time; a failed read keeps the old value, if there is one, until the next period).
import type { ClockUs } from '../../domain/time.js';
import { US_PER_MS } from '../../domain/time.js';

export function refreshedEvery<T>(load: () => Promise<T>, periodMs: number, clockUs: ClockUs): () => Promise<T> {
  let kept: { value: T; readAtUs: number } | null = null;
  let reading: Promise<T> | null = null;
  return async () => {
    const nowUs = clockUs();
    if (kept !== null && nowUs - kept.readAtUs < periodMs * US_PER_MS) return kept.value;
    if (reading === null) {
      reading = load()
        .then((value) => {
          kept = { value, readAtUs: nowUs };
          return value;
        })
        .catch((error: unknown) => {
          if (kept === null) throw error;
          kept = { value: kept.value, readAtUs: nowUs };
          return kept.value;
        })
        .finally(() => {
          reading = null;
        });
    }
    return reading;
  };
}
