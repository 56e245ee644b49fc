// Country names in the dashboard's languages: by ISO code through Intl, the English name for a code Intl does not know.
import { describe, expect, it } from 'vitest';
import {
  countryMatchesIn,
  countryNameIn,
  destinationNameIn,
  isoOfEnglishName,
  regionName,
} from '../../web/src/country-names.js';

describe('country names in the dashboard', () => {
  it('names a country by its ISO code in Latvian, Russian and English', () => {
    expect(countryNameIn('lv', 'LV', 'Latvia')).toBe('Latvija');
    expect(countryNameIn('ru', 'LV', 'Latvia')).toBe('Латвия');
    expect(countryNameIn('en', 'LV', 'Latvia')).toBe('Latvia');
    expect(countryNameIn('en', 'LV')).toBe('Latvia');
    expect(countryNameIn('lv', 'EE', 'Estonia')).toBe('Igaunija');
    expect(countryNameIn('ru', 'DE', 'Germany')).toBe('Германия');
  });

  it('finds the code of a country the server names in English inside its texts, and none for a name Intl spells otherwise', () => {
    expect(isoOfEnglishName('Latvia')).toBe('LV');
    expect(isoOfEnglishName('united kingdom')).toBe('GB');
    expect(countryNameIn('ru', isoOfEnglishName('Germany'), 'Germany')).toBe('Германия');
    expect(isoOfEnglishName('International Freephone Service (+800)')).toBeUndefined();
    expect(countryNameIn('lv', isoOfEnglishName('Nowhere'), 'Nowhere')).toBe('Nowhere');
  });

  it('keeps the English name for a code Intl does not know, or none', () => {
    for (const language of ['lv', 'ru', 'en']) {
      expect(countryNameIn(language, '001-800', 'International Freephone Service (+800)')).toBe(
        'International Freephone Service (+800)',
      );
      expect(countryNameIn(language, 'AA', 'Nowhere')).toBe('Nowhere');
      expect(countryNameIn(language, 'ZZ', 'Nowhere')).toBe('Nowhere');
      expect(countryNameIn(language, '', 'Nowhere')).toBe('Nowhere');
      expect(countryNameIn(language, null, 'Nowhere')).toBe('Nowhere');
    }
    expect(regionName('lv', 'AA')).toBeUndefined();
    expect(countryNameIn('lv', '', '')).toBe('');
  });

  it('names a destination with its country in the language and its operator as written', () => {
    expect(destinationNameIn('lv', 'LV', 'Latvia', 'Latvia LMT')).toBe('Latvija LMT');
    expect(destinationNameIn('ru', 'LV', 'Latvia', 'Latvia LMT')).toBe('Латвия LMT');
    expect(destinationNameIn('en', 'LV', 'Latvia', 'Latvia LMT')).toBe('Latvia LMT');
    expect(destinationNameIn('ru', 'LV', 'Latvia', 'Latvia')).toBe('Латвия');
    expect(destinationNameIn('ru', 'LV', 'Latvia', '')).toBe('Латвия');
    expect(destinationNameIn('ru', null, null, '')).toBe('');
    expect(destinationNameIn('ru', 'AA', 'Nowhere', 'Nowhere Tel')).toBe('Nowhere Tel');
  });

  it('matches a part of the name shown or of the English name, any case, accents ignored', () => {
    expect(countryMatchesIn('lv', 'latvij', 'LV', 'Latvia')).toBe(true);
    expect(countryMatchesIn('lv', 'LATVIA', 'LV', 'Latvia')).toBe(true);
    expect(countryMatchesIn('ru', 'латв', 'LV', 'Latvia')).toBe(true);
    expect(countryMatchesIn('ru', 'atv', 'LV', 'Latvia')).toBe(true);
    expect(countryMatchesIn('lv', 'vacija', 'DE', 'Germany')).toBe(true);
    expect(countryMatchesIn('lv', 'aland', 'AX', 'Åland Islands')).toBe(true);
    expect(countryMatchesIn('ru', 'латв', 'EE', 'Estonia')).toBe(false);
    expect(countryMatchesIn('lv', 'latvij', 'EE', 'Estonia')).toBe(false);
    expect(countryMatchesIn('lv', '  ', 'EE', 'Estonia')).toBe(true);
  });
});
