// The country catalog in the database, kept equal to the numbering plan's so that rates can show country names.
import metadata from 'libphonenumber-js/metadata.min.json';
import type { Country } from '../domain/numbering/types.js';
import type { Db } from './db.js';
import { foldText, lockForRewrite, REWRITE_LOCKS } from './dialect-sql.js';

/** The largest id of the catalog's INTEGER column. */
const COUNTRY_ID_MAX = 2_147_483_647;
/** Rows a multi-row insert carries: well under both engines' limits on bound parameters. */
const COUNTRY_ROWS_PER_INSERT = 500;

export interface CountryMcc {
  readonly mcc: string;
  readonly countryId: number;
  /** 0 for the country an MCC names (its rates show that name), then the others that use it. */
  readonly rank: number;
}

/** True when libphonenumber lists the country first for its calling code (GB for 44, FI for 358, US for 1). */
function leadsCallingCode(country: Country): boolean {
  return metadata.country_calling_codes[country.dialCode]?.[0] === country.iso;
}

/**
 * Orders the countries that use each MCC. Several share one (234: United Kingdom, Guernsey, Isle of Man, Jersey; 310:
 * United States, Guam, …); the name shown for a rate is the first of: those whose primary MCC it is, the one that
 * leads its calling code, the one with more MCCs, the lower catalog id.
 */
export function rankMccs(countries: readonly Country[]): CountryMcc[] {
  const users = new Map<string, Country[]>();
  for (const country of countries) {
    for (const mcc of new Set([...(country.mcc === null ? [] : [country.mcc]), ...country.mccs])) {
      const list = users.get(mcc);
      if (list) list.push(country);
      else users.set(mcc, [country]);
    }
  }
  const ranked: CountryMcc[] = [];
  for (const [mcc, list] of users) {
    const score = (c: Country) => [c.mcc === mcc ? 0 : 1, leadsCallingCode(c) ? 0 : 1, -c.mccs.length, c.id];
    list.sort((a, b) => {
      const sa = score(a);
      const sb = score(b);
      for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return (sa[i] ?? 0) - (sb[i] ?? 0);
      return 0;
    });
    list.forEach((country, rank) => {
      ranked.push({ mcc, countryId: country.id, rank });
    });
  }
  return ranked;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Makes the stored catalog equal to `countries` in one transaction: upserts each by its stable id, removes the ones no
 * longer listed, rebuilds the MCC table. Running it again with the same list changes nothing but `updated_at`.
 */
export async function syncCountries(db: Db, countries: readonly Country[]): Promise<void> {
  const ids = new Set(countries.map((c) => c.id));
  if (ids.size !== countries.length) throw new Error('the country catalog repeats an id');
  const ranked = rankMccs(countries);
  await db.transaction(async (trx) => {
    // Every server syncs the catalog as it starts: several starting at once take turns.
    await lockForRewrite(trx, db.dialect, REWRITE_LOCKS.countryCatalog);
    const nowUs = db.nowUs();
    await trx.deleteFrom('country_mccs').execute();
    for (const batch of chunks(countries, COUNTRY_ROWS_PER_INSERT)) {
      await trx
        .insertInto('countries')
        .values(
          batch.map((c) => ({
            id: c.id,
            iso: c.iso,
            name: c.name,
            name_folded: foldText(c.name),
            dial_code: c.dialCode,
            mcc: c.mcc,
            created_at_us: nowUs,
            updated_at_us: nowUs,
          })),
        )
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            iso: eb.ref('excluded.iso'),
            name: eb.ref('excluded.name'),
            name_folded: eb.ref('excluded.name_folded'),
            dial_code: eb.ref('excluded.dial_code'),
            mcc: eb.ref('excluded.mcc'),
            updated_at_us: eb.ref('excluded.updated_at_us'),
          })),
        )
        .execute();
    }
    const existing = await trx.selectFrom('countries').select('id').execute();
    const gone = existing.map((r) => r.id).filter((id) => !ids.has(id));
    for (const batch of chunks(gone, COUNTRY_ROWS_PER_INSERT)) {
      await trx.deleteFrom('countries').where('id', 'in', batch).execute();
    }
    for (const batch of chunks(ranked, COUNTRY_ROWS_PER_INSERT)) {
      await trx
        .insertInto('country_mccs')
        .values(batch.map((r) => ({ mcc: r.mcc, country_id: r.countryId, rank: r.rank, created_at_us: nowUs })))
        .execute();
    }
  });
}

/** Whether the catalog knows the id (GET /rates?country_id= answers 422 otherwise). */
export async function countryExists(db: Db, countryId: number): Promise<boolean> {
  // Catalog ids are 32-bit integers: a larger one names no country (and PostgreSQL refuses to compare it).
  if (!Number.isSafeInteger(countryId) || countryId < 1 || countryId > COUNTRY_ID_MAX) return false;
  const row = await db.kysely.selectFrom('countries').select('id').where('id', '=', countryId).executeTakeFirst();
  return row !== undefined;
}
