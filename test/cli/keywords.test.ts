// `smsgic account keywords`: the operator sets an account's answer to HELP and its STOP/START confirmations, as the
// customer's Settings card does, on SQLite and PostgreSQL.
import { beforeAll, expect, it } from 'vitest';
import { KEYWORD_CONFIRMATIONS } from '../../src/domain/texts.js';
import { readKeywordSettings } from '../../src/store/keyword-settings.js';
import { describeEachEngine } from '../support/databases.js';
import { ensureBuilt, fails, ok, smsgic } from './smsgic.js';

beforeAll(ensureBuilt);

describeEachEngine('smsgic account keywords', (engine) => {
  it('sets the help text and the confirmations, keeps what is not given, and clears a text with ""', async () => {
    const created = await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'keyworded');
    const id = String(created.id);
    expect(await ok(engine.url, 'account', 'keywords', id)).toEqual({
      id: created.id,
      help_text: null,
      confirmations: false,
      stop_text: KEYWORD_CONFIRMATIONS.stop,
      start_text: KEYWORD_CONFIRMATIONS.start,
      stop_words: [],
      start_words: [],
    });
    expect(
      await ok(engine.url, 'account', 'keywords', id, '--help-text', 'Call 67000000', '--confirmations', 'on'),
    ).toMatchObject({ help_text: 'Call 67000000', confirmations: true });
    expect(await ok(engine.url, 'account', 'keywords', id, '--stop-text', 'Bye.')).toMatchObject({
      help_text: 'Call 67000000',
      confirmations: true,
      stop_text: 'Bye.',
    });
    await ok(engine.url, 'account', 'keywords', id, '--stop-text', '', '--confirmations', 'off');
    expect(await readKeywordSettings(engine.db, created.id)).toEqual({
      helpText: 'Call 67000000',
      confirmations: false,
      stopText: null,
      startText: null,
      stopWords: [],
      startWords: [],
      optOutScope: 'account',
    });
  });

  it('refuses a bad switch, a text too long and an account that does not exist', async () => {
    const created = await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'strict');
    const id = String(created.id);
    expect(await fails(engine.url, 2, 'account', 'keywords', id, '--confirmations', 'yes')).toBe(
      '--confirmations must be on or off, got "yes"',
    );
    expect(await fails(engine.url, 2, 'account', 'keywords', id, '--help-text', 'x'.repeat(613))).toMatch(/612/);
    expect(await fails(engine.url, 1, 'account', 'keywords', '999999')).toMatch(/999999/);
  });

  it("adds and removes the account's own stop and start words, as the Settings card does", async () => {
    const created = await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'worded');
    const id = String(created.id);
    expect(
      await ok(
        engine.url,
        'account',
        'keywords',
        id,
        '--stop-word',
        'basta',
        '--stop-word',
        'Nevajag',
        '--start-word',
        'atpakaļ',
      ),
    ).toMatchObject({ id: created.id, stop_words: ['BASTA', 'NEVAJAG'], start_words: ['ATPAKAĻ'] });
    // A word moves from stop to start by removing it and adding it again; other settings are kept.
    expect(
      await ok(engine.url, 'account', 'keywords', id, '--remove-word', 'nevajag', '--start-word', 'NEVAJAG'),
    ).toMatchObject({ stop_words: ['BASTA'], start_words: ['ATPAKAĻ', 'NEVAJAG'], help_text: null });
    expect(await readKeywordSettings(engine.db, created.id)).toMatchObject({
      stopWords: ['BASTA'],
      startWords: ['ATPAKAĻ', 'NEVAJAG'],
    });
    const text = await smsgic(engine.url, ['account', 'keywords', id, '--remove-word', 'Atpakaļ']);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toMatch(/^stop_words: BASTA$/m);
    expect(text.stdout).toMatch(/^start_words: NEVAJAG$/m);
  });

  it('refuses a word it cannot add or remove, with the reason, changing nothing', async () => {
    const created = await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'strict words');
    const id = String(created.id);
    await ok(engine.url, 'account', 'keywords', id, '--stop-word', 'basta');
    expect(await fails(engine.url, 2, 'account', 'keywords', id, '--remove-word', 'sveiki')).toBe(
      `"sveiki" is not one of account ${id}'s stop or start words`,
    );
    expect(await fails(engine.url, 2, 'account', 'keywords', id, '--stop-word', 'Basta')).toBe(
      `"Basta" is already one of account ${id}'s stop words`,
    );
    expect(await fails(engine.url, 2, 'account', 'keywords', id, '--start-word', 'basta')).toBe(
      '“BASTA” cannot be both a stop word and a start word.',
    );
    expect(
      await fails(engine.url, 2, 'account', 'keywords', id, '--stop-word', 'quit', '--start-word', 'two words'),
    ).toBe('“QUIT” is already a built-in STOP keyword. “two words” is not one word of 1 to 20 letters or digits.');
    expect(await fails(engine.url, 2, 'account', 'keywords', id, '--stop-word')).toMatch(/--stop-word/);
    expect(await readKeywordSettings(engine.db, created.id)).toMatchObject({ stopWords: ['BASTA'], startWords: [] });
  });
});
