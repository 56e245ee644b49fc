// The hot reads of every request (a new sending's facts together, or the sender, the rate list's version, the
// suppression list, the route table's version each on its own), each built with Kysely once per database and then
// run by its text with each call's values, on the short path of `db.readRows`: building and compiling a query costs
// more than running these small ones.
import type { CompiledQuery } from 'kysely';
import type { Db } from './db.js';

const ARGUMENT = Symbol('prepared read argument');

/** Stands for the read's argument `index` while it is built: it reaches the compiled query as a parameter. */
interface Placeholder {
  readonly [ARGUMENT]: number;
}

function isPlaceholder(value: unknown): value is Placeholder {
  return typeof value === 'object' && value !== null && ARGUMENT in value;
}

interface Prepared {
  readonly sql: string;
  /** Each parameter of the compiled query: a constant of the query, or the argument it stands for. */
  readonly parameters: readonly unknown[];
}

/**
 * A read whose text does not depend on its arguments' values: `build` receives placeholders, each of which must
 * reach the compiled query as a parameter (used as a value, never looked at), and the text is compiled once per
 * database. A read made outside any transaction; it sees what is committed.
 */
export function preparedRead<Args extends readonly unknown[], Row>(
  build: (db: Db, ...args: Args) => CompiledQuery<Row>,
): (db: Db, ...args: Args) => Promise<Row[]> {
  const compiled = new WeakMap<Db, Prepared>();
  const prepare = (db: Db, count: number): Prepared => {
    const placeholders = Array.from({ length: count }, (_, index): Placeholder => ({ [ARGUMENT]: index }));
    const query = build(db, ...(placeholders as unknown as Args));
    const used = new Set(query.parameters.filter(isPlaceholder).map((p) => p[ARGUMENT]));
    if (used.size !== count) throw new Error(`a prepared read uses ${used.size} of its ${count} arguments as values`);
    return { sql: query.sql, parameters: query.parameters };
  };
  return (db, ...args) => {
    let prepared = compiled.get(db);
    if (prepared === undefined) {
      prepared = prepare(db, args.length);
      compiled.set(db, prepared);
    }
    const values = prepared.parameters.map((p) => (isPlaceholder(p) ? args[p[ARGUMENT]] : p));
    return db.readRows<Row>(prepared.sql, values);
  };
}
