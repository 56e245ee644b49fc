// Reply keywords: what a one-word reply asks for, in every listed language; sources and their reasons.
import { describe, expect, it } from 'vitest';
import {
  OPT_OUT_KEYWORDS,
  optOutIntent,
  SUPPRESSION_SOURCES,
  suppressionReason,
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

describe('suppression sources', () => {
  it('reads the four sources and refuses any other', () => {
    expect(SUPPRESSION_SOURCES.map(suppressionSourceFrom)).toEqual(['api', 'dashboard', 'operator', 'stop_message']);
    expect(() => suppressionSourceFrom('import')).toThrow('unknown suppression source import');
  });

  it('gives each a reason the customer reads', () => {
    expect(suppressionReason('stop_message')).toBe('The recipient opted out by replying STOP.');
    expect(suppressionReason('api')).toBe("The number is on the account's suppression list (added through the API).");
    expect(new Set(SUPPRESSION_SOURCES.map(suppressionReason)).size).toBe(4);
  });
});
