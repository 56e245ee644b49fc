// Subset construction: turns a DigitNfa into a complete DFA over the digits whose states carry caller-computed labels.
import type { DigitNfa } from './regex-automaton.js';

/** A complete DFA: every state has a successor for every digit (the empty set is an ordinary state). */
export interface LabelledDfa {
  readonly size: number;
  /** `transitions[state * 10 + digit]` is the next state. State 0 is the start. */
  readonly transitions: Int32Array;
  /** The label the caller gave each state's set of NFA states. */
  readonly labels: Int32Array;
}

/**
 * Runs the subset construction from `start`. Sets keep only the NFA states that matter (those with digit edges or a
 * tag), so sets reached through different ε-paths are recognised as one state. `label` receives each set (sorted
 * NFA state numbers, possibly empty) once and returns a number that the caller can map back to what it needs.
 */
export function determinize(nfa: DigitNfa, start: number, label: (states: readonly number[]) => number): LabelledDfa {
  const closures = new Map<number, readonly number[]>();
  const stamp = new Int32Array(nfa.size);
  let stampValue = 0;

  const closureOf = (state: number): readonly number[] => {
    const known = closures.get(state);
    if (known) return known;
    stampValue++;
    const out: number[] = [];
    const stack = [state];
    stamp[state] = stampValue;
    while (stack.length > 0) {
      const s = stack.pop() as number;
      if (nfa.edgesOf(s).length > 0 || nfa.tagOf(s) >= 0) out.push(s);
      for (const t of nfa.epsilonsOf(s)) {
        if (stamp[t] !== stampValue) {
          stamp[t] = stampValue;
          stack.push(t);
        }
      }
    }
    out.sort((a, b) => a - b);
    closures.set(state, out);
    return out;
  };

  const ids = new Map<string, number>();
  const sets: (readonly number[])[] = [];
  const labels: number[] = [];
  const transitions: number[] = [];

  const idOf = (set: readonly number[]): number => {
    const key = set.join(',');
    let id = ids.get(key);
    if (id === undefined) {
      id = sets.length;
      ids.set(key, id);
      sets.push(set);
      labels.push(label(set));
    }
    return id;
  };

  idOf(closureOf(start));
  const buckets: number[][] = Array.from({ length: 10 }, () => []);
  for (let id = 0; id < sets.length; id++) {
    for (const bucket of buckets) bucket.length = 0;
    for (const s of sets[id] as readonly number[]) {
      const edges = nfa.edgesOf(s);
      for (let e = 0; e < edges.length; e += 2) {
        const mask = edges[e] as number;
        const reached = closureOf(edges[e + 1] as number);
        for (let d = 0; d < 10; d++) {
          if ((mask & (1 << d)) === 0) continue;
          const bucket = buckets[d] as number[];
          for (const r of reached) bucket.push(r);
        }
      }
    }
    for (let d = 0; d < 10; d++) {
      const bucket = buckets[d] as number[];
      bucket.sort((a, b) => a - b);
      let n = 0;
      for (let i = 0; i < bucket.length; i++) {
        if (i === 0 || bucket[i] !== bucket[i - 1]) bucket[n++] = bucket[i] as number;
      }
      bucket.length = n;
      transitions[id * 10 + d] = idOf(bucket.slice());
    }
  }
  return { size: sets.length, transitions: Int32Array.from(transitions), labels: Int32Array.from(labels) };
}
