// The SMPP provider adapter as the dispatch worker sees it: SMPP_URL, submit results, unknown outcomes, reports.

import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryReport, OutgoingMessage, ProviderAdapter } from '../../src/dispatch/provider.js';
import { type DeliveryByDestination, parseDeliveryProfileCsv } from '../../src/dispatch/providers/delivery-profile.js';
import {
  createSmppProvider,
  parseSmppConfig,
  SMPP_PROVIDER,
  SmppOutcomeUnknownError,
  type SmppProvider,
} from '../../src/dispatch/providers/smpp/adapter.js';
import { CommandStatus } from '../../src/dispatch/providers/smpp/pdu.js';
import { type SmscSimulator, startSmscSimulator } from '../../src/dispatch/providers/smpp/simulator.js';
import { createRegistry } from '../../src/dispatch/registry.js';
import { splitParts } from '../../src/domain/gsm.js';
import { systemClockUs } from '../../src/domain/time.js';
import { waitFor } from '../support/wait.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function message(reference: number, recipient: string, text: string): OutgoingMessage {
  const { encoding, parts } = splitParts(text);
  return { reference: String(reference), recipient, sender: 'Acme', text, encoding, parts, attempt: 1 };
}

async function setUp(
  query = '',
  client: Parameters<typeof createSmppProvider>[0]['client'] = {},
  smsc: Parameters<typeof startSmscSimulator>[0] = {},
): Promise<{ sim: SmscSimulator; provider: SmppProvider; pushed: DeliveryReport[] }> {
  const sim = await startSmscSimulator(smsc);
  cleanups.push(() => sim.close());
  const pushed: DeliveryReport[] = [];
  const provider = createSmppProvider({
    url: `${sim.url}${query}`,
    clockUs: systemClockUs,
    onReport: (report) => {
      pushed.push(report);
    },
    client: { reconnectBaseMs: 20, ...client },
  });
  cleanups.push(() => provider.close());
  return { sim, provider, pushed };
}

const never = new AbortController().signal;

/** A pretend network: numbers starting {prefix} are in MCC {mcc}, which delivers nothing; the rest are unknown. */
function nothingDelivered(prefix: string, mcc: string): DeliveryByDestination {
  const parsed = parseDeliveryProfileCsv(`mcc,mnc,delivered_percent\n${mcc},,0\n`);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return {
    profile: parsed.profile,
    destinationOf: (digits) => (digits.startsWith(prefix) ? { mcc, mnc: null } : null),
  };
}

describe('SMPP provider adapter', () => {
  it('reads its settings from SMPP_URL, and explains a bad one', () => {
    const parsed = parseSmppConfig('smpp://id:pw@smsc:2775?binds=4&window=50&timeout_ms=5000&system_type=SMS');
    expect(parsed).toMatchObject({
      ok: true,
      config: { client: { binds: 4, windowSize: 50, responseTimeoutMs: 5000, systemType: 'SMS' } },
    });
    expect(parseSmppConfig('smpp://id:pw@smsc?binds=0')).toEqual({
      ok: false,
      error: 'SMPP_URL binds must be a whole number in 1..64, got "0"',
    });
    expect(() => createSmppProvider({ url: 'https://smsc', clockUs: systemClockUs })).toThrow(/scheme/);
  });

  it('implements the provider interface: one result per message, in order, refusals as values', async () => {
    const { sim, provider } = await setUp('?binds=2&window=20');
    const adapter: ProviderAdapter = provider;
    expect(adapter.name).toBe(SMPP_PROVIDER);
    sim.script({ reject: { destination: /0004$/, status: CommandStatus.ESME_RINVDSTADR } });
    const batch = [
      message(1, '37250000001', 'Hello'),
      message(2, '37250000004', 'Hello'),
      message(3, '37250000003', 'Ж'.repeat(150)),
    ];
    const results = await adapter.submit(batch, never);
    expect(results).toEqual([
      { accepted: expect.any(String) },
      { failed: true, retryable: false, error: 'smpp submit_sm refused: ESME_RINVDSTADR (0x0b)' },
      { accepted: expect.any(String) },
    ]);
    expect(sim.stats.submitSm).toBe(1 + 1 + 3);
  });

  it('pushes receipts as reports and keeps them for poll', async () => {
    const { sim, provider, pushed } = await setUp();
    sim.script({ receiptStat: [{ destination: /2$/, stat: 'EXPIRED' }] });
    const results = await provider.submit([message(1, '37250000001', 'a'), message(2, '37250000002', 'b')], never);
    const ids = results.map((r) => ('accepted' in r ? r.accepted : ''));
    await waitFor(() => pushed.length === 2, 'reports', 5_000);
    const polled = await provider.poll?.(
      ids.map((providerMessageId, i) => ({
        reference: String(i + 1),
        providerMessageId,
        recipient: '',
        submittedAtUs: 0,
      })),
      never,
    );
    expect(polled?.map((r) => [r.providerMessageId, r.status, r.error])).toEqual([
      [ids[0], 'delivered', null],
      [ids[1], 'expired', 'smpp EXPIRED err:001'],
    ]);
    expect(polled?.every((r) => typeof r.reportedAtUs === 'number')).toBe(true);
  });

  it('receives UNDELIV at the ratio of the SMSC delivery profile for numbers its script does not name', async () => {
    const { sim, provider, pushed } = await setUp('', {}, { delivery: nothingDelivered('372', '248') });
    sim.script({ receiptStat: [{ destination: /3$/, stat: 'DELIVRD' }] });
    const results = await provider.submit(
      [message(1, '37250000002', 'a'), message(2, '37250000003', 'b'), message(3, '37120000002', 'c')],
      never,
    );
    const ids = results.map((r) => ('accepted' in r ? r.accepted : ''));
    await waitFor(() => pushed.length === 3, 'reports', 5_000);
    const byId = new Map(pushed.map((r) => [r.providerMessageId, r.status]));
    expect(ids.map((id) => byId.get(id))).toEqual(['undelivered', 'delivered', 'delivered']);
  });

  it('throws when an answer is missing, and rechecks from what it saw: found, or unknown, never guessed', async () => {
    const { sim, provider } = await setUp('?window=1', { responseTimeoutMs: 100 });
    await provider.open();
    sim.script({ silence: { submits: 1 } });
    const batch = [message(1, '37250000001', 'first'), message(2, '37250000002', 'second')];
    const error = await provider.submit(batch, never).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SmppOutcomeUnknownError);
    const unknown = error as SmppOutcomeUnknownError;
    expect(unknown.unknownReferences).toEqual(['1']);
    expect(unknown.results[1]).toEqual({ accepted: expect.any(String) });
    expect(await provider.recheck?.(['1', '2', 'never-seen'], never)).toEqual([
      { unknown: true },
      { found: (unknown.results[1] as { accepted: string }).accepted },
      { unknown: true },
    ]);
    // Nothing was sent twice to find out.
    expect(sim.duplicateParts()).toEqual([]);
  });

  it('reports a message it could not send as a retryable failure, and rechecks it as absent', async () => {
    const sim = await startSmscSimulator({ password: 'other' });
    cleanups.push(() => sim.close());
    const provider = createSmppProvider({ url: sim.url.replace(':other@', ':secret@'), clockUs: systemClockUs });
    cleanups.push(() => provider.close());
    const [result] = await provider.submit([message(9, '37250000001', 'x')], never);
    expect(result).toMatchObject({ failed: true, retryable: true, error: expect.stringContaining('ESME_RINVPASWD') });
    expect(await provider.recheck?.(['9'], never)).toEqual([{ absent: true }]);
  });
});

describe('SMPP route options and notices', () => {
  it('tells the configured registry a bind refusal once per change, and the bind accepted again', async () => {
    const sim = await startSmscSimulator();
    cleanups.push(() => sim.close());
    sim.script({ refuseBinds: { binds: 4 } });
    const notices: (string | null)[] = [];
    const registry = createRegistry({
      clockUs: systemClockUs,
      providers: { smpp: { url: sim.url } },
      onAccountRefusal: (provider, error) => notices.push(`${provider}: ${error}`),
    });
    cleanups.push(() => registry.close());
    const provider = registry.get(SMPP_PROVIDER) as SmppProvider;
    await provider.open();
    await waitFor(() => provider.stats().binds[0]?.state === 'bound', 'bound after four refusals', 10_000);
    expect(sim.stats.bindsRefused).toBe(4);
    expect(notices).toEqual([expect.stringMatching(/^smpp: .*ESME_RINVPASWD/), 'smpp: null']);
  });

  it('refuses an unknown on_lost or long setting in SMPP_URL', () => {
    expect(parseSmppConfig('smpp://a:b@h:1?on_lost=maybe')).toMatchObject({ ok: false });
    expect(parseSmppConfig('smpp://a:b@h:1?long=mms')).toMatchObject({ ok: false });
    expect(parseSmppConfig('smpp://a:b@h:1?on_lost=fail&long=sar')).toMatchObject({
      ok: true,
      config: { onLost: 'fail', client: { onLost: 'unknown', longMessages: 'sar' } },
    });
  });

  it("reads the route's country from SMPP_URL, none when not said", () => {
    expect(parseSmppConfig('smpp://a:b@h:1?country=lv')).toMatchObject({ ok: true, config: { country: 'LV' } });
    const none = parseSmppConfig('smpp://a:b@h:1');
    expect(none.ok && none.config.country).toBeUndefined();
    expect(parseSmppConfig('smpp://a:b@h:1?country=LVA')).toEqual({
      ok: false,
      error: 'SMPP_URL country must be a two-letter ISO 3166-1 code such as LV, got "LVA"',
    });
  });

  it('reads how text under data_coding 1 is read from SMPP_URL, auto when not said', () => {
    expect(parseSmppConfig('smpp://a:b@h:1')).toMatchObject({ ok: true, config: { client: { ia5: 'auto' } } });
    expect(parseSmppConfig('smpp://a:b@h:1?ia5=gsm')).toMatchObject({ ok: true, config: { client: { ia5: 'gsm' } } });
    expect(parseSmppConfig('smpp://a:b@h:1?ia5=ascii')).toMatchObject({
      ok: true,
      config: { client: { ia5: 'ascii' } },
    });
    expect(parseSmppConfig('smpp://a:b@h:1?ia5=latin1')).toEqual({
      ok: false,
      error: 'SMPP_URL ia5 must be auto, gsm, ascii, got "latin1"',
    });
  });
});
