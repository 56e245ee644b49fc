// `smsgic webhook-secret show|rotate --account ID`: the operator reads and rotates an account's webhook secret.
import { beforeAll, expect, it } from 'vitest';
import { getAccount } from '../../src/store/accounts.js';
import { getWebhookSecret } from '../../src/store/webhook-secrets.js';
import { describeEachEngine } from '../support/databases.js';
import { ensureBuilt, fails, ok, smsgic } from './smsgic.js';

beforeAll(ensureBuilt);

interface SecretJson {
  readonly account_id: number;
  readonly secret: string;
  readonly previous_valid_until: string | null;
  readonly rotated_at: string | null;
}

const SECRET_FORM = /^[A-Za-z0-9_-]{43}$/;
const ISO_US = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

describeEachEngine('smsgic webhook-secret', (engine) => {
  let accountId = 0;
  let otherId = 0;

  beforeAll(async () => {
    accountId = (await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'acme')).id;
    otherId = (await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'other')).id;
  });

  it("shows the account's secret, the one callbacks are signed with", async () => {
    const shown = await ok<SecretJson>(engine.url, 'webhook-secret', 'show', '--account', String(accountId));
    expect(shown).toEqual({
      account_id: accountId,
      secret: (await getAccount(engine.db, accountId))?.webhookSecret,
      previous_valid_until: null,
      rotated_at: null,
    });
    expect(shown.secret).toMatch(SECRET_FORM);
    const human = await smsgic(engine.url, ['webhook-secret', 'show', '--account', String(accountId)]);
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout).toContain(`secret: ${shown.secret}\n`);
  });

  it('rotates it: a new secret, the old one valid for 24 h more, recorded; other accounts untouched', async () => {
    const before = await ok<SecretJson>(engine.url, 'webhook-secret', 'show', '--account', String(accountId));
    const otherBefore = await getWebhookSecret(engine.db, otherId);
    const rotated = await ok<SecretJson>(engine.url, 'webhook-secret', 'rotate', '--account', String(accountId));
    expect(rotated.account_id).toBe(accountId);
    expect(rotated.secret).toMatch(SECRET_FORM);
    expect(rotated.secret).not.toBe(before.secret);
    expect(rotated.rotated_at).toMatch(ISO_US);
    expect(rotated.previous_valid_until).toMatch(ISO_US);
    const graceMs = Date.parse(rotated.previous_valid_until ?? '') - Date.parse(rotated.rotated_at ?? '');
    expect(graceMs).toBe(24 * 60 * 60 * 1000);

    const stored = await getWebhookSecret(engine.db, accountId);
    expect(stored).toMatchObject({ secret: rotated.secret, previousSecret: before.secret });
    expect(await ok<SecretJson>(engine.url, 'webhook-secret', 'show', '--account', String(accountId))).toEqual(rotated);
    expect(await getWebhookSecret(engine.db, otherId)).toEqual(otherBefore);
  });

  it('refuses a missing or malformed --account as a usage mistake, and an unknown account', async () => {
    expect(await fails(engine.url, 2, 'webhook-secret', 'show')).toBe('--account is required');
    expect(await fails(engine.url, 2, 'webhook-secret', 'rotate', '--account', 'acme')).toMatch(
      /--account must be a positive integer/,
    );
    expect(await fails(engine.url, 2, 'webhook-secret', 'show', String(accountId))).toMatch(
      /takes at most 0 arguments/,
    );
    expect(await fails(engine.url, 2, 'webhook-secret', 'list')).toBe('unknown command "webhook-secret list"');
    expect(await fails(engine.url, 1, 'webhook-secret', 'rotate', '--account', '424242')).toBe(
      'account 424242 does not exist',
    );
    expect(await fails(engine.url, 2, 'account', 'list', '--account', '1')).toMatch(/not an option of "account list"/);
  });
});
