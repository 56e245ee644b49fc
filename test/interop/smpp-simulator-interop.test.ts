// Our simulated SMSC against an independent ESME: the npm `smpp` package's client, over real TCP on loopback.
import { once } from 'node:events';
import smpp from 'smpp';
import { afterEach, describe, expect, it } from 'vitest';
import { type SmscSimulator, startSmscSimulator } from '../../src/dispatch/providers/smpp/simulator.js';
import { waitFor } from '../support/wait.js';
import type { PackagePdu, PackageSession } from './smpp-peer.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(): Promise<{ sim: SmscSimulator; esme: PackageSession; receipts: PackagePdu[] }> {
  const sim = await startSmscSimulator({ record: true });
  cleanups.push(() => sim.close());
  const esme = smpp.connect({ url: `smpp://127.0.0.1:${sim.port}` });
  esme.on('error', () => {});
  cleanups.push(() => esme.destroy());
  await once(esme, 'connect');
  const receipts: PackagePdu[] = [];
  esme.on('deliver_sm', (pdu: PackagePdu) => {
    receipts.push(pdu);
    esme.send(pdu.response());
  });
  const bound = await call(esme, 'bind_transceiver', {
    system_id: 'smsgic',
    password: 'secret',
    // The package sends 0x50 unless told.
    interface_version: 0x34,
  });
  expect(bound.command_status).toBe(0);
  return { sim, esme, receipts };
}

function call(esme: PackageSession, command: string, fields: PackagePdu): Promise<PackagePdu> {
  return new Promise((resolve) => esme[command](fields, resolve));
}

const base = { source_addr: 'Acme', destination_addr: '37250000001', registered_delivery: 1, data_coding: 0 };
const PART_1 = 'Your parcel 1234 arrives tomorrow between 10:00 and 14:00. ';
const PART_2 = 'Reply STOP to opt out of these notices.';

describe('simulated SMSC against the npm smpp package as ESME', () => {
  it('takes a short message and sends a receipt it reads', async () => {
    const { sim, esme, receipts } = await setUp();
    const resp = await call(esme, 'submit_sm', { ...base, short_message: 'hello there' });
    expect(resp.command_status).toBe(0);
    expect(sim.received[0]).toMatchObject({ text: 'hello there', concat: null });
    await waitFor(() => receipts.length === 1, 'a receipt', 5_000);
    expect(receipts[0]?.receipted_message_id).toBe(resp.message_id);
    expect(receipts[0]?.esm_class & 0x04).toBe(0x04);
    await waitFor(() => sim.stats.deliverSmResp === 1, 'deliver_sm_resp', 5_000);
  });

  it('joins a long message sent with a concatenation UDH', async () => {
    const { sim, esme } = await setUp();
    for (const [seq, text] of [PART_1, PART_2].entries()) {
      const udh = Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x02, seq + 1]);
      const resp = await call(esme, 'submit_sm', { ...base, esm_class: 0x40, short_message: { udh, message: text } });
      expect(resp.command_status).toBe(0);
    }
    expect(sim.received.map((r) => [r.text, r.concat])).toEqual([
      [PART_1, { reference: 0x2a, total: 2, sequence: 1 }],
      [PART_2, { reference: 0x2a, total: 2, sequence: 2 }],
    ]);
  });

  it('recognises a long message sent with SAR TLVs (§5.3.2.22–24)', async () => {
    const { sim, esme } = await setUp();
    for (const [seq, text] of [PART_1, PART_2].entries()) {
      const resp = await call(esme, 'submit_sm', {
        ...base,
        short_message: text,
        sar_msg_ref_num: 0x1234,
        sar_total_segments: 2,
        sar_segment_seqnum: seq + 1,
      });
      expect(resp.command_status).toBe(0);
    }
    expect(sim.received.map((r) => r.concat)).toEqual([
      { reference: 0x1234, total: 2, sequence: 1 },
      { reference: 0x1234, total: 2, sequence: 2 },
    ]);
    expect(sim.received.map((r) => r.text).join('')).toBe(PART_1 + PART_2);
  });

  it('records and receipts the text of message_payload (§5.3.2.32)', async () => {
    const { sim, esme, receipts } = await setUp();
    const long = (PART_1 + PART_2).repeat(4);
    const resp = await call(esme, 'submit_sm', { ...base, message_payload: long });
    expect(resp.command_status).toBe(0);
    expect(sim.received[0]).toMatchObject({ text: long, shortMessageOctets: 0, payloadOctets: long.length });
    await waitFor(() => receipts.length === 1, 'a receipt', 5_000);
    const text = Buffer.isBuffer(receipts[0]?.short_message)
      ? receipts[0]?.short_message.toString('latin1')
      : String(receipts[0]?.short_message?.message ?? receipts[0]?.short_message);
    expect(text).toContain(`text:${long.slice(0, 20)}`);
  });

  it('sends receipts as data_sm when scripted to, and counts data_sm_resp', async () => {
    const { sim, esme } = await setUp();
    sim.script({ receiptCommand: 'data_sm' });
    const dataSms: PackagePdu[] = [];
    esme.on('data_sm', (pdu: PackagePdu) => {
      dataSms.push(pdu);
      esme.send(pdu.response());
    });
    const resp = await call(esme, 'submit_sm', { ...base, short_message: 'hi' });
    await waitFor(() => dataSms.length === 1 && sim.stats.dataSmResp === 1, 'data_sm receipt', 5_000);
    expect(dataSms[0]).toMatchObject({ receipted_message_id: resp.message_id, message_state: 2 });
  });
});
