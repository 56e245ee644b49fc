// Country names in a language of the dashboard, by their ISO 3166-1 alpha-2 code, through Intl.DisplayNames. The
// server names countries in English (its catalog's names); the dashboard shows them in the viewer's language.

const ISO_RE = /^[A-Z]{2}$/;
/** "ZZ": Intl's "Unknown Region", no country. */
const UNKNOWN_REGION = 'ZZ';

const namesByLanguage = new Map<string, Intl.DisplayNames | null>();

function regionNames(language: string): Intl.DisplayNames | null {
  let names = namesByLanguage.get(language);
  if (names === undefined) {
    try {
      names = new Intl.DisplayNames([language], { type: 'region', fallback: 'none' });
    } catch {
      names = null;
    }
    namesByLanguage.set(language, names);
  }
  return names;
}

/** The name Intl gives the code in the language ("LV" in lv: "Latvija"); undefined for a code it does not know. */
export function regionName(language: string, iso: string | null | undefined): string | undefined {
  const code = iso?.trim().toUpperCase() ?? '';
  if (!ISO_RE.test(code) || code === UNKNOWN_REGION) return undefined;
  try {
    return regionNames(language)?.of(code) ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * A country's name in the language: Intl's for its ISO code ("Latvija", "Латвия"), the English name given when the
 * code is unknown (or none). In English the server's own English name is kept, as the public API and the CLI write it.
 */
export function countryNameIn(language: string, iso: string | null | undefined, english?: string | null): string {
  if (language === 'en' && english) return english;
  return regionName(language, iso) ?? english ?? iso ?? '';
}

/**
 * A destination's name in the language: the server's English one ("Latvia LMT") with its country ("Latvia") named in
 * the language ("Latvija LMT"); the English destination as it is when it does not start with that country.
 */
export function destinationNameIn(
  language: string,
  iso: string | null | undefined,
  englishCountry: string | null | undefined,
  englishDestination: string,
): string {
  const country = englishCountry ?? '';
  if (englishDestination === '') return country === '' ? '' : countryNameIn(language, iso, country);
  if (country === '' || !englishDestination.startsWith(country)) return englishDestination;
  return `${countryNameIn(language, iso, country)}${englishDestination.slice(country.length)}`;
}

/** Text folded for matching a part of a name: lower case, accents dropped ("Åland" → "aland", "Ё" → "е"). */
export function foldName(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * Whether a part of a country's name (any case, accents ignored) is in its name in the language or its English name:
 * "latv", "Latvija" and "латв" all find Latvia. An empty part matches every country.
 */
export function countryMatchesIn(
  language: string,
  part: string,
  iso: string | null | undefined,
  english: string | null | undefined,
): boolean {
  const needle = foldName(part.trim());
  if (needle === '') return true;
  const names = [countryNameIn(language, iso, english), english ?? '', regionName('en', iso) ?? ''];
  return names.some((name) => name !== '' && foldName(name).includes(needle));
}

let isoByEnglishName: Map<string, string> | undefined;

/**
 * The ISO code of a country the server named in English inside one of its texts ("Latvia" → "LV"), by Intl's English
 * names; undefined for a name Intl spells otherwise (the text then keeps the server's English name).
 */
export function isoOfEnglishName(name: string): string | undefined {
  if (isoByEnglishName === undefined) {
    isoByEnglishName = new Map();
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    for (const first of letters) {
      for (const second of letters) {
        const english = regionName('en', first + second);
        if (english !== undefined && !isoByEnglishName.has(foldName(english))) {
          isoByEnglishName.set(foldName(english), first + second);
        }
      }
    }
  }
  return isoByEnglishName.get(foldName(name));
}
