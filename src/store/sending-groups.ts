// Group commit of small sendings: concurrent creates in one process share one transaction, each in its own savepoint.
import { sql } from 'kysely';
import type { Db } from './db.js';
import {
  type CreateSendingResult,
  checkNewSending,
  createSending,
  forgetExpiredKey,
  type NewSending,
  storeSending,
  winnerOfKeyRace,
} from './sendings.js';

/** Sendings of at most this many recipients are grouped; larger ones keep their own transaction (and its yields). */
export const GROUPED_RECIPIENTS_MAX = 100;
/** Creates committed by one transaction at most. */
export const GROUP_CREATES_MAX = 256;
/**
 * Group transactions in flight at once: SQLite has one connection (one at a time anyway); on PostgreSQL a few, so a
 * group's round trips overlap with another's commit, and groups of different accounts do not wait on each other.
 */
const GROUPS_IN_FLIGHT = { sqlite: 1, postgres: 4 } as const;

interface Waiting {
  readonly input: NewSending;
  readonly resolve: (result: CreateSendingResult) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly result: CreateSendingResult } | { readonly error: unknown };

class Grouper {
  readonly #db: Db;
  readonly #inFlightMax: number;
  #queue: Waiting[] = [];
  #inFlight = 0;

  constructor(db: Db) {
    this.#db = db;
    this.#inFlightMax = GROUPS_IN_FLIGHT[db.dialect];
  }

  add(input: NewSending): Promise<CreateSendingResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#inFlight < this.#inFlightMax && this.#queue.length > 0) {
      const group = this.#queue.slice(0, GROUP_CREATES_MAX);
      this.#queue = this.#queue.slice(group.length);
      this.#inFlight++;
      void this.#commit(group).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  async #commit(group: readonly Waiting[]): Promise<void> {
    const db = this.#db;
    let outcomes: Outcome[];
    try {
      // Rerun whole on a deadlock or serialization failure (db.transaction): outcomes are those of the last run.
      outcomes = await db.transaction(async (trx) => {
        const nowUs = db.nowUs();
        // Lock order (db.ts): sendings rows (an expired key's old sending) before accounts rows, by ascending id.
        for (const { input } of group) {
          const key = input.idempotency?.key;
          if (key !== undefined) await forgetExpiredKey(trx, nowUs, input.accountId, key);
        }
        if (db.dialect === 'postgres') {
          const ids = [...new Set(group.map((w) => w.input.accountId))].sort((a, b) => a - b);
          await sql`select id from accounts where id = any(${ids}::int8[]) order by id for no key update`.execute(trx);
        }
        const done: Outcome[] = [];
        for (const { input } of group) {
          // Each create is all or nothing on its own: a refusal or an error rolls back to its savepoint only.
          await sql`savepoint sending_create`.execute(trx);
          try {
            const result = await storeSending(trx, db.dialect, nowUs, input, false);
            if (!result.ok) await sql`rollback to savepoint sending_create`.execute(trx);
            done.push({ result });
          } catch (error) {
            await sql`rollback to savepoint sending_create`.execute(trx);
            done.push({ error });
          }
          await sql`release savepoint sending_create`.execute(trx);
        }
        return done;
      });
    } catch (error) {
      for (const waiting of group) waiting.reject(error);
      return;
    }
    for (let i = 0; i < group.length; i++) {
      const waiting = group[i] as Waiting;
      const outcome = outcomes[i] as Outcome;
      if ('result' in outcome) {
        waiting.resolve(outcome.result);
        continue;
      }
      // Another process's request with the same new key committed first (PostgreSQL): this one answers with it.
      winnerOfKeyRace(db, waiting.input, outcome.error).then(
        (first) => (first ? waiting.resolve(first) : waiting.reject(outcome.error)),
        () => waiting.reject(outcome.error),
      );
    }
  }
}

const groupers = new WeakMap<Db, Grouper>();

/**
 * `createSending` with the same answers, for many concurrent requests at the cost of few transactions: a small
 * sending joins the group that commits next (the first to arrive starts one at once; those arriving while groups are
 * in flight wait for the next), validated and priced before, by the caller. In the group's transaction the accounts
 * are locked in ascending id order (PostgreSQL), then each create runs in a savepoint in arrival order — the key looked
 * up under the lock, the balance checked and reserved — so one refused (insufficient balance, key already used) or
 * failing rolls back alone, and the others commit together. A large sending keeps a transaction of its own.
 */
export function createSendingGrouped(db: Db, input: NewSending): Promise<CreateSendingResult> {
  if (input.recipients > GROUPED_RECIPIENTS_MAX) return createSending(db, input);
  checkNewSending(input);
  let grouper = groupers.get(db);
  if (!grouper) {
    grouper = new Grouper(db);
    groupers.set(db, grouper);
  }
  // Read into an array once: a rerun of the group (a deadlock) reads the rows again.
  const messages = Symbol.iterator in input.messages ? [...input.messages] : input.messages;
  return grouper.add({ ...input, messages });
}
