// Rate cards kept in memory, checked against the database on every use so that a rewrite of a price list by any
// process (the CLI, the dashboard's operator page, another server) is priced from the very next request on.
//
// Each use reads which list prices the account and that list's version (one small statement, `rateListVersion`, or
// given as a read of a sending's other facts found it); the card is rebuilt only when that (list, version) is not the
// one held. Each default list (one per currency) has one card shared by every account of its currency without a list
// of its own; accounts with their own lists have one card each, the least recently used dropped past a bound. Cards
// are frozen and shared between requests: nothing may change one.
import { createRateCard, type RateCard, type RateRow } from '../domain/pricing.js';
import type { Db } from '../store/db.js';
import { type RateListRef, type RateListVersion, rateListAt, rateListVersion, rateRows } from '../store/rates.js';

/** Accounts whose own lists are held at most (a card of 331 rows takes about 22 KiB); the default lists' cards besides. */
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
  /**
   * The card pricing the account's sendings now: its own list when it has one, else the default list of its currency;
   * null when its currency has no list (the account cannot be priced).
   */
  forAccount(accountId: number, versionRead?: VersionRead): Promise<RateCard | null>;
  /** What this cache has done since it was made, for tests and metrics. */
  counters(): RateCardCounters;
  /** Accounts whose own list's card is held. */
  readonly ownListsHeld: number;
}

/**
 * Which list prices the account and its version, as a read of the request already found it (`rateListVersion`, or
 * with the sending's other facts): the first check uses it instead of reading it again.
 */
export interface VersionRead {
  readonly list: RateListVersion | null;
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
  /** Default lists by currency: a handful, never dropped. */
  const defaultLists = new Map<string, Held>();
  /** Own lists by account id, least recently used first (a Map keeps insertion order). */
  const ownLists = new Map<number, Held>();
  /** Loads under way by `owner:currency:version read`: concurrent misses of one list share one read. */
  const loading = new Map<string, Promise<Held>>();
  let checks = 0;
  let hits = 0;
  let loads = 0;

  function remember(list: RateListRef, held: Held): void {
    if (list.owner === 0) {
      defaultLists.set(list.currency, held);
      return;
    }
    ownLists.delete(list.owner);
    ownLists.set(list.owner, held);
    if (ownLists.size > maxAccounts) {
      const oldest = ownLists.keys().next();
      if (!oldest.done) ownLists.delete(oldest.value);
    }
  }

  function load(list: RateListRef, versionRead: number): Promise<Held> {
    const key = `${list.owner}:${list.currency}:${versionRead}`;
    const pending = loading.get(key);
    if (pending) return pending;
    const started = (async () => {
      const read = await rateListAt(db, list);
      loads++;
      const held: Held = { version: read.version, card: frozenCard(read.rows) };
      // A list found empty no longer prices its accounts: nothing worth holding.
      if (read.rows.length > 0) remember(list, held);
      return held;
    })().finally(() => loading.delete(key));
    loading.set(key, started);
    return started;
  }

  return {
    async forAccount(accountId, versionRead) {
      for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
        const list =
          attempt === 0 && versionRead !== undefined ? versionRead.list : await rateListVersion(db, accountId);
        checks++;
        if (list === null || list.owner === 0) ownLists.delete(accountId);
        if (list === null) return null;
        const held = list.owner === 0 ? defaultLists.get(list.currency) : ownLists.get(list.owner);
        if (held !== undefined && held.version === list.version) {
          hits++;
          if (list.owner !== 0) remember(list, held);
          return held.card;
        }
        const loaded = await load(list, list.version);
        // The same version as read: the list still prices the account (a rewrite, even one emptying a list, would
        // have changed it). Otherwise it was rewritten in between: read again which list applies.
        if (loaded.version === list.version) return loaded.card;
      }
      // Rewritten under every attempt: one statement decides the list and reads it, as without the cache.
      const rows = await rateRows(db, accountId);
      return rows.length > 0 ? frozenCard(rows) : null;
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
