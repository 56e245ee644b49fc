// The dispatch worker thread's log lines travel to the process's logger as messages (structured clones): an error keeps
// its message, code and stack and is an error again on arrival, lines below the level are not sent, and a field a
// message cannot carry does not lose the line.
import { MessageChannel } from 'node:worker_threads';
import { afterEach, expect, it } from 'vitest';
import { type FromThread, postedLogger, receivedFields } from '../../src/worker-thread-messages.js';

const channel = new MessageChannel();
afterEach(() => {
  channel.port2.removeAllListeners('message');
});

/** The lines `log` sends through a real message port, as the process receives them. */
async function sent(count: number, write: (log: ReturnType<typeof postedLogger>) => void): Promise<FromThread[]> {
  const received: FromThread[] = [];
  const all = new Promise<void>((resolve) => {
    channel.port2.on('message', (message: FromThread) => {
      received.push(message);
      if (received.length === count) resolve();
    });
  });
  write(postedLogger('info', (message) => channel.port1.postMessage(message)));
  await all;
  channel.port2.unref();
  return received;
}

it('carries an error with its message, code and stack, an error again when logged', async () => {
  const failure = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2775'), { code: 'ECONNREFUSED' });
  const [line] = await sent(1, (log) => log.warn({ provider: 'smpp', err: failure }, 'dispatch round failed'));
  expect(line).toMatchObject({ type: 'log', level: 'warn', message: 'dispatch round failed' });
  if (line?.type !== 'log') throw new Error('not a log line');
  const fields = receivedFields(line.fields) as { provider: string; err: Error & { code?: string } };
  expect(fields.provider).toBe('smpp');
  expect(fields.err).toBeInstanceOf(Error);
  expect(fields.err.message).toBe(failure.message);
  expect(fields.err.code).toBe('ECONNREFUSED');
  expect(fields.err.stack).toBe(failure.stack);
});

it('sends nothing below its level, and a line whose field cannot be cloned as JSON keeps it', async () => {
  const lines = await sent(2, (log) => {
    log.info({ round: 1 }, 'first');
    log.error({ count: 3n, hook: () => {} }, 'second');
  });
  expect(lines.map((line) => (line.type === 'log' ? line.message : line.type))).toEqual(['first', 'second']);
  expect(lines[1]).toMatchObject({ level: 'error', fields: { count: '3' } });
  const quiet: FromThread[] = [];
  const warnOnly = postedLogger('warn', (message) => quiet.push(message));
  warnOnly.info({}, 'not sent');
  warnOnly.warn({}, 'sent');
  expect(quiet.map((line) => (line.type === 'log' ? line.message : line.type))).toEqual(['sent']);
});
