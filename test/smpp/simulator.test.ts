// The simulated SMSC itself, spoken to with raw PDUs: bind rules, malformed input, and its command-line entry.
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CommandStatus,
  decodePdu,
  encodePdu,
  type Pdu,
  PduFrameSplitter,
} from '../../src/dispatch/providers/smpp/pdu.js';
import { type SmscSimulator, startSmscSimulator } from '../../src/dispatch/providers/smpp/simulator.js';
import { waitFor } from '../support/wait.js';
import { submitSm } from './fixtures.js';

const SIMULATOR = fileURLToPath(new URL('../../src/dispatch/providers/smpp/simulator.ts', import.meta.url));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A raw connection that collects every PDU the simulator sends. */
async function rawClient(port: number): Promise<{ socket: Socket; received: Pdu[]; closed: () => boolean }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const received: Pdu[] = [];
  const splitter = new PduFrameSplitter();
  let closed = false;
  socket.on('data', (chunk) =>
    splitter.push(chunk, (frame) => {
      const decoded = decodePdu(frame);
      if (decoded.ok) received.push(decoded.pdu);
    }),
  );
  socket.on('close', () => {
    closed = true;
  });
  cleanups.push(() => {
    socket.destroy();
  });
  return { socket, received, closed: () => closed };
}

function bind(sequence: number, password = 'secret'): Buffer {
  return encodePdu({
    command: 'bind_transceiver',
    status: 0,
    sequence,
    systemId: 'smsgic',
    password,
    systemType: '',
    interfaceVersion: 0x34,
    addrTon: 0,
    addrNpi: 0,
    addressRange: '',
  });
}

describe('SMSC simulator', () => {
  let sim: SmscSimulator;
  afterEach(async () => {
    await sim?.close();
  });

  it('refuses submit_sm before a bind and a second bind on one connection', async () => {
    sim = await startSmscSimulator({ receiptDelayMs: null });
    const { socket, received } = await rawClient(sim.port);
    socket.write(Buffer.concat([encodePdu(submitSm(1)), bind(2), bind(3), encodePdu(submitSm(4))]));
    await waitFor(() => received.length === 4, 'four answers', 3_000);
    expect(received.map((p) => [p.command, p.sequence, p.status])).toEqual([
      ['submit_sm_resp', 1, CommandStatus.ESME_RINVBNDSTS],
      ['bind_transceiver_resp', 2, 0],
      ['bind_transceiver_resp', 3, CommandStatus.ESME_RALYBND],
      ['submit_sm_resp', 4, 0],
    ]);
  });

  it('answers a malformed PDU with its status, and a broken stream with generic_nack and a close', async () => {
    sim = await startSmscSimulator();
    const { socket, received, closed } = await rawClient(sim.port);
    const badValidity = Buffer.from(encodePdu(submitSm(5)));
    // validity_period (offset 42) of one character instead of 0 or 16.
    const withValidity = Buffer.concat([badValidity.subarray(0, 42), Buffer.from('1\0'), badValidity.subarray(43)]);
    withValidity.writeUInt32BE(withValidity.length, 0);
    socket.write(Buffer.concat([bind(1), withValidity]));
    await waitFor(() => received.length === 2, 'two answers', 3_000);
    expect(received[1]).toMatchObject({
      command: 'submit_sm_resp',
      sequence: 5,
      status: CommandStatus.ESME_RINVEXPIRY,
    });
    socket.write(Buffer.from([0, 0, 0, 8, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 6]));
    await waitFor(() => closed(), 'close', 3_000);
    expect(received[2]).toMatchObject({ command: 'generic_nack', status: CommandStatus.ESME_RINVCMDLEN, sequence: 6 });
    expect(sim.stats.malformed).toBe(2);
  });

  it('runs from the command line and prints its URL', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', SIMULATOR, '--port', '0', '--password', 'p%w'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(() => {
      child.kill('SIGKILL');
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('\n')) resolve(out.trim());
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    expect(url).toMatch(/^smpp:\/\/smsgic:p%25w@127\.0\.0\.1:\d+$/);
    const port = Number(new URL(url).port);
    const { socket, received } = await rawClient(port);
    socket.write(bind(1, 'p%w'));
    await waitFor(() => received.length === 1, 'bind answer', 5_000);
    expect(received[0]).toMatchObject({ command: 'bind_transceiver_resp', status: 0, systemId: 'smsc-sim' });
  });
});
