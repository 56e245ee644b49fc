// The dashboard's route-table API: the operator's rules in order, refusals that name the field at fault.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RouteRuleView, RouteTableView } from '../../src/http/dashboard/contract.js';
import { describeEachEngine } from '../support/databases.js';
import { type Browser, type DashboardApp, startDashboardApp } from './dashboard-app.js';

describeEachEngine('dashboard route table', (engine) => {
  let dash: DashboardApp;
  let admin: Browser;

  beforeAll(async () => {
    dash = await startDashboardApp(engine.db);
    admin = await dash.admin();
  });
  afterAll(() => dash.close());

  it('adds, moves and removes rules, answering each change with the rule; the default rule stays', async () => {
    const start = await admin.json<RouteTableView>(admin.get('/app/api/admin/routes'));
    expect(start.providers).toContain('sandbox');
    expect(start.data).toEqual([expect.objectContaining({ default: true, position: null, providers: [] })]);
    const fallback = start.data[0] as RouteRuleView;

    const latvia = await admin.json<RouteRuleView>(
      admin.post('/app/api/admin/routes', { strategy: 'fixed', providers: 'sandbox', mcc: '247' }),
      201,
    );
    expect(latvia).toMatchObject({ position: 1, mcc: '247', mnc: null, strategy: 'fixed', providers: ['sandbox'] });
    const cheap = await admin.json<RouteRuleView>(
      admin.post('/app/api/admin/routes', {
        strategy: 'least_cost',
        providers: 'sandbox',
        prefix: '+44',
        min_delivery: '97.5',
        position: '1',
      }),
      201,
    );
    expect(cheap).toMatchObject({ position: 1, prefix: '44', min_delivery_ppm: 975_000 });
    const ids = async () =>
      (await admin.json<RouteTableView>(admin.get('/app/api/admin/routes'))).data.map((r) => r.id);
    expect(await ids()).toEqual([cheap.id, latvia.id, fallback.id]);

    expect(await admin.json(admin.post(`/app/api/admin/routes/${cheap.id}/move`, { position: '2' }))).toMatchObject({
      id: cheap.id,
      position: 2,
    });
    expect(await ids()).toEqual([latvia.id, cheap.id, fallback.id]);

    const refused = await admin.request('DELETE', `/app/api/admin/routes/${fallback.id}`);
    expect([refused.statusCode, refused.json()]).toEqual([409, { message: 'the default rule cannot be removed' }]);
    const removed = await admin.request('DELETE', `/app/api/admin/routes/${latvia.id}`);
    expect(removed.statusCode).toBe(204);
    expect((await admin.request('DELETE', `/app/api/admin/routes/${latvia.id}`)).statusCode).toBe(404);
    expect(await ids()).toEqual([cheap.id, fallback.id]);
    await admin.request('DELETE', `/app/api/admin/routes/${cheap.id}`);
  });

  it('refuses an unknown provider and a bad field with 422 naming the field', async () => {
    const unknown = await admin.post('/app/api/admin/routes', { strategy: 'fixed', providers: 'nosuch' });
    expect(unknown.statusCode).toBe(422);
    expect(JSON.stringify(unknown.json())).toMatch(/providers.*unknown provider \\"nosuch\\"/);
    const fixedTwo = await admin.post('/app/api/admin/routes', { strategy: 'fixed', providers: 'sandbox,infobip' });
    expect(fixedTwo.statusCode).toBe(422);
    expect(JSON.stringify(fixedTwo.json())).toMatch(/a fixed rule names exactly one provider/);
    const moved = await admin.post('/app/api/admin/routes/1/move', { position: 'first' });
    expect(moved.statusCode).toBe(422);
  });
});
