// Whole messages over several binds against the simulated SMSC: parts, acceptance once, receipts rolled up per message.
import { afterEach, describe, expect, it } from 'vitest';
import { type ClientOptions, type MessageReport, SmppClient } from '../../src/dispatch/providers/smpp/client.js';
import { EsmClass } from '../../src/dispatch/providers/smpp/encoding.js';
import { CommandStatus } from '../../src/dispatch/providers/smpp/pdu.js';
import { parseSmppUrl } from '../../src/dispatch/providers/smpp/session.js';
import {
  type SmscSimulator,
  type SmscSimulatorOptions,
  startSmscSimulator,
} from '../../src/dispatch/providers/smpp/simulator.js';
import { splitParts } from '../../src/domain/gsm.js';
import { waitFor } from '../support/wait.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(
  simOptions: SmscSimulatorOptions = {},
  clientOptions: Partial<ClientOptions> = {},
): Promise<{ sim: SmscSimulator; client: SmppClient; reports: MessageReport[] }> {
  const sim = await startSmscSimulator(simOptions);
  cleanups.push(() => sim.close());
  const url = parseSmppUrl(sim.url);
  if (!url.ok) throw new Error(url.error);
  const reports: MessageReport[] = [];
  const client = new SmppClient({
    url: url.url,
    binds: 4,
    windowSize: 50,
    reconnectBaseMs: 20,
    onReport: (report) => {
      reports.push(report);
    },
    ...clientOptions,
  });
  cleanups.push(() => client.close());
  const binds = await client.open();
  expect(binds.every((b) => b.ok)).toBe(true);
  return { sim, client, reports };
}

const UCS2_3_PARTS = 'Доставка заказа №1234 завтра с 10:00 до 14:00. Спасибо! '.repeat(3);
const recipient = (i: number) => String(37250000000 + i);

describe('SMPP client', () => {
  it('sends 1,000 recipients of a 3-part UCS-2 text as 3,000 submit_sm, each accepted once, all reported delivered', async () => {
    const { sim, client, reports } = await setUp({ record: true });
    const { encoding, parts } = splitParts(UCS2_3_PARTS);
    expect({ encoding, parts: parts.length }).toEqual({ encoding: 'UCS-2', parts: 3 });

    const outcomes = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) =>
        client.submit({ source: 'Acme', destination: recipient(i), encoding, parts }),
      ),
    );
    expect(outcomes.every((o) => o.kind === 'accepted')).toBe(true);
    expect(sim.stats.submitSm).toBe(3_000);
    expect(sim.stats.accepted).toBe(3_000);
    expect(sim.duplicateParts()).toEqual([]);

    // Every recipient got parts 1..3 of 3 under one reference, UDHI set, each at most 140 octets.
    const byRecipient = new Map<string, typeof sim.received>();
    for (const submit of sim.received) {
      const list = byRecipient.get(submit.destinationAddr) ?? [];
      byRecipient.set(submit.destinationAddr, [...list, submit]);
    }
    expect(byRecipient.size).toBe(1_000);
    for (const submits of byRecipient.values()) {
      const references = new Set(submits.map((s) => s.concat?.reference));
      expect(references.size).toBe(1);
      expect(submits.map((s) => s.concat?.sequence).sort()).toEqual([1, 2, 3]);
      expect(submits.every((s) => s.concat?.total === 3 && (s.esmClass & EsmClass.udhi) !== 0)).toBe(true);
      expect(submits.every((s) => s.shortMessageOctets <= 140)).toBe(true);
      expect(
        [...submits]
          .sort((a, b) => (a.concat?.sequence ?? 0) - (b.concat?.sequence ?? 0))
          .map((s) => s.text)
          .join(''),
      ).toBe(UCS2_3_PARTS);
    }

    await waitFor(() => reports.length === 1_000, '1,000 reports', 10_000);
    expect(reports.every((r) => r.status === 'delivered' && r.error === null)).toBe(true);
    const accepted = new Map(outcomes.map((o) => (o.kind === 'accepted' ? [o.messageId, o.partIds] : ['', []])));
    for (const report of reports) expect(report.partIds).toEqual(accepted.get(report.messageId));
    expect(new Set(reports.map((r) => r.messageId)).size).toBe(1_000);
    expect(client.stats().receipts).toBe(3_000);
  });

  it('spreads messages over every bind', async () => {
    const { client } = await setUp({ responseDelayMs: 2 });
    const seen = new Set<number>();
    const sampler = setInterval(() => {
      client.stats().binds.forEach((b, i) => {
        if (b.inFlight > 0) seen.add(i);
      });
    }, 1);
    await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        client.submit({ source: '37250009999', destination: recipient(i), encoding: 'GSM-7', parts: [`hi ${i}`] }),
      ),
    );
    clearInterval(sampler);
    expect(seen.size).toBe(4);
  });

  it('matches a receipt that arrives before its submit_sm_resp', async () => {
    const { sim, client, reports } = await setUp({ receiptFormat: 'tlv' });
    sim.script({ receiptBeforeResponse: true });
    const { encoding, parts } = splitParts(UCS2_3_PARTS);
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        client.submit({ source: 'Acme', destination: recipient(i), encoding, parts }),
      ),
    );
    expect(outcomes.every((o) => o.kind === 'accepted')).toBe(true);
    await waitFor(() => reports.length === 50, 'reports', 5_000);
    expect(reports.every((r) => r.status === 'delivered')).toBe(true);
    expect(client.stats().unmatchedReceipts).toBe(0);
  });

  it('reports once however many times a receipt comes', async () => {
    const { sim, client, reports } = await setUp();
    sim.script({ duplicateReceipts: 2 });
    const { encoding, parts } = splitParts(UCS2_3_PARTS);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client.submit({ source: 'Acme', destination: recipient(i), encoding, parts }),
      ),
    );
    await waitFor(() => client.stats().receipts === 20 * 3 * 3, 'all receipt copies', 5_000);
    expect(reports).toHaveLength(20);
    expect(client.stats().redundantReceipts).toBe(20 * 3 * 2);
  });

  it('matches receipts whose ids are written in another base, padded', async () => {
    const { client, reports } = await setUp({
      messageIdStyle: 'hex',
      receiptIdStyle: 'decimal',
      receiptFormat: 'text',
    });
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        client.submit({ source: 'Acme', destination: recipient(i), encoding: 'GSM-7', parts: ['Your code is 1234'] }),
      ),
    );
    await waitFor(() => reports.length === 30, 'reports', 5_000);
    const ids = new Set(outcomes.map((o) => (o.kind === 'accepted' ? o.messageId : '')));
    expect(reports.every((r) => ids.has(r.messageId) && /^[0-9A-F]+$/.test(r.messageId))).toBe(true);
  });

  it('rolls a failed part up into the message status', async () => {
    const { sim, client, reports } = await setUp();
    sim.script({ receiptStat: [{ destination: /5$/, stat: 'UNDELIV' }] });
    const { encoding, parts } = splitParts(UCS2_3_PARTS);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        client.submit({ source: 'Acme', destination: recipient(i), encoding, parts }),
      ),
    );
    await waitFor(() => reports.length === 10, 'reports', 5_000);
    const failed = reports.filter((r) => r.status !== 'delivered');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ status: 'undelivered', error: 'smpp UNDELIV err:001' });
  });

  it('sends the first part alone, so a refused destination costs one submit_sm and may not be retried', async () => {
    const { sim, client } = await setUp();
    sim.script({ reject: { destination: /^37250000007$/, status: CommandStatus.ESME_RINVDSTADR } });
    const { encoding, parts } = splitParts(UCS2_3_PARTS);
    const outcome = await client.submit({ source: 'Acme', destination: recipient(7), encoding, parts });
    expect(outcome).toEqual({
      kind: 'refused',
      status: CommandStatus.ESME_RINVDSTADR,
      retryable: false,
      error: 'smpp submit_sm refused: ESME_RINVDSTADR (0x0b)',
      acceptedPartIds: [],
    });
    expect(sim.stats.submitSm).toBe(1);
    sim.script({ reject: { destination: /7$/, status: CommandStatus.ESME_RSUBMITFAIL } });
    expect(await client.submit({ source: 'Acme', destination: recipient(17), encoding, parts })).toMatchObject({
      kind: 'refused',
      status: CommandStatus.ESME_RSUBMITFAIL,
      retryable: false,
    });
  });

  it('refuses addresses that cannot go in a submit_sm without sending anything', async () => {
    const { sim, client } = await setUp();
    const bad = [
      { source: 'Ünïcode', destination: recipient(1) },
      { source: '', destination: recipient(1) },
      { source: 'Acme', destination: '+37250000001' },
      { source: 'Acme', destination: '1'.repeat(21) },
    ];
    for (const addresses of bad) {
      expect(await client.submit({ ...addresses, encoding: 'GSM-7', parts: ['x'] })).toMatchObject({
        kind: 'refused',
        retryable: false,
      });
    }
    expect(sim.stats.submitSm).toBe(0);
  });

  it('reports receipts of messages it never sent under their own id (after a restart)', async () => {
    const sim = await startSmscSimulator({ receiptDelayMs: 100 });
    cleanups.push(() => sim.close());
    const url = parseSmppUrl(sim.url);
    if (!url.ok) throw new Error(url.error);
    const before = new SmppClient({ url: url.url });
    await before.open();
    const outcome = await before.submit({ source: 'Acme', destination: recipient(1), encoding: 'GSM-7', parts: ['x'] });
    await before.close();
    const reports: MessageReport[] = [];
    const after = new SmppClient({
      url: url.url,
      unmatchedReceiptHoldMs: 30,
      onReport: (r) => {
        reports.push(r);
      },
    });
    cleanups.push(() => after.close());
    await after.open();
    await waitFor(() => reports.length === 1, 'report', 5_000);
    expect(reports[0]).toMatchObject({
      messageId: outcome.kind === 'accepted' ? outcome.messageId : '?',
      status: 'delivered',
    });
    expect(after.stats().unmatchedReceipts).toBe(1);
  });
});

describe('SMPP client against scripted upstream behaviours of the simulator', () => {
  it('reads submit_sm_resp with TLVs, takes data_sm receipts, and never counts a status-0 generic_nack as accepted', async () => {
    const { sim, client, reports } = await setUp({}, { binds: 1, windowSize: 10 });
    sim.script({ respTlvs: true, receiptCommand: 'data_sm' });
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        client.submit({ source: 'Acme', destination: recipient(i), encoding: 'GSM-7', parts: [`hi ${i}`] }),
      ),
    );
    expect(outcomes.map((o) => o.kind)).toEqual(Array(10).fill('accepted'));
    await waitFor(() => reports.length === 10 && sim.stats.dataSmResp === 10, 'data_sm receipts', 5_000);
    sim.script({ nack: { submits: 1 } });
    const nacked = await client.submit({ source: 'Acme', destination: recipient(99), encoding: 'GSM-7', parts: ['x'] });
    expect(nacked).toMatchObject({ kind: 'refused', status: CommandStatus.ESME_RUNKNOWNERR });
  });

  it('retries a part the SMSC refused with ESME_RSYSERR, and takes answers after the SMSC unbinds', async () => {
    const { sim, client } = await setUp({ record: true }, { binds: 1, windowSize: 10, partRetryBaseMs: 10 });
    sim.script({ failPart: { sequence: 2, times: 1 } });
    const { encoding, parts } = splitParts(UCS2_3_PARTS);
    const outcome = await client.submit({ source: 'Acme', destination: recipient(1), encoding, parts });
    expect(outcome).toMatchObject({ kind: 'accepted' });
    expect(sim.received.filter((r) => r.concat?.sequence === 2).map((r) => r.status)).toEqual([
      CommandStatus.ESME_RSYSERR,
      CommandStatus.ESME_ROK,
    ]);
    sim.script({ unbind: { afterSubmits: 9, answerAfterMs: 50 } });
    const nine = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        client.submit({ source: 'Acme', destination: recipient(i), encoding: 'GSM-7', parts: [`u ${i}`] }),
      ),
    );
    expect(nine.map((o) => o.kind)).toEqual(Array(9).fill('accepted'));
    await waitFor(() => sim.stats.unbindResps === 1, 'unbind_resp', 5_000);
  });

  it('keeps binding through refused credentials and sends once let in', async () => {
    const sim = await startSmscSimulator();
    cleanups.push(() => sim.close());
    sim.script({ refuseBinds: { binds: 3 } });
    const url = parseSmppUrl(sim.url);
    if (!url.ok) throw new Error(url.error);
    const client = new SmppClient({ url: url.url, reconnectBaseMs: 20, reconnectCapMs: 100 });
    cleanups.push(() => client.close());
    expect((await client.open())[0]).toMatchObject({ ok: false, status: CommandStatus.ESME_RINVPASWD });
    await waitFor(() => client.stats().binds[0]?.state === 'bound', 'bound', 5_000);
    expect(sim.stats.bindsRefused).toBe(3);
    const sent = await client.submit({ source: 'Acme', destination: recipient(1), encoding: 'GSM-7', parts: ['ok'] });
    expect(sent.kind).toBe('accepted');
  });
});

describe('SMPP client long-message modes', () => {
  it.each(['sar', 'payload'] as const)('sends a 3-part text as the route asks (long=%s)', async (mode) => {
    const { sim, client, reports } = await setUp({ record: true }, { binds: 1, longMessages: mode });
    const { encoding, parts } = splitParts(UCS2_3_PARTS);
    const outcome = await client.submit({ source: 'Acme', destination: recipient(1), encoding, parts });
    expect(outcome.kind).toBe('accepted');
    expect(sim.received.every((r) => (r.esmClass & EsmClass.udhi) === 0)).toBe(true);
    if (mode === 'sar') {
      expect(sim.received.map((r) => r.concat?.sequence)).toEqual([1, 2, 3]);
      expect(new Set(sim.received.map((r) => r.concat?.reference)).size).toBe(1);
      expect(sim.received.map((r) => r.text).join('')).toBe(UCS2_3_PARTS);
    } else {
      expect(sim.received).toHaveLength(1);
      expect(sim.received[0]).toMatchObject({ text: UCS2_3_PARTS, shortMessageOctets: 0, concat: null });
    }
    await waitFor(() => reports.length === 1, 'the report', 5_000);
    expect(reports[0]?.status).toBe('delivered');
  });
});
