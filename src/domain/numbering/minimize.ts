// Minimises a complete DFA whose states carry outputs (a Moore machine) and renumbers it breadth-first from the start.

export interface MooreMachine {
  readonly size: number;
  /** `transitions[state * 10 + digit]`; state 0 is the start. */
  readonly transitions: Int32Array;
  /** What reading stops at each state yields; only outputs are observable, so states are merged on them. */
  readonly outputs: Int32Array;
}

/**
 * Moore's partition refinement: states start grouped by output and are split until every group agrees on the group
 * of each successor. Runs are bounded by the longest distinguishing input, which the short numbers keep small.
 * The result is deterministic: groups are numbered in breadth-first order from the start over digits 0–9.
 */
export function minimize(machine: MooreMachine): MooreMachine {
  const { size, transitions, outputs } = machine;
  let group = new Int32Array(size);
  let groups = 0;
  {
    const byOutput = new Map<number, number>();
    for (let s = 0; s < size; s++) {
      const o = outputs[s] as number;
      let g = byOutput.get(o);
      if (g === undefined) {
        g = byOutput.size;
        byOutput.set(o, g);
      }
      group[s] = g;
    }
    groups = byOutput.size;
  }
  for (;;) {
    const next = new Int32Array(size);
    const bySignature = new Map<string, number>();
    for (let s = 0; s < size; s++) {
      let key = `${group[s]}`;
      for (let d = 0; d < 10; d++) key += `,${group[transitions[s * 10 + d] as number]}`;
      let g = bySignature.get(key);
      if (g === undefined) {
        g = bySignature.size;
        bySignature.set(key, g);
      }
      next[s] = g;
    }
    const stable = bySignature.size === groups;
    group = next;
    groups = bySignature.size;
    if (stable) break;
  }

  const representative = new Int32Array(groups).fill(-1);
  for (let s = 0; s < size; s++) if (representative[group[s] as number] === -1) representative[group[s] as number] = s;
  const order = new Int32Array(groups).fill(-1);
  const queue: number[] = [group[0] as number];
  order[group[0] as number] = 0;
  let count = 1;
  const newTransitions = new Int32Array(groups * 10);
  const newOutputs = new Int32Array(groups);
  for (let head = 0; head < queue.length; head++) {
    const g = queue[head] as number;
    const s = representative[g] as number;
    const id = order[g] as number;
    newOutputs[id] = outputs[s] as number;
    for (let d = 0; d < 10; d++) {
      const target = group[transitions[s * 10 + d] as number] as number;
      if (order[target] === -1) {
        order[target] = count++;
        queue.push(target);
      }
      newTransitions[id * 10 + d] = order[target] as number;
    }
  }
  return {
    size: count,
    transitions: newTransitions.slice(0, count * 10),
    outputs: newOutputs.slice(0, count),
  };
}
