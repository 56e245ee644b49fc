// Tiny measuring helpers shared by the benchmark files: warm up, then time repeated runs of a function.
import { performance } from 'node:perf_hooks';

export { seededRandom } from '../test/support/random.js';

export interface BenchRow {
  /** What was measured, e.g. "countParts, 160-char GSM-7 text". */
  readonly name: string;
  /** The figure, already formatted with its unit, e.g. "4,512,000 parts/s". */
  readonly result: string;
  /** The target it is held to, e.g. ">= 1,000,000 numbers/s", or "" when there is none. */
  readonly target: string;
  /** Extra context (peak memory, sample size). */
  readonly notes?: string;
}

/** Runs `fn` repeatedly (each call does `opsPerCall` operations) and returns operations per second after warm-up. */
export function opsPerSecond(fn: () => void, opsPerCall: number, { warmupMs = 300, measureMs = 1500 } = {}): number {
  const warmupEnd = performance.now() + warmupMs;
  while (performance.now() < warmupEnd) fn();
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < measureMs) {
    fn();
    calls++;
    now = performance.now();
  }
  return (calls * opsPerCall) / ((now - start) / 1000);
}

export function formatRate(value: number, unit: string): string {
  return `${Math.round(value).toLocaleString('en-US')} ${unit}`;
}
