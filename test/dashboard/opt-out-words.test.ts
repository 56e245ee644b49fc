// The Settings keywords card's own stop and start words through the dashboard API: saved folded (trimmed, upper case)
// beside the built-in keywords it shows, replaced as a list, each account its own, and refused with a clear error
// under the list's name (nothing saved) when a word is malformed, given twice, both a stop and a start word, already
// built in, or one too many.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OPT_OUT_WORDS_MAX } from '../../src/domain/limits.js';
import { builtInWords } from '../../src/domain/opt-out.js';
import type { KeywordAnswersView } from '../../src/http/dashboard/contract.js';
import { receiveInbound } from '../../src/services/inbound.js';
import { changeKeywordAnswersFrom } from '../../src/services/keyword-replies.js';
import { assignNumber } from '../../src/store/numbers.js';
import { findSuppression } from '../../src/store/suppressions.js';
import { describeEachEngine } from '../support/databases.js';
import { type Browser, type DashboardApp, startDashboardApp } from './dashboard-app.js';

describeEachEngine('dashboard: own stop and start words', (engine) => {
  let dash: DashboardApp;
  let a: Browser;
  let b: Browser;
  const settings = (browser: Browser) => browser.json<KeywordAnswersView>(browser.get('/app/api/keywords'));

  beforeAll(async () => {
    dash = await startDashboardApp(engine.db);
    a = await dash.customer();
    b = await dash.customer();
  });
  afterAll(() => dash.close());

  it('saves the words folded, as a list or as text, keeps them when left out, and shows the built-in ones', async () => {
    expect(await settings(a)).toMatchObject({
      stop_words: [],
      start_words: [],
      built_in_stop_words: builtInWords('stop'),
      built_in_start_words: builtInWords('start'),
    });
    expect(builtInWords('stop')).toEqual(expect.arrayContaining(['STOP', 'ATTEIKT', 'СТОП']));
    const saved = await a.json<KeywordAnswersView>(
      a.post('/app/api/keywords', { stop_words: [' basta ', 'Nevajag'], start_words: 'atpakaļ, Vēlreiz' }),
    );
    expect(saved).toMatchObject({ stop_words: ['BASTA', 'NEVAJAG'], start_words: ['ATPAKAĻ', 'VĒLREIZ'] });
    await a.json(a.post('/app/api/keywords', { help_text: 'Call 67000000' }));
    expect(await settings(a)).toMatchObject({
      help_text: 'Call 67000000',
      stop_words: ['BASTA', 'NEVAJAG'],
      start_words: ['ATPAKAĻ', 'VĒLREIZ'],
    });
    // A word moves from one list to the other when both lists are given.
    await a.json(a.post('/app/api/keywords', { stop_words: ['basta', 'vēlreiz'], start_words: ['atpakaļ'] }));
    expect(await settings(a)).toMatchObject({ stop_words: ['BASTA', 'VĒLREIZ'], start_words: ['ATPAKAĻ'] });
    // Another account has none of them.
    expect(await settings(b)).toMatchObject({ stop_words: [], start_words: [] });
  });

  it('refuses bad words under the list they are in, saving nothing', async () => {
    await b.json(b.post('/app/api/keywords', { stop_words: ['basta'], start_words: [] }));
    const refused = async (payload: Record<string, unknown>) => {
      const res = await b.post('/app/api/keywords', payload);
      expect(res.statusCode).toBe(422);
      return res.json().errors as Record<string, string[]>;
    };
    expect(await refused({ stop_words: ['two words?', 'x'.repeat(21)], help_text: 'not saved' })).toEqual({
      stop_words: [
        '“two words?” is not one word of 1 to 20 letters or digits.',
        `“${'x'.repeat(21)}” is not one word of 1 to 20 letters or digits.`,
      ],
    });
    expect(await refused({ start_words: ['Sveiki', 'SVEIKI'] })).toEqual({
      start_words: ['“SVEIKI” is given more than once.'],
    });
    expect(await refused({ start_words: ['Basta'] })).toEqual({
      start_words: ['“BASTA” cannot be both a stop word and a start word.'],
    });
    expect(await refused({ stop_words: ['start', 'СТОП'] })).toEqual({
      stop_words: ['“START” is already a built-in START keyword.', '“СТОП” is already a built-in STOP keyword.'],
    });
    expect(await refused({ stop_words: { word: 'x' } })).toEqual({
      stop_words: ['The stop words field must be an array.'],
    });
    expect(await refused({ stop_words: [5] })).toEqual({ stop_words: ['Each of the stop words must be text.'] });
    const many = Array.from({ length: OPT_OUT_WORDS_MAX }, (_, i) => `W${i}`);
    expect(await refused({ start_words: many })).toEqual({
      start_words: [`An account may have at most ${OPT_OUT_WORDS_MAX} stop and start words together.`],
    });
    expect(await settings(b)).toMatchObject({ help_text: null, stop_words: ['BASTA'], start_words: [] });
    // Cleared with an empty list or text.
    await b.json(b.post('/app/api/keywords', { stop_words: '' }));
    expect(await settings(b)).toMatchObject({ stop_words: [] });
  });

  it('two changes at once cannot make one word both a stop and a start word', async () => {
    const c = await dash.customer();
    const second = await engine.open();
    try {
      const outcomes = await Promise.all([
        changeKeywordAnswersFrom(engine.db, c.accountId, { stop_words: ['dubult'] }),
        changeKeywordAnswersFrom(second, c.accountId, { start_words: ['dubult'] }),
      ]);
      expect(outcomes.map((o) => o.ok).sort()).toEqual([false, true]);
      const saved = await settings(c);
      expect([...saved.stop_words, ...saved.start_words]).toEqual(['DUBULT']);
    } finally {
      await second.close();
    }
  });

  it('a word saved in Settings opts a number out when it is received alone', async () => {
    await assignNumber(engine.db, a.accountId, '37125550400', null);
    const outcome = await receiveInbound(
      engine.db,
      {
        provider: 'smpp',
        providerMessageId: `words-${engine.name}`,
        from: '37120000401',
        to: '37125550400',
        text: 'Vēlreiz.',
        receivedAtUs: engine.db.nowUs(),
      },
      () => {},
    );
    expect(outcome).toMatchObject({ status: 'stored', optOut: 'suppressed' });
    expect(await findSuppression(engine.db, a.accountId, '37120000401')).toMatchObject({ source: 'stop_message' });
  });
});
