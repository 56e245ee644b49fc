// An ε-NFA over the digits 0–9 that numbering-plan regular expressions (libphonenumber's small subset) compile into.

/** A set of digits as a 10-bit mask: bit d stands for digit d. */
export const ALL_DIGITS = 0x3ff;

type PatternNode =
  | { readonly kind: 'digits'; readonly mask: number }
  | { readonly kind: 'sequence'; readonly items: readonly PatternNode[] }
  | { readonly kind: 'choice'; readonly options: readonly PatternNode[] }
  | { readonly kind: 'repeat'; readonly item: PatternNode; readonly min: number; readonly max: number };

/**
 * Several patterns share one automaton so that a subset construction can run them side by side; each pattern is
 * attached to a start state and yields its own end state, which the caller marks with a tag.
 */
export class DigitNfa {
  /** Per state, its digit edges as (mask, target) pairs flattened. */
  private readonly edges: number[][] = [];
  private readonly epsilons: number[][] = [];
  /** Per state, a caller-defined tag (>= 0) or -1. */
  private readonly tags: number[] = [];

  get size(): number {
    return this.tags.length;
  }

  addState(): number {
    this.edges.push([]);
    this.epsilons.push([]);
    this.tags.push(-1);
    return this.tags.length - 1;
  }

  addEdge(from: number, mask: number, to: number): void {
    (this.edges[from] as number[]).push(mask, to);
  }

  addEpsilon(from: number, to: number): void {
    if (from !== to) (this.epsilons[from] as number[]).push(to);
  }

  setTag(state: number, tag: number): void {
    this.tags[state] = tag;
  }

  tagOf(state: number): number {
    return this.tags[state] as number;
  }

  /** Digit edges of a state as (mask, target) pairs flattened. */
  edgesOf(state: number): readonly number[] {
    return this.edges[state] as number[];
  }

  epsilonsOf(state: number): readonly number[] {
    return this.epsilons[state] as number[];
  }

  /**
   * Adds the automaton of `pattern` (anchored at both ends, as libphonenumber matches national numbers entirely)
   * starting at `from`, and returns its end state. Throws on syntax outside the supported subset, so that a metadata
   * update using new syntax fails at generation instead of compiling into a wrong automaton.
   */
  addRegex(pattern: string, from: number): number {
    return this.build(parsePattern(pattern), from);
  }

  private build(node: PatternNode, from: number): number {
    switch (node.kind) {
      case 'digits': {
        const to = this.addState();
        this.addEdge(from, node.mask, to);
        return to;
      }
      case 'sequence': {
        let at = from;
        for (const item of node.items) at = this.build(item, at);
        return at;
      }
      case 'choice': {
        // Branches share the entry state (it gets no edge back into it), then join on a fresh state.
        const join = this.addState();
        for (const option of node.options) this.addEpsilon(this.build(option, from), join);
        return join;
      }
      case 'repeat': {
        let at = from;
        for (let i = 0; i < node.min; i++) at = this.build(node.item, at);
        if (node.max === Number.POSITIVE_INFINITY) {
          // The loop goes through a fresh state so that nothing built before can be re-entered.
          const loop = this.addState();
          this.addEpsilon(at, loop);
          this.addEpsilon(this.build(node.item, loop), loop);
          return loop;
        }
        for (let i = node.min; i < node.max; i++) {
          const skipFrom = at;
          const end = this.build(node.item, skipFrom);
          const next = this.addState();
          this.addEpsilon(end, next);
          this.addEpsilon(skipFrom, next);
          at = next;
        }
        return at;
      }
    }
  }
}

function parsePattern(source: string): PatternNode {
  let pos = 0;

  const fail = (what: string): never => {
    throw new Error(`unsupported pattern syntax (${what}) at ${pos} in /${source}/`);
  };

  const parseChoice = (): PatternNode => {
    const options = [parseSequence()];
    while (source[pos] === '|') {
      pos++;
      options.push(parseSequence());
    }
    return options.length === 1 ? (options[0] as PatternNode) : { kind: 'choice', options };
  };

  const parseSequence = (): PatternNode => {
    const items: PatternNode[] = [];
    while (pos < source.length && source[pos] !== '|' && source[pos] !== ')') items.push(parseQuantified());
    return items.length === 1 ? (items[0] as PatternNode) : { kind: 'sequence', items };
  };

  const parseQuantified = (): PatternNode => {
    let item = parseAtom();
    for (;;) {
      const c = source[pos];
      if (c === '?') {
        pos++;
        item = { kind: 'repeat', item, min: 0, max: 1 };
      } else if (c === '*' || c === '+') {
        pos++;
        item = { kind: 'repeat', item, min: c === '*' ? 0 : 1, max: Number.POSITIVE_INFINITY };
      } else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(pos));
        if (!m) return fail('quantifier');
        pos += m[0].length;
        const min = Number(m[1]);
        const max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
        if (max < min) fail('quantifier range');
        item = { kind: 'repeat', item, min, max };
      } else {
        return item;
      }
      if (source[pos] === '?' || source[pos] === '+') fail('lazy or possessive quantifier');
    }
  };

  const parseAtom = (): PatternNode => {
    const c = source[pos];
    if (c === undefined) return fail('end of pattern');
    if (c >= '0' && c <= '9') {
      pos++;
      return { kind: 'digits', mask: 1 << (c.charCodeAt(0) - 48) };
    }
    if (c === '\\') {
      if (source[pos + 1] !== 'd') fail('escape');
      pos += 2;
      return { kind: 'digits', mask: ALL_DIGITS };
    }
    if (c === '[') return parseClass();
    if (c === '(') {
      pos++;
      if (source.startsWith('?:', pos)) pos += 2;
      else if (source[pos] === '?') fail('group kind');
      const inner = parseChoice();
      if (source[pos] !== ')') fail('unclosed group');
      pos++;
      return inner;
    }
    return fail(`character "${c}"`);
  };

  const parseClass = (): PatternNode => {
    pos++;
    let negate = false;
    if (source[pos] === '^') {
      negate = true;
      pos++;
    }
    let mask = 0;
    while (source[pos] !== ']') {
      const c = source[pos];
      if (c === undefined) return fail('unclosed class');
      if (c === '\\') {
        if (source[pos + 1] !== 'd') fail('escape in class');
        mask |= ALL_DIGITS;
        pos += 2;
        continue;
      }
      if (c < '0' || c > '9') fail(`class member "${c}"`);
      const low = c.charCodeAt(0) - 48;
      if (source[pos + 1] === '-' && source[pos + 2] !== ']') {
        const hi = source[pos + 2];
        if (hi === undefined || hi < '0' || hi > '9') return fail('class range');
        const high = hi.charCodeAt(0) - 48;
        if (high < low) fail('class range order');
        for (let d = low; d <= high; d++) mask |= 1 << d;
        pos += 3;
      } else {
        mask |= 1 << low;
        pos++;
      }
    }
    pos++;
    return { kind: 'digits', mask: negate ? ALL_DIGITS & ~mask : mask };
  };

  const node = parseChoice();
  if (pos !== source.length) fail('unbalanced ")"');
  return node;
}
