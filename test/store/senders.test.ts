// Senders: an account's own approved names and the platform defaults any account may send as.
import { expect, it } from 'vitest';
import { addSender, findUsableSender, listApprovedSenders, listSenders } from '../../src/store/senders.js';
import { describeEachEngine } from '../support/databases.js';
import { fundedAccount } from '../support/store-fixtures.js';

describeEachEngine('senders', (engine) => {
  it('lists only the account approved senders', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 0);
    const shop = await addSender(db, accountId, 'MegaShop', 'approved');
    await addSender(db, accountId, 'Waiting', 'pending');
    await addSender(db, accountId, 'Refused', 'rejected');
    expect(await listApprovedSenders(db, accountId)).toEqual([shop]);
    expect((await listSenders(db, accountId)).map((s) => s.status)).toEqual(['approved', 'pending', 'rejected']);
  });

  it('adding a name twice keeps one sender and takes the new status', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 0);
    const pending = await addSender(db, accountId, 'Later', 'pending');
    expect(await findUsableSender(db, accountId, 'Later')).toBeUndefined();
    const approved = await addSender(db, accountId, 'Later', 'approved');
    expect(approved).toMatchObject({ id: pending.id, status: 'approved' });
    expect(await listSenders(db, accountId)).toHaveLength(1);
  });

  it('a platform default is usable by every account, its own sender of the same name first', async () => {
    const db = engine.db;
    const accountId = await fundedAccount(db, 0);
    const platform = await addSender(db, null, 'Notify', 'approved');
    expect(await addSender(db, null, 'Notify', 'approved')).toEqual(platform);
    expect(await findUsableSender(db, accountId, 'Notify')).toEqual(platform);
    const own = await addSender(db, accountId, 'Notify', 'approved');
    expect(await findUsableSender(db, accountId, 'Notify')).toEqual(own);
    await addSender(db, null, 'Paused', 'pending');
    expect(await findUsableSender(db, accountId, 'Paused')).toBeUndefined();
    // Platform defaults are not the account's own list.
    expect((await listApprovedSenders(db, accountId)).map((s) => s.name)).toEqual(['Notify']);
  });
});
