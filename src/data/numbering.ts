// Loads the numbering plan (country catalog, compiled automaton, operator prefixes) from data/numbering/ once.
import { existsSync, readFileSync } from 'node:fs';
import {
  type AliasRow,
  type CarrierTable,
  createOperatorIndex,
  parseAliasesCsv,
} from '../domain/numbering/operators.js';
import { createNumberingPlan } from '../domain/numbering/plan.js';
import { decodePlanTables, type PlanFile } from '../domain/numbering/plan-tables.js';
import type { Country, NumberingPlan } from '../domain/numbering/types.js';

// Two levels up is the project root both from src/data/ and from the compiled dist/data/.
const DATA = new URL('../../data/numbering/', import.meta.url);

function readText(relative: string): string {
  return readFileSync(new URL(relative, DATA), 'utf8');
}

/** Operator files come from their own generator; without them numbers resolve with no operator. */
function readOperatorTables(): { carriers: CarrierTable; aliases: AliasRow[] } {
  const carriers = new URL('operators/carriers.json', DATA);
  const aliases = new URL('operators/aliases.csv', DATA);
  return {
    carriers: existsSync(carriers) ? (JSON.parse(readFileSync(carriers, 'utf8')) as CarrierTable) : {},
    aliases: existsSync(aliases) ? parseAliasesCsv(readFileSync(aliases, 'utf8')) : [],
  };
}

let loaded: NumberingPlan | undefined;

/** The process-wide numbering plan, read and built on first use (a few tens of milliseconds). */
export function loadNumberingPlan(): NumberingPlan {
  loaded ??= createNumberingPlan({
    plan: decodePlanTables(JSON.parse(readText('plan/plan.json')) as PlanFile),
    countries: JSON.parse(readText('plan/countries.json')) as Country[],
    operators: createOperatorIndex(readOperatorTables()),
  });
  return loaded;
}
