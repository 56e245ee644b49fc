// A TCP proxy in front of a real server (PostgreSQL) that a test can cut and restore: a network outage on demand that
// touches no shared server. It can also cut at a chosen moment of the conversation (when a client sends given bytes).
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/** What a cut does to connections already open, and to new ones while it lasts. */
export interface CutMode {
  /** destroy: both ends see the connection drop (RST/FIN). stall: nothing flows any more, nothing is closed. */
  readonly existing?: 'destroy' | 'stall';
  /** refuse: accepted and closed at once. hang: accepted and never answered (a black hole). */
  readonly incoming?: 'refuse' | 'hang';
}

/** What to do with bytes a client sends: pass them on, cut before them, or pass them on and then cut the client. */
export type Verdict = 'forward' | 'cut-before' | 'cut-after';

/** Bytes a client sends upstream, as latin1 text (pg's protocol carries SQL as plain text). */
export interface Upstream {
  /** Numbers the proxy's connections from 1. */
  readonly connection: number;
  /** The bytes just received. */
  readonly chunk: string;
  /** The chunk and what came just before it on the same connection. */
  readonly recent: string;
  /** Whether `pattern` has just arrived: it ends inside this chunk (a pattern split across packets is seen whole). */
  arrived(pattern: RegExp): boolean;
}

export type Inspector = (upstream: Upstream) => Verdict;

export interface TcpProxy {
  readonly host: string;
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's (a DATABASE_URL through the proxy). */
  via(url: string): string;
  /** Starts an outage; by default existing connections are destroyed and new ones refused. */
  cut(mode?: CutMode): void;
  /** Ends the outage: stalled and hung connections are closed, new ones pass again. */
  restore(): void;
  /** Looks at what clients send upstream; null stops looking. A verdict other than forward cuts that connection only. */
  inspect(inspector: Inspector | null): void;
  /** Connections currently open through the proxy. */
  readonly connections: number;
  close(): Promise<void>;
}

interface Pair {
  readonly id: number;
  readonly client: Socket;
  upstream: Socket | null;
  stalled: boolean;
  recent: string;
}

/** Bytes of the client's stream an inspector sees at once: the new chunk and what came just before it. */
const INSPECT_TAIL_CHARS = 256;

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let cut: Required<CutMode> | null = null;
  let inspector: Inspector | null = null;
  let connections = 0;

  const drop = (pair: Pair) => {
    pair.client.destroy();
    pair.upstream?.destroy();
    pairs.delete(pair);
  };

  /** The application side loses the connection; the server side lives until it has answered what it was sent. */
  const cutAfterForwarding = (pair: Pair) => {
    const upstream = pair.upstream;
    // Detached first, so that the client's close does not take the server side down with it.
    pair.upstream = null;
    pairs.delete(pair);
    pair.client.destroy();
    if (!upstream) return;
    const timer = setTimeout(() => upstream.destroy(), 2_000);
    upstream.once('data', () => {
      clearTimeout(timer);
      upstream.destroy();
    });
  };

  const server: Server = createServer((client) => {
    client.on('error', () => {});
    if (cut?.incoming === 'refuse') {
      client.destroy();
      return;
    }
    const pair: Pair = { id: ++connections, client, upstream: null, stalled: cut?.incoming === 'hang', recent: '' };
    pairs.add(pair);
    client.on('close', () => drop(pair));
    if (pair.stalled) return;

    const upstream = tcpConnect(target);
    pair.upstream = upstream;
    upstream.on('error', () => drop(pair));
    upstream.on('close', () => drop(pair));
    upstream.on('data', (chunk: Buffer) => {
      if (!pair.stalled && pairs.has(pair)) client.write(chunk);
    });
    client.on('data', (chunk: Buffer) => {
      if (pair.stalled || !pairs.has(pair)) return;
      if (inspector) {
        const text = chunk.toString('latin1');
        pair.recent = (pair.recent + text).slice(-(text.length + INSPECT_TAIL_CHARS));
        const recent = pair.recent;
        const arrived = (pattern: RegExp) => {
          const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
          for (const match of recent.matchAll(global)) {
            if (match.index + match[0].length > recent.length - text.length) return true;
          }
          return false;
        };
        const verdict = inspector({ connection: pair.id, chunk: text, recent, arrived });
        if (verdict === 'cut-before') {
          drop(pair);
          return;
        }
        if (verdict === 'cut-after') {
          upstream.write(chunk, () => cutAfterForwarding(pair));
          return;
        }
      }
      upstream.write(chunk);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
  const port = address.port;

  return {
    host: '127.0.0.1',
    port,
    via(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    cut(mode = {}) {
      cut = { existing: mode.existing ?? 'destroy', incoming: mode.incoming ?? 'refuse' };
      for (const pair of [...pairs]) {
        if (cut.existing === 'destroy') drop(pair);
        else pair.stalled = true;
      }
    },
    restore() {
      cut = null;
      // A stalled conversation cannot be resumed: its client has given up on it (or will, on its timeout).
      for (const pair of [...pairs]) if (pair.stalled) drop(pair);
    },
    inspect(next) {
      inspector = next;
    },
    get connections() {
      return pairs.size;
    },
    async close() {
      for (const pair of [...pairs]) drop(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
