// The digit-regex compiler (NFA, subset construction, minimisation) against JavaScript's RegExp on every metadata pattern.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { seededRandom as random } from '../../../test/support/random.js';
import { determinize, type LabelledDfa } from './determinize.js';
import { minimize } from './minimize.js';
import { DigitNfa } from './regex-automaton.js';

const requireFrom = createRequire(import.meta.url);

interface Compiled {
  readonly dfa: LabelledDfa;
  accepts(digits: string): boolean;
}

function compile(pattern: string): Compiled {
  const nfa = new DigitNfa();
  const start = nfa.addState();
  const end = nfa.addRegex(pattern, start);
  nfa.setTag(end, 0);
  const dfa = determinize(nfa, start, (states) => (states.includes(end) ? 1 : 0));
  return {
    dfa,
    accepts(digits) {
      let s = 0;
      for (const c of digits) s = dfa.transitions[s * 10 + Number(c)] as number;
      return dfa.labels[s] === 1;
    },
  };
}

/**
 * Draws strings from a pattern by reading its source directly (not through the compiler under test), so strings the
 * compiler would wrongly reject still come up. Whatever it draws is checked against RegExp before use.
 */
function drawFrom(pattern: string, rnd: () => number): string {
  const choose = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  // Returns [text, position after the construct].
  const alternation = (pos: number): [string, number] => {
    const options: string[] = [];
    for (;;) {
      const [text, end] = sequence(pos);
      options.push(text);
      if (pattern[end] !== '|') return [choose(options), end];
      pos = end + 1;
    }
  };
  const sequence = (pos: number): [string, number] => {
    let out = '';
    while (pos < pattern.length && pattern[pos] !== '|' && pattern[pos] !== ')') {
      const atomStart = pos;
      let [text, end] = atom(atomStart);
      let min = 1;
      let max = 1;
      const q = /^(?:\?|\{(\d+)(?:,(\d*))?\})/.exec(pattern.slice(end));
      if (q) {
        if (q[0] === '?') min = 0;
        else {
          min = Number(q[1]);
          max = q[2] === undefined ? min : q[2] === '' ? min + 3 : Number(q[2]);
        }
        end += q[0].length;
      }
      const times = min + Math.floor(rnd() * (max - min + 1));
      text = '';
      for (let i = 0; i < times; i++) text += atom(atomStart)[0];
      out += text;
      pos = end;
    }
    return [out, pos];
  };
  const atom = (pos: number): [string, number] => {
    const c = pattern[pos] as string;
    if (c === '\\') return [String(Math.floor(rnd() * 10)), pos + 2];
    if (c === '[') {
      const close = pattern.indexOf(']', pos);
      const members = pattern
        .slice(pos + 1, close)
        .replace(/\\d/g, '0-9')
        .replace(/(\d)-(\d)/g, (_, a: string, b: string) => {
          let s = '';
          for (let d = Number(a); d <= Number(b); d++) s += d;
          return s;
        });
      return [choose([...members]), close + 1];
    }
    if (c === '(') {
      const inner = pattern.startsWith('(?:', pos) ? pos + 3 : pos + 1;
      const [text, end] = alternation(inner);
      return [text, end + 1];
    }
    return [c, pos + 1];
  };
  return alternation(0)[0];
}

/** A random accepted string by walking the DFA through states from which acceptance is still reachable. */
function walkAccepted(dfa: LabelledDfa, live: Uint8Array, rnd: () => number): string | null {
  if (!live[0]) return null;
  let s = 0;
  let out = '';
  for (let step = 0; step < 40; step++) {
    if (dfa.labels[s] === 1 && rnd() < 0.3) return out;
    const options: number[] = [];
    for (let d = 0; d < 10; d++) if (live[dfa.transitions[s * 10 + d] as number]) options.push(d);
    if (options.length === 0) return dfa.labels[s] === 1 ? out : null;
    const d = options[Math.floor(rnd() * options.length)] as number;
    out += d;
    s = dfa.transitions[s * 10 + d] as number;
  }
  return dfa.labels[s] === 1 ? out : null;
}

function liveStates(dfa: LabelledDfa): Uint8Array {
  const live = new Uint8Array(dfa.size);
  for (let s = 0; s < dfa.size; s++) if (dfa.labels[s] === 1) live[s] = 1;
  for (let changed = true; changed; ) {
    changed = false;
    for (let s = 0; s < dfa.size; s++) {
      if (live[s]) continue;
      for (let d = 0; d < 10; d++) {
        if (live[dfa.transitions[s * 10 + d] as number]) {
          live[s] = 1;
          changed = true;
          break;
        }
      }
    }
  }
  return live;
}

function mutate(digits: string, rnd: () => number): string {
  const at = Math.floor(rnd() * (digits.length + 1));
  const digit = String(Math.floor(rnd() * 10));
  const r = rnd();
  if (r < 0.4) return digits.slice(0, at) + digit + digits.slice(at + 1);
  if (r < 0.7) return digits.slice(0, at) + digit + digits.slice(at);
  return digits.slice(0, at) + digits.slice(at + 1);
}

function metadataPatterns(): string[] {
  const metadata = requireFrom('libphonenumber-js/metadata.max.json') as {
    countries: Record<string, unknown[]>;
    nonGeographic: Record<string, unknown[]>;
  };
  const patterns = new Set<string>();
  for (const record of [...Object.values(metadata.countries), ...Object.values(metadata.nonGeographic)]) {
    for (const p of [record[2], record[10]]) if (typeof p === 'string') patterns.add(p);
    if (Array.isArray(record[11])) {
      for (const type of record[11]) if (Array.isArray(type) && typeof type[0] === 'string') patterns.add(type[0]);
    }
  }
  return [...patterns].sort();
}

describe('DigitNfa.addRegex + determinize', () => {
  it.each([
    ['', [''], ['1']],
    ['7', ['7'], ['', '8', '77']],
    ['[2-46-8]\\d', ['20', '49', '69', '87'], ['50', '2', '200']],
    ['[^1-8]', ['0', '9'], ['5']],
    ['1(?:2|34)?5', ['15', '125', '1345'], ['135', '1235']],
    ['\\d{2,3}', ['12', '123'], ['1', '1234']],
    ['\\d{2,}', ['12', '123456'], ['1']],
    ['(?:12)*3', ['3', '123', '12123'], ['1213', '13']],
    ['(?:1|12)(?:23)?4', ['14', '124', '1234', '12234'], ['1224', '12344']],
    ['8(?:00|33)[2-9]\\d{6}|9\\d{2}', ['8002345678', '912'], ['8012345678', '8001345678', '9123']],
  ])('/%s/ accepts %j and rejects %j, as RegExp does', (pattern, accepted, rejected) => {
    const c = compile(pattern);
    const re = new RegExp(`^(?:${pattern})$`);
    for (const s of accepted) expect([s, c.accepts(s), re.test(s)]).toEqual([s, true, true]);
    for (const s of rejected) expect([s, c.accepts(s), re.test(s)]).toEqual([s, false, false]);
  });

  it.each([['a'], ['.'], ['\\s'], ['(?=1)'], ['1{3,2}'], ['(1'], ['1)'], ['[1-'], ['1??']])(
    'rejects /%s/, which is outside the subset',
    (pattern) => {
      expect(() => new DigitNfa().addRegex(pattern, 0)).toThrow(/unsupported pattern syntax/);
    },
  );

  it('agrees with RegExp on drawn, walked, mutated and random strings for every metadata pattern', () => {
    const patterns = metadataPatterns();
    expect(patterns.length).toBeGreaterThan(1000);
    const rnd = random(7);
    let checked = 0;
    let acceptedByBoth = 0;
    for (const pattern of patterns) {
      const re = new RegExp(`^(?:${pattern})$`);
      const c = compile(pattern);
      const live = liveStates(c.dfa);
      const samples: string[] = [];
      for (let i = 0; i < 12; i++) {
        const drawn = drawFrom(pattern, rnd);
        // The drawer is the independent witness of what the pattern accepts, so it must be right itself.
        if (!re.test(drawn)) expect.fail(`drawn "${drawn}" does not match /${pattern}/`);
        samples.push(drawn);
      }
      for (let i = 0; i < 12; i++) {
        const w = walkAccepted(c.dfa, live, rnd);
        if (w !== null) samples.push(w);
      }
      const seeds = samples.slice();
      for (const s of seeds) for (let i = 0; i < 3; i++) samples.push(mutate(s, rnd));
      for (let i = 0; i < 10; i++) {
        let s = '';
        const length = 1 + Math.floor(rnd() * 14);
        for (let k = 0; k < length; k++) s += Math.floor(rnd() * 10);
        samples.push(s);
      }
      for (const s of samples) {
        const expected = re.test(s);
        if (c.accepts(s) !== expected) expect.fail(`/${pattern}/ on "${s}": RegExp says ${expected}`);
        checked++;
        if (expected) acceptedByBoth++;
      }
    }
    // Enough positives that under-acceptance would show, not only rejections.
    expect(checked).toBeGreaterThan(80_000);
    expect(acceptedByBoth / checked).toBeGreaterThan(0.3);
  });

  it('minimize keeps the language and merges equivalent states', () => {
    const pattern = '(?:1[2-4]|2[2-4])\\d{3}|5\\d{4}';
    const c = compile(pattern);
    const min = minimize({ size: c.dfa.size, transitions: c.dfa.transitions, outputs: c.dfa.labels });
    expect(min.size).toBeLessThan(c.dfa.size);
    // Start, after the first digit (1/2 vs 5 differ in what follows), three or four tail states, accept, dead.
    expect(min.size).toBeLessThanOrEqual(10);
    const re = new RegExp(`^(?:${pattern})$`);
    const rnd = random(3);
    for (let i = 0; i < 2000; i++) {
      let s = '';
      const length = 4 + Math.floor(rnd() * 3);
      for (let k = 0; k < length; k++) s += Math.floor(rnd() * (k === 0 ? 6 : 10));
      let state = 0;
      for (const ch of s) state = min.transitions[state * 10 + Number(ch)] as number;
      expect(min.outputs[state] === 1).toBe(re.test(s));
    }
  });
});
