// Mobile operator of a number: longest-prefix match on libphonenumber's carrier prefixes, MCC/MNC from the alias table.
import type { OperatorMatch } from './types.js';

/**
 * Shape of data/numbering/operators/carriers.json: calling code ("45") → operator name as the prefix data spells it
 * ("telenor") → national prefixes, i.e. the digits after the calling code ("5", "22"). The international prefix is
 * calling code + national prefix ("455", "4522"); calling codes are prefix-free, so the two never collide.
 */
export type CarrierTable = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

/** One row of data/numbering/operators/aliases.csv: null mcc/mnc means the name is known but has no network. */
export interface AliasRow {
  /** Territory the number was resolved to (ISO 3166-1 alpha-2, upper case, or "001" for non-geographic codes). */
  readonly iso: string;
  /** Operator name exactly as in carriers.json. */
  readonly name: string;
  readonly mcc: string | null;
  readonly mnc: string | null;
}

export interface OperatorTables {
  readonly carriers: CarrierTable;
  readonly aliases: readonly AliasRow[];
}

export interface OperatorIndex {
  /**
   * `digits`: the full international number without "+" ("4520123456"); `iso`: the territory it was resolved to.
   * Returns null when no carrier prefix matches or the input holds a non-digit. The returned objects are shared
   * and frozen.
   */
  lookup(digits: string, iso: string): OperatorMatch | null;
  /** Number of carrier prefixes compiled in. */
  readonly prefixCount: number;
  /** Number of trie nodes, for memory estimates (each node costs 11 Int32 slots). */
  readonly nodeCount: number;
}

const RADIX = 10;
const DIGIT_0 = 48;

export function createOperatorIndex(tables: OperatorTables): OperatorIndex {
  const names: string[] = [];
  const nameIds = new Map<string, number>();
  const internName = (name: string): number => {
    let id = nameIds.get(name);
    if (id === undefined) {
      id = names.length;
      names.push(name);
      nameIds.set(name, id);
    }
    return id;
  };

  // Every prefix adds at most its own length in nodes, which bounds the arrays before they are trimmed.
  let bound = 1;
  let prefixCount = 0;
  for (const [cc, byName] of Object.entries(tables.carriers)) {
    for (const prefixes of Object.values(byName)) {
      for (const p of prefixes) bound += cc.length + p.length;
      prefixCount += prefixes.length;
    }
  }
  let children = new Int32Array(bound * RADIX);
  // Name id + 1 of the prefix ending at a node; 0 when no prefix ends there.
  let terminal = new Int32Array(bound);
  let nodeCount = 1;

  const insert = (digits: string, nameId: number): void => {
    let node = 0;
    for (let i = 0; i < digits.length; i++) {
      const d = digits.charCodeAt(i) - DIGIT_0;
      if (d < 0 || d > 9) throw new Error(`carrier prefix "${digits}" holds a non-digit`);
      const slot = node * RADIX + d;
      let next = children[slot] as number;
      if (next === 0) {
        next = nodeCount++;
        children[slot] = next;
      }
      node = next;
    }
    const existing = terminal[node] as number;
    if (existing !== 0 && existing !== nameId + 1) {
      throw new Error(`carrier prefix ${digits} is given to both ${names[existing - 1]} and ${names[nameId]}`);
    }
    terminal[node] = nameId + 1;
  };

  for (const [cc, byName] of Object.entries(tables.carriers)) {
    for (const [name, prefixes] of Object.entries(byName)) {
      const id = internName(name);
      for (const p of prefixes) insert(cc + p, id);
    }
  }
  children = children.slice(0, nodeCount * RADIX);
  terminal = terminal.slice(0, nodeCount);

  const unmapped: OperatorMatch[] = names.map((name) =>
    Object.freeze({ name: displayName(name), mcc: null, mnc: null }),
  );

  // (name, territory) → match; the key packs both ids into one number so a lookup allocates nothing.
  const isoIds = new Map<string, number>();
  for (const row of tables.aliases) if (!isoIds.has(row.iso)) isoIds.set(row.iso, isoIds.size);
  const isoCount = Math.max(isoIds.size, 1);
  const aliased = new Map<number, OperatorMatch>();
  for (const row of tables.aliases) {
    const nameId = nameIds.get(row.name);
    if (nameId === undefined) continue;
    const isoId = isoIds.get(row.iso) as number;
    const mapped = row.mcc !== null && row.mnc !== null;
    aliased.set(
      nameId * isoCount + isoId,
      mapped
        ? Object.freeze({ name: displayName(row.name), mcc: row.mcc, mnc: row.mnc })
        : (unmapped[nameId] as OperatorMatch),
    );
  }

  const lookup = (digits: string, iso: string): OperatorMatch | null => {
    let node = 0;
    let found = 0;
    const n = digits.length;
    let i = 0;
    for (; i < n; i++) {
      const d = digits.charCodeAt(i) - DIGIT_0;
      if (d < 0 || d > 9) return null;
      node = children[node * RADIX + d] as number;
      if (node === 0) break;
      const t = terminal[node] as number;
      if (t !== 0) found = t;
    }
    if (found === 0) return null;
    // The rest must be digits too, so a malformed number never gets an operator by its prefix alone.
    for (i++; i < n; i++) {
      const d = digits.charCodeAt(i) - DIGIT_0;
      if (d < 0 || d > 9) return null;
    }
    const isoId = isoIds.get(iso);
    if (isoId !== undefined) {
      const match = aliased.get((found - 1) * isoCount + isoId);
      if (match !== undefined) return match;
    }
    return unmapped[found - 1] as OperatorMatch;
  };

  return Object.freeze({ lookup, prefixCount, nodeCount });
}

/**
 * Parses aliases.csv / aliases.overrides.csv text: header `iso,carrier_name,mcc,mnc`, RFC 4180 quoting, lines
 * starting with "#" and blank lines ignored. An empty mnc means the name is known not to map to a network, so the
 * row comes back with both mcc and mnc null.
 */
export function parseAliasesCsv(text: string): AliasRow[] {
  const rows: AliasRow[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '' || line.startsWith('#')) continue;
    const fields = splitCsvLine(line, i + 1);
    if (fields[0] === 'iso' && fields[1] === 'carrier_name') continue;
    if (fields.length !== 4) throw new Error(`aliases line ${i + 1}: expected 4 fields, got ${fields.length}`);
    const [iso, name, mcc, mnc] = fields as [string, string, string, string];
    if (!/^([A-Z]{2}|\d{3})$/.test(iso)) throw new Error(`aliases line ${i + 1}: bad territory "${iso}"`);
    if (name === '') throw new Error(`aliases line ${i + 1}: empty carrier name`);
    if (mnc === '') {
      rows.push({ iso, name, mcc: null, mnc: null });
      continue;
    }
    if (!/^\d{3}$/.test(mcc) || !/^\d{2,3}$/.test(mnc)) {
      throw new Error(`aliases line ${i + 1}: bad MCC/MNC "${mcc}"/"${mnc}"`);
    }
    rows.push({ iso, name, mcc, mnc });
  }
  return rows;
}

function splitCsvLine(line: string, lineNo: number): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new Error(`aliases line ${lineNo}: unterminated quote`);
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      fields.push(value);
      if (i < line.length && line[i] !== ',') throw new Error(`aliases line ${lineNo}: text after closing quote`);
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      fields.push(line.slice(i, end).trim());
      i = end;
    }
    if (i >= line.length) return fields;
    i++; // past the comma
  }
}

const KEEP_LOWER = new Set(['de', 'del', 'di', 'do', 'da', 'of', 'and', 'et', 'la', 'le']);

/**
 * The name a customer sees in a destination ("Denmark Telenor"). Part of the prefix data spells names in lower case
 * ("telenor", "tdc"); those get capitals: short words as acronyms, others with a capital first letter.
 */
export function displayName(name: string): string {
  if (/\p{Lu}/u.test(name)) return name;
  return name.replace(/\p{L}[\p{L}\p{N}'&.-]*/gu, (word, offset: number) => {
    if (offset > 0 && KEEP_LOWER.has(word)) return word;
    if (word === 'ltd') return 'Ltd';
    if (word.length <= 3) return word.toUpperCase();
    return word[0]?.toUpperCase() + word.slice(1);
  });
}
