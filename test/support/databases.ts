// Runs a suite once per database engine (SQLite in a temporary file, PostgreSQL in a fresh database) and probes Redis.
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createDb, type Db, type DbOptions, type DialectName } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrations/migrate.js';
import {
  POSTGRES_ADMIN_URL,
  PROBE_TIMEOUT_MS,
  probePostgres,
  type ScratchDatabase,
  scratchDatabase,
} from './scratch-db.js';

export { POSTGRES_ADMIN_URL };
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const underCi = ['true', '1'].includes((process.env.CI ?? '').toLowerCase());

export interface Engine {
  readonly name: DialectName;
  /** DATABASE_URL of the suite's own database. */
  readonly url: string;
  /** The suite's database, migrated, open from beforeAll to afterAll. */
  readonly db: Db;
  /** Another connection (a pool on PostgreSQL) to the same database, closed after the suite. */
  open(options?: DbOptions): Promise<Db>;
}

export interface EngineSuiteOptions {
  /** Leave the database empty (no migrations) for tests of the migrations themselves. */
  readonly migrate?: boolean;
  readonly dbOptions?: DbOptions;
}

const postgresProblem = await probePostgres();
let noticePrinted = false;

function engineSuite(name: DialectName, title: string, body: (engine: Engine) => void, options: EngineSuiteOptions) {
  describe(`${title} [${name}]`, () => {
    let scratch: ScratchDatabase | undefined;
    let main: Db | undefined;
    const extra: Db[] = [];
    const engine: Engine = {
      name,
      get url() {
        if (!scratch) throw new Error('the database is created in beforeAll');
        return scratch.url;
      },
      get db() {
        if (!main) throw new Error('the database is opened in beforeAll');
        return main;
      },
      async open(dbOptions) {
        const db = await createDb(engine.url, dbOptions ?? options.dbOptions);
        extra.push(db);
        return db;
      },
    };
    beforeAll(async () => {
      scratch = await scratchDatabase(name);
      main = await createDb(scratch.url, options.dbOptions);
      if (options.migrate !== false) await migrate(main);
    });
    afterAll(async () => {
      for (const db of extra) await db.close();
      await main?.close();
      await scratch?.dispose();
    });
    body(engine);
  });
}

/** What a skipped suite's body is declared with: its tests never run, so nothing of it is ever read. */
const unreachableEngine: Engine = {
  name: 'postgres',
  get url(): string {
    throw new Error('PostgreSQL is unreachable');
  },
  get db(): Db {
    throw new Error('PostgreSQL is unreachable');
  },
  open: () => Promise.reject(new Error('PostgreSQL is unreachable')),
};

/**
 * Declares `body` once per engine. Without a reachable PostgreSQL its half is skipped with a notice, except under
 * CI=true, where it becomes one failing test: the suite must not pass quietly on SQLite alone.
 */
export function describeEachEngine(title: string, body: (engine: Engine) => void, options: EngineSuiteOptions = {}) {
  engineSuite('sqlite', title, body, options);
  if (postgresProblem === null) {
    engineSuite('postgres', title, body, options);
    return;
  }
  if (underCi) {
    describe(`${title} [postgres]`, () => {
      it('PostgreSQL is required under CI', () => {
        throw new Error(`PostgreSQL is required under CI but ${POSTGRES_ADMIN_URL} is unreachable: ${postgresProblem}`);
      });
    });
    return;
  }
  if (!noticePrinted) {
    noticePrinted = true;
    console.warn(
      `PostgreSQL is unreachable at ${POSTGRES_ADMIN_URL} (${postgresProblem}): its store tests are skipped. ` +
        'Start it with scripts/services.sh; under CI=true this is a failure.',
    );
  }
  describe.skip(`${title} [postgres]`, () => body(unreachableEngine));
}

/** Whether a Redis server answers PING at `url` (TEST_REDIS_URL, by default redis://127.0.0.1:6379). */
export function redisAvailable(url: string = REDIS_URL): Promise<boolean> {
  const target = new URL(url);
  const commands: string[] = [];
  if (target.password) {
    const user = decodeURIComponent(target.username);
    commands.push(`AUTH ${user ? `${user} ` : ''}${decodeURIComponent(target.password)}\r\n`);
  }
  commands.push('PING\r\n');
  return new Promise((resolve) => {
    let answer = '';
    const socket = createConnection({ host: target.hostname, port: Number(target.port || 6379) });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write(commands.join('')));
    socket.on('data', (data) => {
      answer += data.toString('utf8');
      const replies = answer.split('\r\n').slice(0, -1);
      // Up only if every command (AUTH included) succeeded: a client with this URL would fail otherwise.
      if (replies.length < commands.length) return;
      done(replies.every((r) => r.startsWith('+')) && replies.at(-1) === '+PONG');
    });
  });
}

const redisUp = await redisAvailable();

/** Declares `body` when Redis answers; otherwise skipped with a notice, or one failing test under CI=true. */
export function describeWithRedis(title: string, body: (redisUrl: string) => void) {
  if (redisUp) {
    describe(title, () => body(REDIS_URL));
    return;
  }
  if (underCi) {
    describe(title, () => {
      it('Redis is required under CI', () => {
        throw new Error(`Redis is required under CI but ${REDIS_URL} does not answer PING`);
      });
    });
    return;
  }
  console.warn(`Redis does not answer at ${REDIS_URL}: "${title}" is skipped. Start it with scripts/services.sh.`);
  describe.skip(title, () => body(REDIS_URL));
}
