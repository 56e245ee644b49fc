// Smart encoding per language, its limits, and a comparison with Twilio's own emulation of its Smart Encoding.
import { SegmentedMessage } from 'sms-segments-calculator';
import { describe, expect, it } from 'vitest';
import { countParts, isGsm7 } from './gsm.js';
import { smartEncode, smartEncodingEffect } from './smart-encoding.js';

describe('smartEncode, per language', () => {
  const cases: ReadonlyArray<readonly [language: string, written: string, sent: string]> = [
    [
      'Latvian',
      'Jūsu kods ir 4821. Ātri, lūdzu: derīgs 5 minūtes. Ķēķis, ģērbšanās, ļoti, ņem, čau, žēl',
      'Jusu kods ir 4821. Atri, ludzu: derigs 5 minutes. Kekis, gerbsanas, loti, nem, cau, zel',
    ],
    ['Lithuanian', 'Jūsų kodas: 4821. Ačiū, ąžuolas, ęė, į, šū', 'Jusu kodas: 4821. Aciu, azuolas, ee, i, su'],
    ['Polish', 'Twój kod: 4821. Zażółć gęślą jaźń. Łódź', 'Twoj kod: 4821. Zazolc gesla jazn. Lodz'],
    [
      'Czech',
      'Váš kód je 4821. Příliš žluťoučký kůň úpěl ďábelské ódy',
      'Vas kod je 4821. Prilis zlutoucky kun upel dabelské ody',
    ],
    ['Romanian', 'Codul dvs.: 4821. Știință, țară, măr, în, câine', 'Codul dvs.: 4821. Stiinta, tara, mar, in, caine'],
    ['Estonian', 'Teie kood: 4821. Õun, šokolaad, žürii', 'Teie kood: 4821. Oun, sokolaad, zürii'],
    ['Hungarian', 'Kódja: 4821. Árvíztűrő tükörfúrógép, őz', 'Kodja: 4821. Arvizturo tükörfurogép, oz'],
    ['Croatian', 'Vaš kod: 4821. Đak, đurđevak, ćevapi', 'Vas kod: 4821. Dak, durdevak, cevapi'],
    ['Turkish', 'Kodunuz: 4821. Işık, İstanbul, ğ, ş', 'Kodunuz: 4821. Isik, Istanbul, g, s'],
    [
      'typography',
      '“Hello” – it’s 10–12 o’clock… „Tschüß“ — «ok»',
      '"Hello" - it\'s 10-12 o\'clock... "Tschüß" - "ok"',
    ],
  ];
  for (const [language, written, sent] of cases) {
    it(`${language}: replaces what forces UCS-2 and sends GSM-7`, () => {
      expect(isGsm7(written)).toBe(false);
      expect(smartEncode(written)).toBe(sent);
      expect(isGsm7(sent)).toBe(true);
    });
  }

  it('keeps the GSM 03.38 letters that carry diacritics (é ü ñ ä ø à Ä Ö Ñ Ü ß Ç)', () => {
    const gsm = 'é ü ñ ä ø à Ä Ö Ñ Ü ß Ç Å å Æ æ';
    expect(smartEncode(`${gsm} ā`)).toBe(`${gsm} a`);
  });

  it('leaves a text unchanged when a character has no look-alike (Cyrillic, emoji): it stays UCS-2 anyway', () => {
    expect(smartEncode('Ваш код 4821 – ā')).toBe('Ваш код 4821 – ā');
    expect(smartEncode('Kods 4821 ā 🙂')).toBe('Kods 4821 ā 🙂');
    expect(smartEncode('Plain GSM text {}[]€')).toBe('Plain GSM text {}[]€');
  });
});

describe('smartEncodingEffect', () => {
  it('tells the parts before and after: a 100-character Latvian text goes from 2 UCS-2 parts to 1 GSM-7 part', () => {
    const text = `Jūsu pasūtījums ir ceļā. ${'x'.repeat(75)}`;
    expect(text.length).toBe(100);
    const effect = smartEncodingEffect(text);
    expect(effect).toMatchObject({
      applied: true,
      encoding: 'GSM-7',
      parts: 1,
      originalEncoding: 'UCS-2',
      originalParts: 2,
    });
    expect(countParts(effect.text).parts).toBe(1);
  });

  it('a text already GSM-7 is not applied and costs the same', () => {
    expect(smartEncodingEffect('Your code is 4821')).toMatchObject({ applied: false, parts: 1, originalParts: 1 });
  });
});

describe('beside Twilio Smart Encoding (sms-segments-calculator, Twilio’s own emulation)', () => {
  // Texts of typographic punctuation, which both replace: the same segment count after replacement. (Twilio's table
  // does not cover letters with diacritics; ours does, so those are compared in the tests above only.)
  const texts = [
    '“Quoted” and ‘single’ – en dash — em dash… done',
    `${'Your order ‘A-1’ has shipped… '.repeat(6)}“Thanks”`,
    'Price: 10 – 12 EUR, ready ‘now’',
    `${'a'.repeat(158)}’”`,
  ];
  for (const text of texts) {
    it(`${JSON.stringify(text.slice(0, 30))}…: same encoding and parts`, () => {
      const twilio = new SegmentedMessage(text, 'auto', true);
      const ours = countParts(smartEncode(text));
      expect(twilio.getNonGsmCharacters()).toEqual([]);
      expect(ours.encoding).toBe('GSM-7');
      expect(ours.parts).toBe(twilio.segmentsCount);
    });
  }
});
