// Which countries an account sends to: the operator's allowed list and the customer's choice within it.

/** ISO 3166 alpha-2 codes, upper case, sorted, each once; null means every country. */
export type CountryList = readonly string[] | null;

const ISO_RE = /^[A-Z]{2}$/;

/** The stored form ("EE,LV") as a list; null (every country) for null. */
export function countryListFrom(stored: string | null): CountryList {
  if (stored === null) return null;
  return stored === '' ? [] : stored.split(',');
}

/** A list in its stored form: upper case, sorted, each once, comma-separated; null stays null. */
export function storedCountryList(list: CountryList): string | null {
  return list === null ? null : normalisedCountryList(list).join(',');
}

export function normalisedCountryList(list: readonly string[]): string[] {
  return [...new Set(list.map((iso) => iso.trim().toUpperCase()))].sort();
}

export function isCountryCode(text: string): boolean {
  return ISO_RE.test(text.trim().toUpperCase());
}

/**
 * The countries an account sends to: those the operator allows (`allowed`, null for all) that the customer also chose
 * (`chosen`, null for all the operator allows). Null: every country.
 */
export function effectiveCountries(allowed: CountryList, chosen: CountryList): CountryList {
  if (allowed === null) return chosen;
  if (chosen === null) return allowed;
  const wanted = new Set(chosen);
  return allowed.filter((iso) => wanted.has(iso));
}

/** A test of a country's ISO code against a list; undefined when every country is allowed (nothing to test). */
export function countryTest(list: CountryList): ((iso: string) => boolean) | undefined {
  if (list === null) return undefined;
  const allowed = new Set(list);
  return (iso) => allowed.has(iso);
}
