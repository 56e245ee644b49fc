// Durations within this process (round gaps, how long an outage lasted): a clock that only moves forward.

/** Milliseconds since an arbitrary start, never set back (unlike the wall clock). */
export type MonotonicMs = () => number;

export const monotonicMs: MonotonicMs = () => performance.now();
