// One ESME bind against the simulator and hand-driven peers: bind errors, window, timeouts, throttling, drops, TLS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CommandStatus,
  type DeliverSmPdu,
  decodePdu,
  encodePdu,
  type Pdu,
  PduFrameSplitter,
} from '../../src/dispatch/providers/smpp/pdu.js';
import {
  parseSmppUrl,
  SESSION_DEFAULTS,
  type SessionOptions,
  SmppSession,
  type SmppUrl,
  type SubmitOutcome,
} from '../../src/dispatch/providers/smpp/session.js';
import { type SmscSimulator, startSmscSimulator } from '../../src/dispatch/providers/smpp/simulator.js';
import { US_PER_MS } from '../../src/domain/time.js';
import { waitFor } from '../support/wait.js';
import { shortMessageFields } from './fixtures.js';

/** Where the clocks given to sessions start: 2026-01-01T00:00:00Z. */
const START_US = Date.UTC(2026, 0, 1) * US_PER_MS;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function urlOf(text: string): SmppUrl {
  const parsed = parseSmppUrl(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.url;
}

async function simulator(options: Parameters<typeof startSmscSimulator>[0] = {}): Promise<SmscSimulator> {
  const sim = await startSmscSimulator(options);
  cleanups.push(() => sim.close());
  return sim;
}

function session(url: string | SmppUrl, options: Partial<SessionOptions> = {}): SmppSession {
  const s = new SmppSession({
    url: typeof url === 'string' ? urlOf(url) : url,
    reconnectBaseMs: 20,
    reconnectCapMs: 100,
    ...options,
  });
  cleanups.push(() => s.close());
  return s;
}

/** Distinct texts, so the simulator counts each as its own message. */
function part(index: number, destination = '37250000001') {
  return shortMessageFields({ destinationAddr: destination, shortMessage: Buffer.from(`message ${index}`, 'latin1') });
}

function kinds(outcomes: readonly SubmitOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
  return counts;
}

/** An SMSC written by hand for behaviours the simulator does not script: it hands each decoded PDU to `onPdu`. */
async function handPeer(
  onPdu: (pdu: Pdu, socket: Socket, frame: Buffer) => void,
): Promise<{ url: string; server: Server }> {
  const server = createServer((socket) => {
    const splitter = new PduFrameSplitter();
    socket.on('error', () => {});
    socket.on('data', (chunk) =>
      splitter.push(chunk, (frame) => {
        const decoded = decodePdu(frame);
        if (!decoded.ok) return;
        if (decoded.pdu.command === 'unbind') {
          // Every hand peer lets the client go politely, so closing is quick.
          socket.end(encodePdu({ command: 'unbind_resp', status: 0, sequence: decoded.pdu.sequence }));
          return;
        }
        onPdu(decoded.pdu, socket, frame);
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `smpp://smsgic:secret@127.0.0.1:${address.port}`, server };
}

function bindOk(pdu: Pdu, socket: Socket): boolean {
  if (pdu.command !== 'bind_transceiver') return false;
  socket.write(
    encodePdu({ command: 'bind_transceiver_resp', status: 0, sequence: pdu.sequence, systemId: 'hand', tlvs: {} }),
  );
  return true;
}

describe('SMPP URL', () => {
  it('reads credentials with percent-escapes, TLS, default ports and settings', () => {
    expect(parseSmppUrl('smpp://my%20id:p%40ss%3A1@smsc.example:2776?binds=4')).toMatchObject({
      ok: true,
      url: { tls: false, host: 'smsc.example', port: 2776, systemId: 'my id', password: 'p@ss:1' },
    });
    const parsed = parseSmppUrl('smpps://a:b@[::1]');
    expect(parsed).toMatchObject({ ok: true, url: { tls: true, host: '::1', port: 3550 } });
    expect(parseSmppUrl('smpp://a:b@h')).toMatchObject({ ok: true, url: { port: 2775 } });
  });

  it('explains what is wrong with a bad URL', () => {
    expect(parseSmppUrl('http://a:b@h')).toMatchObject({ ok: false });
    expect(parseSmppUrl('smpp://h:2775')).toMatchObject({ ok: false, error: expect.stringContaining('system_id') });
    expect(parseSmppUrl('smpp://a:0123456789@h')).toMatchObject({
      ok: false,
      error: expect.stringContaining('password'),
    });
    expect(parseSmppUrl('smpp://a:%E0%A4%A@h')).toMatchObject({ ok: false });
    expect(parseSmppUrl('not a url')).toMatchObject({ ok: false });
  });
});

describe('SMPP session', () => {
  it('refuses submits at once while the SMSC refuses the credentials, and keeps trying the bind at the backoff', async () => {
    const sim = await simulator();
    const refusals: (string | null)[] = [];
    const badPassword = session(sim.url.replace(':secret@', ':wrong@'), { onBindRefusal: (e) => refusals.push(e) });
    const outcome = await badPassword.open();
    expect(outcome).toEqual({
      ok: false,
      status: CommandStatus.ESME_RINVPASWD,
      fatal: true,
      error: 'smpp bind as "smsgic": the SMSC refused the credentials: ESME_RINVPASWD (0x0e)',
    });
    expect(badPassword.state).not.toBe('failed');
    expect(await badPassword.submit(part(1))).toEqual({ kind: 'unsent', error: outcome.ok ? '' : outcome.error });
    const badSystemId = session(sim.url.replace('smsgic:', 'other:'));
    expect(await badSystemId.open()).toMatchObject({ ok: false, status: CommandStatus.ESME_RINVSYSID, fatal: true });
    // Tried again (reconnectBaseMs 20, capped at 100), and each refusal told once however often it repeats.
    await waitFor(() => sim.stats.bindsRefused >= 6, 'binds retried', 5_000);
    expect(refusals).toEqual([outcome.ok ? '' : outcome.error]);
  });

  it('keeps at most `windowSize` submit_sm unanswered and queues the rest, losing none', async () => {
    const sim = await simulator({ responseDelayMs: 2 });
    const s = session(sim.url, { windowSize: 5 });
    expect(await s.open()).toMatchObject({ ok: true });
    const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => s.submit(part(i))));
    expect(kinds(outcomes)).toEqual({ accepted: 200 });
    expect(sim.stats.maxOutstanding).toBeLessThanOrEqual(5);
    expect(sim.stats.maxOutstanding).toBeGreaterThan(1);
  });

  it('fails a request the SMSC never answers as outcome unknown after the response timeout, and goes on', async () => {
    const sim = await simulator();
    const s = session(sim.url, { responseTimeoutMs: 150 });
    await s.open();
    sim.script({ silence: { submits: 1 } });
    const started = Date.now();
    const outcome = await s.submit(part(1));
    expect(outcome).toEqual({ kind: 'unknown', error: 'no submit_sm_resp within 150 ms; outcome unknown' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(await s.submit(part(2))).toMatchObject({ kind: 'accepted' });
    expect(s.state).toBe('bound');
  });

  it('slows down on ESME_RTHROTTLED, resends what was refused, and recovers its window', async () => {
    const sim = await simulator();
    const s = session(sim.url, {
      windowSize: 16,
      throttleBackoffBaseMs: 5,
      throttleBackoffCapMs: 20,
      throttleResendsMax: 30,
    });
    await s.open();
    let smallestWindow = s.window;
    const sampler = setInterval(() => {
      smallestWindow = Math.min(smallestWindow, s.window);
    }, 1);
    cleanups.push(() => clearInterval(sampler));
    sim.script({ throttle: { submits: 25 } });
    const outcomes = await Promise.all(Array.from({ length: 300 }, (_, i) => s.submit(part(i))));
    expect(kinds(outcomes)).toEqual({ accepted: 300 });
    expect(sim.stats.throttled).toBe(25);
    expect(s.throttledCount).toBe(25);
    // Multiplicative decrease: the window halved on each burst of throttles (sampled, so it may miss the very bottom).
    expect(smallestWindow).toBeLessThanOrEqual(4);
    expect(sim.duplicateParts()).toEqual([]);
    // Additive increase: a few more windows' worth of successes bring the window back.
    await Promise.all(Array.from({ length: 300 }, (_, i) => s.submit(part(1000 + i))));
    expect(s.window).toBe(16);
  });

  it('adapts to an SMSC window smaller than its own (ESME_RMSGQFUL) without losing anything', async () => {
    const sim = await simulator({
      windowMax: 4,
      windowExceededStatus: CommandStatus.ESME_RMSGQFUL,
      responseDelayMs: 2,
    });
    const s = session(sim.url, { windowSize: 40, throttleBackoffBaseMs: 5, throttleResendsMax: 50 });
    await s.open();
    const outcomes = await Promise.all(Array.from({ length: 400 }, (_, i) => s.submit(part(i))));
    expect(kinds(outcomes)).toEqual({ accepted: 400 });
    expect(sim.stats.throttled).toBeGreaterThan(0);
    expect(sim.stats.accepted).toBe(400);
    expect(sim.duplicateParts()).toEqual([]);
  });

  it.each(['after', 'before'] as const)(
    'loses nothing and sends nothing twice when the connection drops mid-window (%s answering)',
    async (answer) => {
      const sim = await simulator({ responseDelayMs: 1 });
      const s = session(sim.url, { windowSize: 10, onLost: 'unknown' });
      await s.open();
      sim.script({ drop: { afterSubmits: 25, answer } });
      const outcomes = await Promise.all(
        Array.from({ length: 100 }, (_, i) => s.submit(part(i, String(37250000000 + i)))),
      );
      const counts = kinds(outcomes);
      expect(counts.unknown).toBeGreaterThan(0);
      expect(counts.unknown).toBeLessThanOrEqual(10);
      expect((counts.accepted ?? 0) + (counts.unknown ?? 0)).toBe(100);
      // Everything the SMSC answered is accepted, and nothing it read was read twice.
      expect(sim.stats.accepted).toBe(counts.accepted);
      expect(sim.duplicateParts()).toEqual([]);
      outcomes.forEach((outcome, i) => {
        if (outcome.kind !== 'unknown') return;
        expect(outcome.error).toMatch(/connection lost before submit_sm_resp.*outcome unknown/);
        const sent = [...sim.stats.partCounts.keys()].filter((key) => key.startsWith(`${37250000000 + i}|`));
        expect(sent.length).toBeLessThanOrEqual(1);
      });
      expect(sim.stats.bindsAccepted).toBe(2);
    },
  );

  it.each(['before', 'after'] as const)(
    'with the default on_lost=resend, ends every submit of a window a drop cut (%s answering) final after reconnect',
    async (answer) => {
      const sim = await simulator({ responseDelayMs: 1 });
      const s = session(sim.url, { windowSize: 10 });
      await s.open();
      sim.script({ drop: { afterSubmits: 25, answer } });
      const outcomes = await Promise.all(
        Array.from({ length: 100 }, (_, i) => s.submit(part(i, String(37250000000 + i)))),
      );
      expect(kinds(outcomes)).toEqual({ accepted: 100 });
      expect(sim.stats.bindsAccepted).toBe(2);
      // The documented price: a submit the SMSC read but never answered is read twice. Only those, at most a window.
      expect(sim.duplicateParts().length).toBeLessThanOrEqual(10);
    },
  );

  it('answers enquire_link on idle links, and unbinds on close', async () => {
    const sim = await simulator();
    // Idle time passes on the session's clock, the default interval (30 s) at each look: no waiting for it.
    let nowUs = START_US;
    const s = new SmppSession({ url: urlOf(sim.url), clockUs: () => nowUs });
    await s.open();
    const idle = () => {
      nowUs += SESSION_DEFAULTS.enquireLinkIntervalMs * US_PER_MS;
      return sim.stats.enquireLinks >= 2;
    };
    await waitFor(idle, 'enquire_link', 3_000);
    await s.close();
    expect(s.state).toBe('closed');
    expect(sim.stats.unbinds).toBe(1);
    expect(await s.submit(part(1))).toMatchObject({ kind: 'unsent' });
  });

  it('reconnects with backoff when the SMSC is not there yet', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const s = session(`smpp://smsgic:secret@127.0.0.1:${port}`);
    expect(await s.open()).toMatchObject({ ok: false, fatal: false, error: expect.stringContaining('ECONNREFUSED') });
    const queued = s.submit(part(1));
    const sim = await simulator({ port });
    expect(await queued).toMatchObject({ kind: 'accepted' });
    expect(sim.stats.bindsAccepted).toBe(1);
  });

  it('gives up a queued submit when aborted, as unsent', async () => {
    const sim = await simulator();
    const s = session(sim.url, { windowSize: 1, responseTimeoutMs: 200 });
    await s.open();
    sim.script({ silence: { submits: 1 } });
    const first = s.submit(part(1));
    const controller = new AbortController();
    const second = s.submit(part(2), { signal: controller.signal });
    controller.abort();
    expect(await second).toEqual({ kind: 'unsent', error: 'aborted before sending' });
    expect(await first).toMatchObject({ kind: 'unknown' });
  });

  it('gives up a submit that waited for a bind longer than queueWaitMaxMs, as unsent', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    let nowUs = START_US;
    const s = session(`smpp://smsgic:secret@127.0.0.1:${port}`, { clockUs: () => nowUs });
    expect(await s.open()).toMatchObject({ ok: false, fatal: false });
    const queued = s.submit(part(1));
    // A minute passes on the session's clock while no SMSC is there.
    nowUs += SESSION_DEFAULTS.queueWaitMaxMs * US_PER_MS;
    expect(await queued).toEqual({
      kind: 'unsent',
      error: expect.stringMatching(/^not sent within 60000 ms \(session (waiting|connecting) \(.*ECONNREFUSED.*\)\)$/),
    });
    expect(s.queued).toBe(0);
  });

  it('answers every deliver_sm (even unreadable ones), enquire_link and unbind from the SMSC, and nacks bad framing', async () => {
    const answers: Pdu[] = [];
    const delivered: DeliverSmPdu[] = [];
    let binds = 0;
    const peer = await handPeer((pdu, socket) => {
      if (bindOk(pdu, socket)) {
        binds++;
        if (binds > 1) return;
        const deliver = (sequence: number, text: string) =>
          encodePdu({
            command: 'deliver_sm',
            status: 0,
            sequence,
            ...shortMessageFields({ esmClass: 0x04, shortMessage: Buffer.from(text, 'latin1') }),
          });
        // A message_state TLV announcing 9 octets that never come.
        const withBadTlv = Buffer.concat([deliver(3, 'x'), Buffer.from([0x04, 0x27, 0, 9])]);
        withBadTlv.writeUInt32BE(withBadTlv.length, 0);
        socket.write(
          Buffer.concat([
            deliver(1, 'not a receipt at all'),
            deliver(2, 'id:1 stat:DELIVRD'),
            withBadTlv,
            encodePdu({ command: 'enquire_link', status: 0, sequence: 4 }),
            encodePdu({ command: 'unbind', status: 0, sequence: 5 }),
          ]),
        );
        return;
      }
      answers.push(pdu);
    });
    const s = session(peer.url, {
      onDeliver: (pdu) => {
        delivered.push(pdu);
      },
    });
    await s.open();
    await waitFor(() => answers.length >= 5 && binds >= 2, 'answers and a new bind', 3_000);
    answers.sort((a, b) => a.sequence - b.sequence);
    expect(answers.map((a) => [a.command, a.sequence, a.status])).toEqual([
      ['deliver_sm_resp', 1, 0],
      ['deliver_sm_resp', 2, 0],
      ['deliver_sm_resp', 3, CommandStatus.ESME_RINVOPTPARSTREAM],
      ['enquire_link_resp', 4, 0],
      ['unbind_resp', 5, 0],
    ]);
    expect(delivered).toHaveLength(2);
  });

  it('answers a deliver_sm whose handler fails with ESME_RX_T_APPN, so the SMSC delivers it again', async () => {
    const answers: Pdu[] = [];
    const peer = await handPeer((pdu, socket) => {
      if (bindOk(pdu, socket)) {
        socket.write(
          encodePdu({ command: 'deliver_sm', status: 0, sequence: 7, ...shortMessageFields({ esmClass: 0x04 }) }),
        );
        return;
      }
      answers.push(pdu);
    });
    const s = session(peer.url, { onDeliver: () => Promise.reject(new Error('store down')) });
    await s.open();
    await waitFor(() => answers.length === 1, 'deliver_sm_resp', 3_000);
    expect(answers[0]).toMatchObject({ command: 'deliver_sm_resp', sequence: 7, status: CommandStatus.ESME_RX_T_APPN });
  });

  it('sends generic_nack and reconnects when the SMSC breaks framing', async () => {
    const answers: Pdu[] = [];
    let binds = 0;
    const peer = await handPeer((pdu, socket) => {
      if (bindOk(pdu, socket)) {
        if (++binds === 1) socket.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]));
        return;
      }
      answers.push(pdu);
    });
    const s = session(peer.url);
    await s.open();
    await waitFor(() => binds >= 2, 'a new bind', 3_000);
    expect(answers[0]).toMatchObject({ command: 'generic_nack', status: CommandStatus.ESME_RINVCMDLEN, sequence: 9 });
  });

  it('reports a submit_sm_resp that comes after the timeout as a late response', async () => {
    const late: SubmitOutcome[] = [];
    const peer = await handPeer((pdu, socket) => {
      if (bindOk(pdu, socket)) return;
      if (pdu.command === 'submit_sm') {
        setTimeout(() => {
          socket.write(encodePdu({ command: 'submit_sm_resp', status: 0, sequence: pdu.sequence, messageId: 'LATE1' }));
        }, 150);
      }
      if (pdu.command === 'enquire_link') {
        socket.write(encodePdu({ command: 'enquire_link_resp', status: 0, sequence: pdu.sequence }));
      }
    });
    const s = session(peer.url, {
      responseTimeoutMs: 60,
      onLateResponse: (context, outcome) => {
        expect(context).toBe('ref-1');
        late.push(outcome);
      },
    });
    await s.open();
    expect(await s.submit(part(1), { context: 'ref-1' })).toMatchObject({ kind: 'unknown' });
    await waitFor(() => late.length === 1, 'late response', 3_000);
    expect(late[0]).toEqual({ kind: 'accepted', messageId: 'LATE1' });
  });

  it('binds over TLS (smpps://)', async () => {
    let dir: string;
    try {
      dir = mkdtempSync(join(tmpdir(), 'smpp-tls-'));
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ],
        { stdio: 'ignore' },
      );
    } catch {
      // Without openssl there is no certificate to test with; plain TCP is covered above.
      return;
    }
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const cert = readFileSync(join(dir, 'cert.pem'));
    const sim = await simulator();
    // A TLS front for the simulator, as a TLS-terminating SMSC would have.
    const front = createTlsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (tlsSocket) => {
      const upstream = tcpConnect(sim.port, '127.0.0.1');
      tlsSocket.pipe(upstream).pipe(tlsSocket);
      tlsSocket.on('error', () => upstream.destroy());
      upstream.on('error', () => tlsSocket.destroy());
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => front.close(() => resolve())));
    const port = (front.address() as { port: number }).port;
    const s = session(`smpps://smsgic:secret@127.0.0.1:${port}`, { tls: { ca: cert } });
    expect(await s.open()).toEqual({ ok: true, systemId: 'smsc-sim' });
    expect(await s.submit(part(1))).toMatchObject({ kind: 'accepted' });
    await s.close();
  });
});
