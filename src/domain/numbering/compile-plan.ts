// Compiles libphonenumber's metadata into PlanTables: one digit automaton from the calling code to the last digit.
import { determinize } from './determinize.js';
import { minimize } from './minimize.js';
import type { PlanOutcome, PlanTables } from './plan-tables.js';
import { ALL_DIGITS, DigitNfa } from './regex-automaton.js';

/** The parts of libphonenumber-js's metadata (`metadata.max.json`, format version 4) that the plan is built from. */
export interface PhoneMetadata {
  readonly version: number;
  /** Calling code → its territories, main territory first. Non-geographic codes are not listed here. */
  readonly country_calling_codes: Readonly<Record<string, readonly string[]>>;
  readonly countries: Readonly<Record<string, TerritoryMetadata>>;
  readonly nonGeographic?: Readonly<Record<string, TerritoryMetadata>>;
}

/**
 * A territory's compressed record: [0] calling code, [2] national number pattern, [3] possible lengths,
 * [10] leading digits, [11] number types. Other positions (formats, prefixes) do not bear on resolution.
 */
export type TerritoryMetadata = readonly unknown[];

/** Number type order in the metadata's types array; only fixed line and mobile are told apart here. */
const FIXED_LINE = 0;
const MOBILE = 1;

/** Longest national number libphonenumber considers; the length counter saturates one past it. */
const MAX_NATIONAL_LENGTH = 17;
const LENGTH_CAP = MAX_NATIONAL_LENGTH + 1;

/** Pseudo ISO code of a non-geographic calling code's catalog entry ("001" is libphonenumber's region for them). */
export function nonGeographicIso(callingCode: string): string {
  return `001-${callingCode}`;
}

interface NumberType {
  readonly pattern: string;
  /** Bit n set when n is a possible national length of the type (see lengthMask). */
  readonly lengths: number;
}

export interface Territory {
  readonly iso: string;
  readonly generalPattern: string;
  readonly leadingDigits: string | null;
  /** Null when the record has no type patterns (validity then rests on the general pattern alone). */
  readonly types: readonly (NumberType | null)[] | null;
  /** True when the mobile pattern is absent or empty, which libphonenumber reads as "same as fixed line". */
  readonly mobileIsFixedLine: boolean;
}

/** Bit n set for each possible length n; all bits when the record lists none (libphonenumber then skips the check). */
function lengthMask(lengths: unknown): number {
  if (!Array.isArray(lengths) || lengths.length === 0) return ~0;
  let mask = 0;
  for (const n of lengths) if (typeof n === 'number' && n <= LENGTH_CAP) mask |= 1 << n;
  return mask;
}

function readTerritory(iso: string, record: TerritoryMetadata): Territory {
  const generalPattern = record[2];
  if (typeof generalPattern !== 'string') throw new Error(`${iso}: no national number pattern`);
  const generalLengths = lengthMask(record[3]);
  const leadingDigits = typeof record[10] === 'string' && record[10] !== '' ? record[10] : null;
  const rawTypes = record[11];
  let types: (NumberType | null)[] | null = null;
  let mobileIsFixedLine = true;
  if (Array.isArray(rawTypes) && rawTypes.length > 0) {
    types = rawTypes.map((raw) => {
      if (!Array.isArray(raw) || typeof raw[0] !== 'string' || raw[0] === '') return null;
      return { pattern: raw[0], lengths: raw[1] ? lengthMask(raw[1]) : generalLengths };
    });
    mobileIsFixedLine = types[MOBILE] == null;
  }
  return { iso, generalPattern, leadingDigits, types, mobileIsFixedLine };
}

/** Every calling code with its territories, main territory first, in numeric order of the code. */
export function callingCodesOf(metadata: PhoneMetadata): { code: string; territories: Territory[] }[] {
  const out: { code: string; territories: Territory[] }[] = [];
  for (const [code, isos] of Object.entries(metadata.country_calling_codes)) {
    out.push({
      code,
      territories: isos.map((iso) => {
        const record = metadata.countries[iso];
        if (!record) throw new Error(`calling code ${code} lists ${iso}, which has no metadata`);
        return readTerritory(iso, record);
      }),
    });
  }
  for (const [code, record] of Object.entries(metadata.nonGeographic ?? {})) {
    out.push({ code, territories: [readTerritory(nonGeographicIso(code), record)] });
  }
  return out.sort((a, b) => Number(a.code) - Number(b.code));
}

type Component =
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'general'; readonly territory: number }
  | { readonly kind: 'type'; readonly territory: number; readonly type: number }
  | { readonly kind: 'leading'; readonly territory: number };

/** What a set of NFA states tells about the digits read so far, per territory as bit masks. */
interface Facts {
  /** Territories for which the number read so far is valid (libphonenumber's getNumberType finds a type). */
  readonly valid: number;
  readonly mobile: number;
  /** Territories whose leading-digits pattern matched a prefix of what was read. */
  readonly leading: number;
}

const bit = (i: number): number => 1 << i;

function lowestBit(mask: number): number {
  return 31 - Math.clz32(mask & -mask);
}

function isSingleBit(mask: number): boolean {
  return mask !== 0 && (mask & (mask - 1)) === 0;
}

/**
 * The national-number automaton of one calling code, as a minimised Moore machine whose outputs index `outcomes`.
 *
 * All patterns of all territories of the code run side by side (one subset construction), together with a length
 * counter, so each DFA state knows for every territory whether the digits so far are valid, mobile, or start with
 * its leading digits. The territory a state reports follows libphonenumber for valid numbers (the first territory,
 * in the metadata's order, whose leading digits match or, lacking leading digits, whose type patterns match) and
 * is lenient otherwise: the one territory that some continuation of the longest still-viable prefix could make
 * valid, else the main territory.
 */
function compileCallingCode(
  territories: readonly Territory[],
  outcomeId: (outcome: PlanOutcome) => number,
): { size: number; transitions: Int32Array; outputs: Int32Array } {
  if (territories.length > 30) throw new Error('too many territories for one calling code');
  const nfa = new DigitNfa();
  const root = nfa.addState();
  const components: Component[] = [];
  const attach = (component: Component, pattern: string, sticky: boolean): void => {
    const start = nfa.addState();
    nfa.addEpsilon(root, start);
    const end = nfa.addRegex(pattern, start);
    if (sticky) {
      // A leading-digits pattern matches a prefix: once it has matched, it stays matched whatever follows.
      const held = nfa.addState();
      nfa.addEpsilon(end, held);
      nfa.addEdge(held, ALL_DIGITS, held);
      nfa.setTag(held, components.length);
    } else {
      nfa.setTag(end, components.length);
    }
    components.push(component);
  };

  let previous = root;
  for (let n = 0; n <= LENGTH_CAP; n++) {
    const state = n === 0 ? nfa.addState() : previous;
    if (n === 0) nfa.addEpsilon(root, state);
    nfa.setTag(state, components.length);
    components.push({ kind: 'length', length: n });
    if (n < LENGTH_CAP) {
      const next = nfa.addState();
      nfa.addEdge(state, ALL_DIGITS, next);
      previous = next;
    } else {
      nfa.addEdge(state, ALL_DIGITS, state);
    }
  }
  territories.forEach((t, index) => {
    attach({ kind: 'general', territory: index }, t.generalPattern, false);
    t.types?.forEach((type, k) => {
      if (type) attach({ kind: 'type', territory: index, type: k }, type.pattern, false);
    });
    if (t.leadingDigits !== null) attach({ kind: 'leading', territory: index }, t.leadingDigits, true);
  });

  const factsList: Facts[] = [];
  const factsIds = new Map<string, number>();
  const matchedTypes = new Int32Array(territories.length);
  const dfa = determinize(nfa, root, (states) => {
    let length = 0;
    let general = 0;
    let leading = 0;
    matchedTypes.fill(0);
    for (const s of states) {
      const tag = nfa.tagOf(s);
      if (tag < 0) continue;
      const c = components[tag] as Component;
      if (c.kind === 'length') length = c.length;
      else if (c.kind === 'general') general |= bit(c.territory);
      else if (c.kind === 'leading') leading |= bit(c.territory);
      else matchedTypes[c.territory] = (matchedTypes[c.territory] as number) | bit(c.type);
    }
    let valid = 0;
    let mobile = 0;
    territories.forEach((t, i) => {
      if ((general & bit(i)) === 0) return;
      const types = t.types;
      if (types === null) {
        valid |= bit(i);
        return;
      }
      // A type matches when its pattern does and the length is one of the type's possible lengths.
      const matches = (k: number): boolean => {
        const type = types[k];
        return type != null && ((matchedTypes[i] as number) & bit(k)) !== 0 && (type.lengths & bit(length)) !== 0;
      };
      if (types.some((_, k) => matches(k))) valid |= bit(i);
      if (matches(MOBILE) || (t.mobileIsFixedLine && matches(FIXED_LINE))) mobile |= bit(i);
    });
    const key = `${valid},${mobile},${leading}`;
    let id = factsIds.get(key);
    if (id === undefined) {
      id = factsList.length;
      factsIds.set(key, id);
      factsList.push({ valid, mobile, leading });
    }
    return id;
  });

  // Territories that some continuation can still make valid; the sets only shrink along a walk.
  const alive = new Int32Array(dfa.size);
  for (let s = 0; s < dfa.size; s++) alive[s] = (factsList[dfa.labels[s] as number] as Facts).valid;
  for (let changed = true; changed; ) {
    changed = false;
    for (let s = dfa.size - 1; s >= 0; s--) {
      let mask = alive[s] as number;
      for (let d = 0; d < 10; d++) mask |= alive[dfa.transitions[s * 10 + d] as number] as number;
      if (mask !== alive[s]) {
        alive[s] = mask;
        changed = true;
      }
    }
  }

  const outcomeOf = (facts: Facts, viable: number): number => {
    if (territories.length === 1) {
      const only = territories[0] as Territory;
      return outcomeId({ iso: only.iso, valid: facts.valid !== 0, mobile: facts.mobile !== 0 });
    }
    for (let i = 0; i < territories.length; i++) {
      const t = territories[i] as Territory;
      const claims = t.leadingDigits !== null ? (facts.leading & bit(i)) !== 0 : (facts.valid & bit(i)) !== 0;
      if (claims) {
        return outcomeId({ iso: t.iso, valid: (facts.valid & bit(i)) !== 0, mobile: (facts.mobile & bit(i)) !== 0 });
      }
    }
    // Unclaimed: libphonenumber leaves the country unknown and validates against the main territory.
    const main = territories[0] as Territory;
    const valid = (facts.valid & 1) !== 0;
    const chosen = valid || !isSingleBit(viable) ? main : (territories[lowestBit(viable)] as Territory);
    return outcomeId({ iso: chosen.iso, valid, mobile: (facts.mobile & 1) !== 0 });
  };

  // Pair each DFA state with the viable set of the longest prefix that still had one, so that the territory of
  // a number that went astray is decided by where it went astray.
  const pairIds = new Map<number, number>();
  const pairs: number[] = [];
  const pairOf = (state: number, viable: number): number => {
    const key = state * 2 ** 30 + viable;
    let id = pairIds.get(key);
    if (id === undefined) {
      id = pairs.length / 2;
      pairIds.set(key, id);
      pairs.push(state, viable);
    }
    return id;
  };
  pairOf(0, alive[0] as number);
  const transitions: number[] = [];
  const outputs: number[] = [];
  for (let id = 0; id < pairs.length / 2; id++) {
    const state = pairs[id * 2] as number;
    const viable = pairs[id * 2 + 1] as number;
    outputs.push(outcomeOf(factsList[dfa.labels[state] as number] as Facts, viable));
    for (let d = 0; d < 10; d++) {
      const next = dfa.transitions[state * 10 + d] as number;
      const nextAlive = alive[next] as number;
      transitions.push(pairOf(next, nextAlive !== 0 ? nextAlive : viable));
    }
  }
  return minimize({
    size: pairs.length / 2,
    transitions: Int32Array.from(transitions),
    outputs: Int32Array.from(outputs),
  });
}

/** Compiles the whole plan. Deterministic: the same metadata always gives the same tables. */
export function compilePlan(metadata: PhoneMetadata): PlanTables {
  // Positions in the compressed records are read by number; another format version would be misread silently.
  if (metadata.version !== 4) throw new Error(`libphonenumber-js metadata format ${metadata.version}, expected 4`);
  const outcomes: (PlanOutcome | null)[] = [null];
  const outcomeIds = new Map<string, number>();
  const outcomeId = (o: PlanOutcome): number => {
    const key = `${o.iso},${o.valid ? 1 : 0},${o.mobile ? 1 : 0}`;
    let id = outcomeIds.get(key);
    if (id === undefined) {
      id = outcomes.length;
      outcomeIds.set(key, id);
      outcomes.push(o);
    }
    return id;
  };

  // The calling-code trie: state 0 is the start, state 1 the "no calling code" sink.
  const transitions: number[] = [];
  const outputs: number[] = [];
  const addState = (output: number): number => {
    outputs.push(output);
    for (let d = 0; d < 10; d++) transitions.push(1);
    return outputs.length - 1;
  };
  addState(0);
  addState(0);
  const pending: { from: number; digit: number; code: string; territories: Territory[] }[] = [];
  for (const { code, territories } of callingCodesOf(metadata)) {
    let at = 0;
    for (let i = 0; i < code.length - 1; i++) {
      const slot = at * 10 + Number(code[i]);
      if (transitions[slot] === 1) transitions[slot] = addState(0);
      at = transitions[slot] as number;
    }
    pending.push({ from: at, digit: Number(code[code.length - 1]), code, territories });
  }
  for (const { from, digit, code, territories } of pending) {
    if (transitions[from * 10 + digit] !== 1) throw new Error(`calling code ${code} is a prefix of another`);
    const machine = compileCallingCode(territories, outcomeId);
    const offset = outputs.length;
    for (let s = 0; s < machine.size; s++) {
      outputs.push(machine.outputs[s] as number);
      for (let d = 0; d < 10; d++) transitions.push(offset + (machine.transitions[s * 10 + d] as number));
    }
    transitions[from * 10 + digit] = offset;
  }
  if (outcomes.length > 0xffff) throw new Error('too many outcomes for 16-bit outputs');

  const whole = minimize({
    size: outputs.length,
    transitions: Int32Array.from(transitions),
    outputs: Int32Array.from(outputs),
  });
  const wide = whole.size > 0xffff;
  return {
    stateCount: whole.size,
    transitions: wide ? Uint32Array.from(whole.transitions) : Uint16Array.from(whole.transitions),
    outputs: Uint16Array.from(whole.outputs),
    outcomes,
  };
}
