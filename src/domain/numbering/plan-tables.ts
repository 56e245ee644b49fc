// The compiled numbering plan: a digit automaton whose states say which territory a number reaches, and its file form.

/** What ending the walk in a state means. Outcome 0 is "no calling code matched". */
export interface PlanOutcome {
  /** Catalog ISO code of the territory (a "001-NNN" pseudo code for non-geographic calling codes). */
  readonly iso: string;
  readonly valid: boolean;
  readonly mobile: boolean;
}

export interface PlanTables {
  readonly stateCount: number;
  /** `transitions[state * 10 + digit]`: the next state; state 0 is the start (no digit read). */
  readonly transitions: Uint16Array | Uint32Array;
  /** Per state, the index into `outcomes` of what a number ending there resolves to. */
  readonly outputs: Uint16Array;
  /** Index 0 is a placeholder for "no calling code matched". */
  readonly outcomes: readonly (PlanOutcome | null)[];
}

/** `plan.json`: the tables with typed arrays as little-endian base64, plus where they were compiled from. */
export interface PlanFile {
  readonly format: 1;
  readonly source: { readonly libphonenumberJs: string };
  readonly stateCount: number;
  readonly transitionBytes: 2 | 4;
  /** [iso, valid (0/1), mobile (0/1)]; entry 0 is null. */
  readonly outcomes: readonly ([string, 0 | 1, 0 | 1] | null)[];
  readonly transitions: string;
  readonly outputs: string;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function toBase64(view: Uint16Array | Uint32Array): string {
  if (!littleEndian) throw new Error('plan files are written on little-endian hosts only');
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
}

function fromBase64<T extends Uint16Array | Uint32Array>(text: string, make: (buffer: ArrayBuffer) => T): T {
  if (!littleEndian) throw new Error('plan files are read on little-endian hosts only');
  const bytes = Buffer.from(text, 'base64');
  // Copy into a fresh buffer: Node may hand back a slice of a shared pool at an unaligned offset.
  const own = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(own).set(bytes);
  return make(own);
}

export function encodePlanTables(tables: PlanTables, source: PlanFile['source']): PlanFile {
  return {
    format: 1,
    source,
    stateCount: tables.stateCount,
    transitionBytes: tables.transitions instanceof Uint16Array ? 2 : 4,
    outcomes: tables.outcomes.map((o) => (o ? [o.iso, o.valid ? 1 : 0, o.mobile ? 1 : 0] : null)),
    transitions: toBase64(tables.transitions),
    outputs: toBase64(tables.outputs),
  };
}

export function decodePlanTables(file: PlanFile): PlanTables {
  if (file.format !== 1) throw new Error(`unknown numbering plan format ${String(file.format)}`);
  const transitions =
    file.transitionBytes === 2
      ? fromBase64(file.transitions, (b) => new Uint16Array(b))
      : fromBase64(file.transitions, (b) => new Uint32Array(b));
  const outputs = fromBase64(file.outputs, (b) => new Uint16Array(b));
  if (transitions.length !== file.stateCount * 10 || outputs.length !== file.stateCount) {
    throw new Error('numbering plan tables do not match their state count');
  }
  return {
    stateCount: file.stateCount,
    transitions,
    outputs,
    outcomes: file.outcomes.map((o) => (o ? { iso: o[0], valid: o[1] === 1, mobile: o[2] === 1 } : null)),
  };
}
