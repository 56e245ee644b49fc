// Starts worker-process.ts children and follows the JSON lines they print (crash test, dispatch benchmark).
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

export interface WorkerEvent {
  readonly event: string;
  readonly workerId: string;
  readonly [field: string]: unknown;
}

export interface WorkerChild {
  readonly child: ChildProcess;
  readonly events: WorkerEvent[];
  /** Resolves with the first event of that name (rejects if the process ends first). */
  waitFor(event: string, timeoutMs?: number): Promise<WorkerEvent>;
  /** SIGTERM, then the `stopped` event. */
  stop(): Promise<WorkerEvent>;
  readonly exited: Promise<number | null>;
}

export function spawnWorker(url: string, workerId: string, args: readonly string[] = []): WorkerChild {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, url, workerId, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: WorkerEvent[] = [];
  const waiters: { event: string; resolve: (e: WorkerEvent) => void }[] = [];
  let stderr = '';
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      const event = JSON.parse(line) as WorkerEvent;
      events.push(event);
      for (const waiter of waiters.filter((w) => w.event === event.event)) waiter.resolve(event);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (event: string, timeoutMs = 30_000) => {
    const seen = events.find((e) => e.event === event);
    if (seen) return Promise.resolve(seen);
    return new Promise<WorkerEvent>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${workerId}: no ${event} within ${timeoutMs} ms. ${stderr}`)),
        timeoutMs,
      );
      waiters.push({
        event,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${workerId} exited (${code}) before ${event}. ${stderr}`));
      });
    });
  };
  return {
    child,
    events,
    waitFor,
    exited,
    stop() {
      const stopped = waitFor('stopped');
      child.kill('SIGTERM');
      return stopped;
    },
  };
}
