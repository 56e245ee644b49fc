// Resolves recipient numbers to country, validity, mobility and operator with one walk over the compiled automaton.
import type { PlanTables } from './plan-tables.js';
import type { Country, NumberingPlan, OperatorMatch, Resolution } from './types.js';

/** The part of the operator index the plan uses (see operators.ts). */
export interface OperatorLookup {
  lookup(digits: string, iso: string): OperatorMatch | null;
}

export interface NumberingPlanTables {
  readonly plan: PlanTables;
  readonly countries: readonly Country[];
  readonly operators: OperatorLookup;
}

/** Non-geographic catalog entries ("001-881") are one territory, "001", in the operator data. */
const NON_GEOGRAPHIC_PREFIX = '001-';

const DIGIT_0 = 48;

export function createNumberingPlan(tables: NumberingPlanTables): NumberingPlan {
  const { plan, countries, operators } = tables;
  const byIso = new Map<string, Country>();
  const byId = new Map<number, Country>();
  for (const c of countries) {
    if (byIso.has(c.iso) || byId.has(c.id)) throw new Error(`duplicate country ${c.id} ${c.iso}`);
    byIso.set(c.iso, c);
    byId.set(c.id, c);
  }

  // Per outcome: the resolution without operator, and the ISO code the operator data knows the territory by.
  const outcomeCount = plan.outcomes.length;
  const plain: (Resolution | null)[] = new Array(outcomeCount).fill(null);
  const operatorIso: string[] = new Array(outcomeCount).fill('');
  for (let o = 1; o < outcomeCount; o++) {
    const outcome = plan.outcomes[o];
    if (!outcome) throw new Error(`numbering plan outcome ${o} is empty`);
    const country = byIso.get(outcome.iso);
    if (!country) throw new Error(`numbering plan names ${outcome.iso}, which the country catalog lacks`);
    operatorIso[o] = country.iso.startsWith(NON_GEOGRAPHIC_PREFIX) ? '001' : country.iso;
    plain[o] = Object.freeze({
      country,
      operator: null,
      mcc: country.mcc,
      mnc: null,
      valid: outcome.valid,
      mobile: outcome.mobile,
    });
  }
  // Resolutions with an operator are made on first sight: outcome × operator pairs are few, but not listed anywhere.
  const withOperator: (Map<OperatorMatch, Resolution> | undefined)[] = new Array(outcomeCount).fill(undefined);
  const { transitions, outputs } = plan;
  for (let s = 0; s < plan.stateCount; s++) {
    if ((outputs[s] as number) >= outcomeCount) throw new Error(`numbering plan state ${s} has no outcome`);
  }
  for (let i = 0; i < transitions.length; i++) {
    if ((transitions[i] as number) >= plan.stateCount) throw new Error(`numbering plan transition ${i} leads nowhere`);
  }

  const resolveOperator = (o: number, match: OperatorMatch): Resolution => {
    let cache = withOperator[o];
    if (cache === undefined) {
      cache = new Map();
      withOperator[o] = cache;
    }
    let r = cache.get(match);
    if (r === undefined) {
      const base = plain[o] as Resolution;
      const known = match.mcc !== null;
      r = Object.freeze({
        ...base,
        operator: match.name,
        mcc: known ? match.mcc : base.mcc,
        mnc: known ? match.mnc : null,
      });
      cache.set(match, r);
    }
    return r;
  };

  const resolve = (digits: string): Resolution | null => {
    let state = 0;
    const n = digits.length;
    for (let i = 0; i < n; i++) {
      const d = digits.charCodeAt(i) - DIGIT_0;
      if (d < 0 || d > 9) return null;
      state = transitions[state * 10 + d] as number;
    }
    const o = outputs[state] as number;
    if (o === 0) return null;
    const match = operators.lookup(digits, operatorIso[o] as string);
    return match === null ? (plain[o] as Resolution) : resolveOperator(o, match);
  };

  return {
    resolve,
    countries,
    countryById: (id) => byId.get(id),
    countryByIso: (iso) => byIso.get(iso),
  };
}
