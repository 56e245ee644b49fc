// Rate cards kept in memory, checked against the database on every use so that a rewrite of a price list by any
// process (the CLI, the dashboard's operator page, another server) is priced from the very next request on.
//
// Each use reads which list prices the account and that list's version (one small statement, `rateListVersion`); the
// card is rebuilt only when that (list, version) is not the one held. The platform default list has one card shared
// by every account without a list of its own; accounts with their own lists have one card each, the least recently
// used dropped past a bound. Cards are frozen and shared between requests: nothing may change one.
import { createRateCard, type RateCard, type RateRow } from '../domain/pricing.js';
import type { Db } from '../store/db.js';
import { rateListAt, rateListVersion, rateRows } from '../store/rates.js';

/** Accounts whose own lists are held at most (a card of 331 rows takes about 22 KiB); the default list's card besides. */
export const RATE_CARDS_MAX_ACCOUNTS = 2_000;

/** Version reads a request makes at most when its list is rewritten between its version read and its rows read. */
const READ_ATTEMPTS = 3;

export interface RateCardCounters {
  /** Version reads: one per card asked for (more when a list changed during the request). */
  readonly checks: number;
  /** Cards served from memory, the version read being the one held. */
  readonly hits: number;
  /** Price lists read from the database and built into a card. */
  readonly loads: number;
}

export interface RateCards {
  /** The card pricing the account's sendings now: its own list when it has one, else the platform default. */
  forAccount(accountId: number): Promise<RateCard>;
  /** What this cache has done since it was made, for tests and metrics. */
  counters(): RateCardCounters;
  /** Accounts whose own list's card is held. */
  readonly ownListsHeld: number;
}

export interface RateCardsOptions {
  readonly maxAccounts?: number;
}

interface Held {
  readonly version: number;
  readonly card: RateCard;
}

function frozenCard(rows: readonly RateRow[]): RateCard {
  return Object.freeze(createRateCard(rows));
}

export function createRateCards(db: Db, options: RateCardsOptions = {}): RateCards {
  const maxAccounts = options.maxAccounts ?? RATE_CARDS_MAX_ACCOUNTS;
  if (!Number.isSafeInteger(maxAccounts) || maxAccounts < 1) throw new RangeError('maxAccounts must be at least 1');
  let defaultList: Held | undefined;
  /** Own lists by account id, least recently used first (a Map keeps insertion order). */
  const ownLists = new Map<number, Held>();
  /** Loads under way by `owner:version read`: concurrent misses of one list share one read. */
  const loading = new Map<string, Promise<Held>>();
  let checks = 0;
  let hits = 0;
  let loads = 0;

  function remember(owner: number, held: Held): void {
    if (owner === 0) {
      defaultList = held;
      return;
    }
    ownLists.delete(owner);
    ownLists.set(owner, held);
    if (ownLists.size > maxAccounts) {
      const oldest = ownLists.keys().next();
      if (!oldest.done) ownLists.delete(oldest.value);
    }
  }

  function load(owner: number, versionRead: number): Promise<Held> {
    const key = `${owner}:${versionRead}`;
    const pending = loading.get(key);
    if (pending) return pending;
    const started = (async () => {
      const list = await rateListAt(db, owner);
      loads++;
      const held: Held = { version: list.version, card: frozenCard(list.rows) };
      // An own list found empty no longer prices its account (the default does): nothing worth holding.
      if (owner === 0 || list.rows.length > 0) remember(owner, held);
      return held;
    })().finally(() => loading.delete(key));
    loading.set(key, started);
    return started;
  }

  return {
    async forAccount(accountId) {
      for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
        const { owner, version } = await rateListVersion(db, accountId);
        checks++;
        if (owner === 0) ownLists.delete(accountId);
        const held = owner === 0 ? defaultList : ownLists.get(owner);
        if (held !== undefined && held.version === version) {
          hits++;
          if (owner !== 0) remember(owner, held);
          return held.card;
        }
        const loaded = await load(owner, version);
        // The same version as read: the list still prices the account (a rewrite, even one emptying an own list,
        // would have changed it). Otherwise it was rewritten in between: read again which list applies.
        if (loaded.version === version) return loaded.card;
      }
      // Rewritten under every attempt: one statement decides the list and reads it, as without the cache.
      return frozenCard(await rateRows(db, accountId));
    },

    counters: () => ({ checks, hits, loads }),

    get ownListsHeld() {
      return ownLists.size;
    },
  };
}

const perDatabase = new WeakMap<Db, RateCards>();

/** The process's rate cards for `db`, shared by every service that prices over that handle. */
export function rateCardsOf(db: Db): RateCards {
  let cards = perDatabase.get(db);
  if (!cards) {
    cards = createRateCards(db);
    perDatabase.set(db, cards);
  }
  return cards;
}
