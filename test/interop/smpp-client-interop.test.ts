// Our ESME client against an SMSC built on the independent npm `smpp` package, over real TCP on loopback.

import smpp from 'smpp';
import { afterEach, describe, expect, it } from 'vitest';
import { createSmppProvider } from '../../src/dispatch/providers/smpp/adapter.js';
import { type ClientOptions, type MessageReport, SmppClient } from '../../src/dispatch/providers/smpp/client.js';
import { CommandStatus } from '../../src/dispatch/providers/smpp/pdu.js';
import { parseSmppUrl } from '../../src/dispatch/providers/smpp/session.js';
import { splitParts } from '../../src/domain/gsm.js';
import { waitFor } from '../support/wait.js';
import { acceptSubmit, type PackagePdu, type PeerHandlers, type PeerSmsc, startPeerSmsc } from './smpp-peer.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function peer(handlers: PeerHandlers = {}): Promise<PeerSmsc> {
  const smsc = await startPeerSmsc(handlers);
  cleanups.push(() => smsc.close());
  return smsc;
}

function client(
  smsc: PeerSmsc,
  options: Partial<ClientOptions> = {},
): { client: SmppClient; reports: MessageReport[] } {
  const url = parseSmppUrl(smsc.url);
  if (!url.ok) throw new Error(url.error);
  const reports: MessageReport[] = [];
  const c = new SmppClient({
    url: url.url,
    windowSize: 10,
    reconnectBaseMs: 20,
    reconnectCapMs: 200,
    responseTimeoutMs: 5_000,
    onReport: (report) => {
      reports.push(report);
    },
    ...options,
  });
  cleanups.push(() => c.close());
  return { client: c, reports };
}

const recipient = (i: number) => String(37250000000 + i);
const short = (i: number) => ({
  source: 'Acme',
  destination: recipient(i),
  encoding: 'GSM-7' as const,
  parts: [`hi ${i}`],
});
const LONG = 'Your parcel 1234 arrives tomorrow between 10:00 and 14:00; reply STOP to opt out. '.repeat(4);

describe('SMPP client against the npm smpp package as SMSC', () => {
  it('reads a submit_sm_resp that carries optional parameters, known and unknown (§5.3 compatibility)', async () => {
    smpp.addTLV('vendor_route_tag', { id: 0x1401, type: smpp.types.tlv.cstring });
    const smsc = await peer({
      onSubmit: (pdu, session) =>
        acceptSubmit(pdu, session, { additional_status_info_text: 'queued', vendor_route_tag: 'eu-2' }),
    });
    const { client: c } = client(smsc);
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => c.submit(short(i))));
    expect(outcomes.map((o) => o.kind)).toEqual(Array(10).fill('accepted'));
    expect(outcomes.every((o) => o.kind === 'accepted' && o.messageId.startsWith('pkg-'))).toBe(true);
    expect(smsc.log.filter((e) => e.pdu.command === 'generic_nack')).toEqual([]);
  });

  it('never takes a generic_nack as an acceptance, even with command_status 0', async () => {
    const smsc = await peer({
      onSubmit: (pdu, session) =>
        session.send(new smpp.PDU('generic_nack', { sequence_number: pdu.sequence_number, command_status: 0 })),
    });
    const { client: c } = client(smsc);
    const outcome = await c.submit(short(1));
    expect(outcome.kind).toBe('refused');
    expect(outcome).not.toHaveProperty('messageId');
  });

  it('takes receipts sent as data_sm (§4.7), answers data_sm_resp, and reports them', async () => {
    const smsc = await peer({
      onSubmit: (pdu, session) => {
        const id = acceptSubmit(pdu, session);
        setTimeout(
          () =>
            session.data_sm({
              source_addr: pdu.destination_addr,
              destination_addr: pdu.source_addr,
              esm_class: 0x04,
              registered_delivery: 0,
              data_coding: 0,
              receipted_message_id: id,
              message_state: 2,
            }),
          5,
        );
      },
    });
    const { client: c, reports } = client(smsc);
    const outcome = await c.submit(short(1));
    expect(outcome.kind).toBe('accepted');
    await waitFor(() => reports.length === 1, 'a report from data_sm', 5_000);
    expect(reports[0]).toMatchObject({ status: 'delivered', messageId: (outcome as { messageId: string }).messageId });
    await waitFor(() => smsc.log.some((e) => e.pdu.command === 'data_sm_resp'), 'data_sm_resp', 5_000);
    const answer = smsc.log.find((e) => e.pdu.command === 'data_sm_resp')?.pdu as PackagePdu;
    expect(answer.command_status).toBe(0);
    expect(smsc.log.some((e) => e.pdu.command === 'generic_nack')).toBe(false);
  });

  it('reads a data_sm receipt carried as Appendix B text in message_payload', async () => {
    const smsc = await peer({
      onSubmit: (pdu, session) => {
        const id = acceptSubmit(pdu, session);
        setTimeout(
          () =>
            session.data_sm({
              source_addr: pdu.destination_addr,
              destination_addr: pdu.source_addr,
              esm_class: 0x04,
              registered_delivery: 0,
              data_coding: 0,
              message_payload: Buffer.from(
                `id:${id} sub:001 dlvrd:000 submit date:2503011000 done date:2503011001 stat:UNDELIV err:001 text:hi`,
              ),
            }),
          5,
        );
      },
    });
    const { client: c, reports } = client(smsc);
    expect((await c.submit(short(2))).kind).toBe('accepted');
    await waitFor(() => reports.length === 1, 'a report from data_sm text', 5_000);
    expect(reports[0]).toMatchObject({ status: 'undelivered' });
  });

  it('when the SMSC unbinds with 9 submit_sm outstanding, stops sending, takes their answers, then answers unbind', async () => {
    const held: { pdu: PackagePdu; session: unknown }[] = [];
    const order: string[] = [];
    const smsc = await peer({
      onSubmit: (pdu, session) => {
        held.push({ pdu, session });
        if (held.length === 9) {
          session.unbind();
          order.push('unbind');
          // A real SMSC finishes what it was doing before it expects unbind_resp (§4.2).
          setTimeout(() => {
            for (const h of held.splice(0)) {
              acceptSubmit(h.pdu, session);
              order.push('submit_sm_resp');
            }
          }, 50);
        }
      },
      onOther: (pdu, session) => {
        if (pdu.command === 'unbind_resp') {
          order.push('unbind_resp');
          session.close();
        }
      },
    });
    const { client: c } = client(smsc);
    const outcomes = await Promise.all(Array.from({ length: 9 }, (_, i) => c.submit(short(i))));
    expect(outcomes.map((o) => o.kind)).toEqual(Array(9).fill('accepted'));
    await waitFor(() => order.includes('unbind_resp'), 'unbind_resp', 5_000);
    expect(order).toEqual(['unbind', ...Array(9).fill('submit_sm_resp'), 'unbind_resp']);
  });

  it('sends again a later part refused with a transient error, under the same UDH reference', async () => {
    let refusedOnce = false;
    const smsc = await peer({
      onSubmit: (pdu, session) => {
        const udh = pdu.short_message?.udh?.[0] as Buffer | undefined;
        if (udh && udh[udh.length - 1] === 2 && !refusedOnce) {
          refusedOnce = true;
          session.send(pdu.response({ command_status: CommandStatus.ESME_RSYSERR }));
          return;
        }
        acceptSubmit(pdu, session);
      },
    });
    const { client: c } = client(smsc, { partRetryBaseMs: 10 });
    const { encoding, parts } = splitParts(LONG);
    expect(parts.length).toBe(3);
    const outcome = await c.submit({ source: 'Acme', destination: recipient(1), encoding, parts });
    expect(outcome).toMatchObject({
      kind: 'accepted',
      partIds: [expect.any(String), expect.any(String), expect.any(String)],
    });
    const submits = smsc.log.filter((e) => e.pdu.command === 'submit_sm').map((e) => e.pdu);
    expect(submits).toHaveLength(4);
    const udhs = submits.map((p) => Buffer.from(p.short_message.udh[0]));
    // One reference (third octet from the end) on every part; part 2 sent twice, byte for byte the same.
    expect(new Set(udhs.map((u) => u[u.length - 3])).size).toBe(1);
    const partTwo = submits.filter((_, i) => (udhs[i] as Buffer)[(udhs[i] as Buffer).length - 1] === 2);
    expect(partTwo).toHaveLength(2);
    expect(partTwo[1]?.short_message.message).toBe(partTwo[0]?.short_message.message);
  });

  it('fails a long message only on a final error of a later part, and keeps the parts the SMSC took', async () => {
    const smsc = await peer({
      onSubmit: (pdu, session) => {
        const udh = pdu.short_message?.udh?.[0] as Buffer | undefined;
        if (udh && udh[udh.length - 1] === 3) {
          session.send(pdu.response({ command_status: CommandStatus.ESME_RINVDSTADR }));
          return;
        }
        acceptSubmit(pdu, session);
      },
    });
    const { client: c } = client(smsc, { partRetryBaseMs: 10 });
    const { encoding, parts } = splitParts(LONG);
    const outcome = await c.submit({ source: 'Acme', destination: recipient(1), encoding, parts });
    expect(outcome).toMatchObject({ kind: 'refused', status: CommandStatus.ESME_RINVDSTADR });
    expect(outcome.kind === 'refused' && outcome.acceptedPartIds).toHaveLength(2);
    expect(smsc.log.filter((e) => e.pdu.command === 'submit_sm')).toHaveLength(3);
  });

  it('answers for a long message whose part 3 the SMSC refused for good: 2 of 3 parts taken, never resent', async () => {
    const firstIds: string[] = [];
    const smsc = await peer({
      onSubmit: (pdu, session) => {
        const udh = pdu.short_message?.udh?.[0] as Buffer | undefined;
        if (udh && udh[udh.length - 1] === 3) {
          session.send(pdu.response({ command_status: CommandStatus.ESME_RSUBMITFAIL }));
          return;
        }
        const id = acceptSubmit(pdu, session);
        if (udh && udh[udh.length - 1] === 1) firstIds.push(id);
      },
    });
    const provider = createSmppProvider({
      url: smsc.url,
      clockUs: () => Date.now() * 1000,
      client: { reconnectBaseMs: 20, reconnectCapMs: 200, partRetryBaseMs: 10 },
    });
    cleanups.push(() => provider.close());
    const { encoding, parts } = splitParts(LONG);
    expect(parts.length).toBe(3);
    const message = { reference: 'long-1', sender: 'Acme', recipient: recipient(1), text: LONG, encoding, parts };
    const [result] = await provider.submit([{ ...message, attempt: 1 }], new AbortController().signal);
    expect(result).toEqual({
      failed: true,
      retryable: false,
      error: expect.stringContaining('2 of 3 parts accepted'),
      partsTaken: 2,
      providerMessageId: firstIds[0],
    });
    // A final status is not sent again; and asked again after a lost answer, the adapter says the same.
    expect(smsc.log.filter((e) => e.pdu.command === 'submit_sm')).toHaveLength(3);
    expect(await provider.recheck?.(['long-1'], new AbortController().signal)).toEqual([
      { found: firstIds[0], partsTaken: 2, error: expect.stringContaining('ESME_RSUBMITFAIL') },
    ]);
  });

  it('sends a long text with SAR TLVs or in message_payload when the route asks, as the package reads them', async () => {
    const smsc = await peer();
    const { encoding, parts } = splitParts(LONG);
    const sar = client(smsc, { longMessages: 'sar' }).client;
    expect((await sar.submit({ source: 'Acme', destination: recipient(1), encoding, parts })).kind).toBe('accepted');
    const sarSubmits = smsc.log.filter((e) => e.pdu.command === 'submit_sm').map((e) => e.pdu);
    expect(sarSubmits.map((p) => [p.sar_total_segments, p.sar_segment_seqnum])).toEqual([
      [3, 1],
      [3, 2],
      [3, 3],
    ]);
    expect(new Set(sarSubmits.map((p) => p.sar_msg_ref_num)).size).toBe(1);
    expect(sarSubmits.map((p) => p.short_message.message).join('')).toBe(LONG);
    const payload = client(smsc, { longMessages: 'payload' }).client;
    expect((await payload.submit({ source: 'Acme', destination: recipient(2), encoding, parts })).kind).toBe(
      'accepted',
    );
    const last = smsc.log.filter((e) => e.pdu.command === 'submit_sm').at(-1)?.pdu as PackagePdu;
    expect(String(last.message_payload?.message ?? last.message_payload)).toBe(LONG);
  });

  it('keeps binding after a credentials refusal, with backoff, and sends once the SMSC lets it in', async () => {
    let refusals = 0;
    const smsc = await peer({
      onBind: (pdu, session) => {
        if (refusals < 3) {
          refusals++;
          session.send(pdu.response({ command_status: CommandStatus.ESME_RINVPASWD }));
          return;
        }
        session.send(pdu.response({ system_id: 'pkg-smsc' }));
      },
    });
    const { client: c } = client(smsc);
    const [first] = await c.open();
    expect(first).toMatchObject({ ok: false, status: CommandStatus.ESME_RINVPASWD });
    // Meanwhile a message is refused at once as not sent, so the route can fail over.
    expect(await c.submit(short(1))).toMatchObject({ kind: 'unsent' });
    await waitFor(() => c.stats().binds[0]?.state === 'bound', 'bound after the refusals', 10_000);
    expect(refusals).toBe(3);
    expect((await c.submit(short(2))).kind).toBe('accepted');
  });

  it('resends after reconnect the submits whose answers a TCP cut lost, so every one ends final', async () => {
    let firstConnectionSubmits = 0;
    let cutAtMs = 0;
    const smsc = await peer({
      onSubmit: (pdu, session, connection) => {
        if (connection === 0) {
          firstConnectionSubmits++;
          if (firstConnectionSubmits === 10) {
            cutAtMs = Date.now();
            session.destroy();
          }
          return;
        }
        acceptSubmit(pdu, session);
      },
    });
    const { client: c } = client(smsc);
    let lastFinalMs = 0;
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        c.submit(short(i)).then((o) => {
          lastFinalMs = Math.max(lastFinalMs, Date.now());
          return o;
        }),
      ),
    );
    expect(outcomes.map((o) => o.kind)).toEqual(Array(10).fill('accepted'));
    expect(smsc.sessions.length).toBeGreaterThanOrEqual(2);
    // The figure for BENCHMARKS.md: a TCP cut to every in-flight message final (not asserted: wall-clock).
    console.info(`smpp: TCP cut -> 10 in-flight final in ${lastFinalMs - cutAtMs} ms`);
  });
});

describe('SMPP adapter against the npm smpp package as SMSC', () => {
  it('with on_lost=fail, ends messages whose answers a TCP cut lost as failed (not charged) instead of unknown', async () => {
    let submits = 0;
    let cutAtMs = 0;
    const smsc = await peer({
      onSubmit: (_pdu, session) => {
        submits++;
        if (submits === 10) {
          cutAtMs = Date.now();
          session.destroy();
        }
      },
    });
    const provider = createSmppProvider({
      url: `${smsc.url}?window=10&on_lost=fail`,
      clockUs: () => Date.now() * 1000,
      client: { reconnectBaseMs: 20, reconnectCapMs: 200 },
    });
    cleanups.push(() => provider.close());
    const batch = Array.from({ length: 10 }, (_, i) => ({
      reference: String(i + 1),
      sender: 'Acme',
      recipient: recipient(i),
      text: `hi ${i}`,
      encoding: 'GSM-7' as const,
      parts: [`hi ${i}`],
      attempt: 1,
    }));
    const results = await provider.submit(batch, new AbortController().signal);
    expect(results).toHaveLength(10);
    expect(results.every((r) => 'failed' in r && r.retryable === false)).toBe(true);
    console.info(`smpp: TCP cut -> 10 in-flight failed (on_lost=fail) in ${Date.now() - cutAtMs} ms`);
  });
});

describe('validity period over SMPP, as the npm smpp package reads it', () => {
  // The package turns a relative time into a Date counted from its own clock; its filter is set aside here so that
  // the field is read as the characters on the wire.
  // biome-ignore lint/suspicious/noExplicitAny: the package is untyped
  const validityParam = (smpp as any).commands.submit_sm.params.validity_period;
  const packageFilter = validityParam.filter;
  afterEach(() => {
    validityParam.filter = packageFilter;
  });

  it('puts what is left of the validity in every part as a relative time (§7.1.1), and nothing without one', async () => {
    validityParam.filter = { encode: (v: unknown) => v, decode: (v: unknown) => v };
    const smsc = await peer();
    const provider = createSmppProvider({
      url: smsc.url,
      clockUs: () => Date.now() * 1000,
      client: { reconnectBaseMs: 20, reconnectCapMs: 200 },
    });
    cleanups.push(() => provider.close());
    const { encoding, parts } = splitParts(LONG);
    const base = { sender: 'Acme', text: LONG, encoding, parts, attempt: 1 };
    const results = await provider.submit(
      [
        { ...base, reference: 'valid-1', recipient: recipient(1), validitySeconds: 90 * 60 + 7 },
        { ...base, reference: 'valid-2', recipient: recipient(2), validitySeconds: 3 * 86_400 },
        { ...base, reference: 'valid-3', recipient: recipient(3) },
      ],
      new AbortController().signal,
    );
    expect(results.every((r) => 'accepted' in r)).toBe(true);
    const byRecipient = (i: number) =>
      smsc.log
        .filter((e) => e.pdu.command === 'submit_sm' && e.pdu.destination_addr === recipient(i))
        .map((e) => e.pdu.validity_period);
    expect(byRecipient(1)).toEqual(['000000013007000R', '000000013007000R', '000000013007000R']);
    expect(byRecipient(2)).toEqual(['000003000000000R', '000003000000000R', '000003000000000R']);
    expect(byRecipient(3)).toEqual(['', '', '']);
  });
});
