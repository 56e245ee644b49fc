// Reply keywords: what a one-word reply asks for, in every listed language; sources and their reasons.
import { describe, expect, it } from 'vitest';
import { OPT_OUT_WORDS_MAX } from './limits.js';
import {
  checkOptOutWords,
  couldBeOwnWord,
  isSuppressionSender,
  OPT_OUT_KEYWORDS,
  optOutIntent,
  optOutScopeFrom,
  SUPPRESSION_SOURCES,
  sendingSenderKey,
  suppressionReason,
  suppressionSenderKey,
  suppressionSourceFrom,
} from './opt-out.js';

describe('optOutIntent', () => {
  it.each([
    ['STOP', 'stop'],
    ['stop', 'stop'],
    ['  Stop  ', 'stop'],
    ['STOP!', 'stop'],
    ['stop.', 'stop'],
    ['Stop !!', 'stop'],
    ['stopall', 'stop'],
    ['Unsubscribe', 'stop'],
    ['cancel', 'stop'],
    ['END', 'stop'],
    ['quit?', 'stop'],
    ['START', 'start'],
    ['unstop', 'start'],
    ['help', 'help'],
    ['HELP?', 'help'],
    ['atteikt', 'stop'],
    ['Sākt', 'start'],
    ['SĀKT!', 'start'],
    ['Sa\u0304kt', 'start'],
    ['стоп', 'stop'],
    ['Старт.', 'start'],
  ])('%j → %s', (text, intent) => {
    expect(optOutIntent(text)).toBe(intent);
  });

  it.each([
    '',
    '   ',
    '!!!',
    'please stop',
    'STOP sending me these',
    'stopp',
    'stops',
    '¿STOP',
    'HELLO',
    'Sakt',
    'STARTED',
  ])('%j asks for nothing', (text) => {
    expect(optOutIntent(text)).toBeNull();
  });

  it('knows every word of the table, in any case', () => {
    for (const byIntent of Object.values(OPT_OUT_KEYWORDS)) {
      for (const [intent, words] of Object.entries(byIntent)) {
        for (const word of words) {
          expect(optOutIntent(word.toLowerCase())).toBe(intent);
          expect(optOutIntent(word)).toBe(intent);
        }
      }
    }
  });
});

describe("an account's own words", () => {
  const own = { stop: ['BASTA', 'NEVAJAG'], start: ['ATPAKAĻ'] };

  it.each([
    ['basta', 'stop'],
    ['  Nevajag! ', 'stop'],
    ['atpakaļ', 'start'],
    ['ATPAKA\u013b.', 'start'],
    ['STOP', 'stop'],
    ['help', 'help'],
  ])('%j → %s beside the built-in ones', (text, intent) => {
    expect(optOutIntent(text, own)).toBe(intent);
  });

  it.each(['basta la vista', 'bastard', 'atpakal'])('%j asks for nothing', (text) => {
    expect(optOutIntent(text, own)).toBeNull();
  });

  it('are looked up only for a reply that could be one', () => {
    expect(['basta', ' Basta! ', 'x'.repeat(20), 'Vēlreiz.'].map(couldBeOwnWord)).toEqual([true, true, true, true]);
    expect(['', 'basta la vista', 'x'.repeat(21), 'a-b', '!!'].map(couldBeOwnWord)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('count only for the account that has them', () => {
    expect(optOutIntent('basta')).toBeNull();
  });

  it('are folded: trimmed, NFC, upper case', () => {
    expect(checkOptOutWords({ stop: [' basta ', 'Sa\u0304kums'], start: ['Atpakaļ'] })).toEqual({
      ok: true,
      words: { stop: ['BASTA', 'SĀKUMS'], start: ['ATPAKAĻ'] },
    });
    expect(checkOptOutWords({ stop: [], start: [] })).toEqual({ ok: true, words: { stop: [], start: [] } });
  });

  it('refuse a word that is not one word of letters or digits up to 20, or not text', () => {
    expect(checkOptOutWords({ stop: ['', 'two words', 'stop!', 'x'.repeat(21), 7], start: ['ok'] })).toEqual({
      ok: false,
      problems: [
        { kind: 'format', list: 'stop', word: '' },
        { kind: 'format', list: 'stop', word: 'two words' },
        { kind: 'format', list: 'stop', word: 'stop!' },
        { kind: 'format', list: 'stop', word: 'x'.repeat(21) },
        { kind: 'not_text', list: 'stop' },
      ],
    });
    expect(checkOptOutWords({ stop: ['x'.repeat(20)], start: [] }).ok).toBe(true);
  });

  it('refuse a word twice (any case), in both lists, or already built in', () => {
    expect(checkOptOutWords({ stop: ['basta', 'BASTA', 'start'], start: ['Basta', 'help', 'atteikt'] })).toEqual({
      ok: false,
      problems: [
        { kind: 'duplicate', list: 'stop', word: 'BASTA' },
        { kind: 'built_in', list: 'stop', word: 'START', intent: 'start' },
        { kind: 'built_in', list: 'start', word: 'HELP', intent: 'help' },
        { kind: 'built_in', list: 'start', word: 'ATTEIKT', intent: 'stop' },
        { kind: 'both', word: 'BASTA' },
      ],
    });
  });

  it(`refuse more than ${OPT_OUT_WORDS_MAX} words together`, () => {
    const words = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);
    expect(checkOptOutWords({ stop: words('S', 10), start: words('G', 10) }).ok).toBe(true);
    expect(checkOptOutWords({ stop: words('S', 10), start: words('G', 11) })).toEqual({
      ok: false,
      problems: [{ kind: 'too_many', max: OPT_OUT_WORDS_MAX }],
    });
  });
});

describe('suppression sources', () => {
  it('reads the four sources and refuses any other', () => {
    expect(SUPPRESSION_SOURCES.map(suppressionSourceFrom)).toEqual(['api', 'dashboard', 'operator', 'stop_message']);
    expect(() => suppressionSourceFrom('import')).toThrow('unknown suppression source import');
  });

  it('gives each a reason the customer reads', () => {
    expect(suppressionReason('stop_message')).toBe('The recipient opted out by replying STOP.');
    expect(suppressionReason('api')).toBe("The number is on the account's suppression list (added through the API).");
    expect(new Set(SUPPRESSION_SOURCES.map((source) => suppressionReason(source))).size).toBe(4);
  });
});

describe('the sender of an entry', () => {
  it('is trimmed, a number without its "+", and none for an absent or blank one', () => {
    expect(suppressionSenderKey(' MegaShop ')).toBe('MegaShop');
    expect(suppressionSenderKey('+37120000001')).toBe('37120000001');
    expect(suppressionSenderKey('+Shop')).toBe('+Shop');
    expect(suppressionSenderKey(null)).toBe('');
    expect(suppressionSenderKey('   ')).toBe('');
  });

  it('is 1 to 20 characters counted as the schema counts them, without a control character', () => {
    expect(isSuppressionSender('x'.repeat(20))).toBe(true);
    expect(isSuppressionSender('x'.repeat(21))).toBe(false);
    expect(isSuppressionSender('😀'.repeat(20))).toBe(true);
    expect(isSuppressionSender('a\u0000b')).toBe(false);
    expect(isSuppressionSender('')).toBe(false);
  });

  it("of a sending is its sender's, or none when it could name no entry", () => {
    expect(sendingSenderKey({ sender: ' +37120000001' })).toBe('37120000001');
    expect(sendingSenderKey({ sender: '\u0000' })).toBe('');
    expect(sendingSenderKey({ sender: 5 })).toBe('');
    expect(sendingSenderKey({})).toBe('');
  });

  it("reads an account's scope, 'account' for anything but 'sender'", () => {
    expect(optOutScopeFrom('sender')).toBe('sender');
    expect(optOutScopeFrom('account')).toBe('account');
    expect(optOutScopeFrom('')).toBe('account');
  });
});
