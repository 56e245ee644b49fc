// Shapes shared by the numbering modules: a country of the catalog and what a recipient number resolves to.

/** One country or territory of the catalog; `id` is stable and is what `GET /rates?country_id=` accepts. */
export interface Country {
  readonly id: number;
  /** ISO 3166-1 alpha-2, upper case ("LV"); "001" style non-geographic entries use a pseudo code documented in data/. */
  readonly iso: string;
  /** English short name ("Latvia"). */
  readonly name: string;
  /** E.164 country calling code without "+" ("371"; "1" for every NANP member). */
  readonly dialCode: string;
  /** Primary mobile country code, or null where the territory has none. */
  readonly mcc: string | null;
  /** Every MCC the territory uses, primary first. */
  readonly mccs: readonly string[];
}

/** A mobile operator found by longest-prefix match on the number. */
export interface OperatorMatch {
  /** Operator name as the prefix data spells it ("Telenor"). */
  readonly name: string;
  /** MCC/MNC of the operator when the alias table knows it, else null. */
  readonly mcc: string | null;
  readonly mnc: string | null;
}

/** What a recipient (international digits, no "+") resolves to. Objects may be shared between calls: never mutate. */
export interface Resolution {
  readonly country: Country;
  /** Operator name when the prefix data knows it, else null. */
  readonly operator: string | null;
  /** The operator's MCC when known, else the country's primary MCC (null for territories without one). */
  readonly mcc: string | null;
  /** The operator's MNC when known, else null (the country-wide rate then applies). */
  readonly mnc: string | null;
  /** The number has a possible length and matches the territory's numbering plan (libphonenumber metadata). */
  readonly valid: boolean;
  /** The number lies in a mobile (or fixed-line-or-mobile) range of the territory. */
  readonly mobile: boolean;
}

export interface NumberingPlan {
  /** Resolves international digits (no "+", no spaces) to a country; null when no country calling code matches. */
  resolve(digits: string): Resolution | null;
  readonly countries: readonly Country[];
  countryById(id: number): Country | undefined;
  countryByIso(iso: string): Country | undefined;
}
