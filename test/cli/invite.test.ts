// `smsgic account invite ACCOUNT [--email E]`: the operator makes the link with which an account's owner chooses a
// password; the dashboard accepts it exactly as a link made there.
import { beforeAll, expect, it } from 'vitest';
import { findOpenInvitation } from '../../src/store/invitations.js';
import { describeEachEngine } from '../support/databases.js';
import { ensureBuilt, fails, ok, smsgic } from './smsgic.js';

beforeAll(ensureBuilt);

interface InviteJson {
  readonly account: number;
  readonly email: string;
  readonly link: string;
  readonly expires_at: string;
}

describeEachEngine('smsgic account invite', (engine) => {
  it("invites the account's email, or the one given, with a link to the dashboard that works once for 7 days", async () => {
    const email = `owner-${engine.name}@harbour.example`;
    const account = await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'Harbour', '--email', email);
    const made = await ok<InviteJson>(engine.url, 'account', 'invite', String(account.id));
    expect(made).toMatchObject({ account: account.id, email });
    const token = /^http:\/\/[^/]+\/app\/invite#([A-Za-z0-9_-]{43})$/.exec(made.link)?.[1] ?? '';
    expect(token).not.toBe('');
    const open = await findOpenInvitation(engine.db, token);
    expect(open).toMatchObject({ accountId: account.id, email, createdBy: 'cli', accountName: 'Harbour' });
    const days = (Date.parse(made.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);

    // Another email: a new link, and the first one no longer opens.
    const other = `colleague-${engine.name}@harbour.example`;
    const human = await smsgic(engine.url, ['account', 'invite', String(account.id), '--email', other]);
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout).toContain(`email: ${other}\n`);
    expect(human.stdout).toMatch(/link: http:\/\/\S+\/app\/invite#[A-Za-z0-9_-]{43}\n/);
    expect(await findOpenInvitation(engine.db, token)).toBeUndefined();
  });

  it('refuses an account without an email when none is given, a bad email, and an unknown account', async () => {
    const bare = await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'No email');
    expect(await fails(engine.url, 2, 'account', 'invite', String(bare.id))).toContain('The email field is required.');
    expect(await fails(engine.url, 2, 'account', 'invite', String(bare.id), '--email', 'nope')).toContain(
      'The email field must be a valid email address.',
    );
    expect(await fails(engine.url, 1, 'account', 'invite', '987654321')).toContain('account 987654321 does not exist');
  });
});
