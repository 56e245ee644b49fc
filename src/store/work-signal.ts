// Tells idle dispatch workers that a sending was stored, so a one-time code is leased at once instead of after the
// worker's idle poll: listeners in the same process directly, and on PostgreSQL every other process through
// LISTEN/NOTIFY. A lost signal costs only latency: the worker's poll still finds the work.
import pg from 'pg';
import { type Db, parseDatabaseUrl } from './db.js';

/** The NOTIFY channel (PostgreSQL 15 §NOTIFY: an identifier; payloads are not needed, the lease finds the work). */
export const WORK_CHANNEL = 'smsgic_work';
/** Pause before a broken LISTEN connection is opened again; the poll covers the gap. */
export const LISTEN_RECONNECT_MS = 1_000;

export interface WorkSignal {
  /** Says that work was stored (after its commit). Coalesced: at most one NOTIFY in flight, one more queued. */
  notify(): void;
  /** Calls `wake` whenever work was stored, here or (PostgreSQL) in another process; returns the unsubscribe. */
  subscribe(wake: () => void): () => void;
  close(): Promise<void>;
}

interface Problems {
  warn(fields: object, message: string): void;
}

/**
 * The signal of the database at `url`. `db` sends the NOTIFYs; a dedicated connection LISTENs, opened on the first
 * subscriber (API-only processes never open it), and opened again after it breaks.
 */
export function openWorkSignal(db: Db, url: string | undefined, log?: Problems): WorkSignal {
  const target = parseDatabaseUrl(url);
  const listeners = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of listeners) wake();
  };
  if (target.dialect === 'sqlite') {
    // One process owns a SQLite file's workers: the in-process listeners are all there is.
    return {
      notify: wakeAll,
      subscribe(wake) {
        listeners.add(wake);
        return () => listeners.delete(wake);
      },
      close: async () => listeners.clear(),
    };
  }

  let closed = false;
  let sending = false;
  let again = false;
  const send = () => {
    sending = true;
    again = false;
    db.kysely
      .selectNoFrom((eb) => eb.fn('pg_notify', [eb.val(WORK_CHANNEL), eb.val('')]).as('n'))
      .execute()
      .catch(() => {
        // The database is unreachable: the workers' poll finds the work once it is back.
      })
      .finally(() => {
        sending = false;
        if (again && !closed) send();
      });
  };

  let client: pg.Client | null = null;
  let reconnect: NodeJS.Timeout | null = null;
  let problemLogged = false;
  const listen = () => {
    reconnect = null;
    if (closed || listeners.size === 0) return;
    const connection = new pg.Client({ connectionString: target.connectionString, keepAlive: true });
    client = connection;
    const broken = (error: Error) => {
      if (!problemLogged) log?.warn({ err: error }, 'work signal lost: idle workers poll until it is back');
      problemLogged = true;
      connection.removeAllListeners('notification');
      connection.end().catch(() => {});
      if (client === connection) client = null;
      if (!closed && reconnect === null) reconnect = setTimeout(listen, LISTEN_RECONNECT_MS);
      reconnect?.unref();
    };
    connection.on('error', broken);
    connection.on('notification', wakeAll);
    connection
      .connect()
      .then(() => connection.query(`LISTEN ${WORK_CHANNEL}`))
      .then(() => {
        problemLogged = false;
        // Work stored while the connection was down was not announced: look once.
        wakeAll();
      })
      .catch(broken);
  };

  return {
    notify() {
      if (closed) return;
      wakeAll();
      if (sending) again = true;
      else send();
    },
    subscribe(wake) {
      listeners.add(wake);
      if (client === null && reconnect === null) listen();
      return () => listeners.delete(wake);
    },
    async close() {
      closed = true;
      listeners.clear();
      if (reconnect) clearTimeout(reconnect);
      const open = client;
      client = null;
      await open?.end().catch(() => {});
    },
  };
}
