// The numbers accounts receive on, as the operator assigns them and the API lists them.
import { isKeyword, receivingNumberOf } from '../domain/inbound.js';
import { getInboundUrl } from '../store/accounts.js';
import type { Db } from '../store/db.js';
import {
  type AssignedNumber,
  type AssignResult,
  assignNumber,
  listAccountNumbers,
  listAllNumbers,
  unassignNumber,
} from '../store/numbers.js';

export type { AssignedNumber, AssignResult } from '../store/numbers.js';
export { isKeyword, receivingNumberOf };

export interface NumberServices {
  /** Gives a number, or a keyword of a shared short code, to the account (at most one account has each). */
  assign(accountId: number, number: string, keyword: string | null): Promise<AssignResult>;
  /** Takes it back; null when nobody had it. */
  unassign(number: string, keyword: string | null): Promise<AssignedNumber | null>;
  /** The account's numbers, or every assigned number when no account is given. */
  list(accountId?: number): Promise<AssignedNumber[]>;
  /** Where the account's received messages are POSTed (its inbound_url); null: nowhere. */
  inboundUrl(accountId: number): Promise<string | null>;
}

export function createNumberServices(db: Db): NumberServices {
  return {
    assign: (accountId, number, keyword) => assignNumber(db, accountId, number, keyword),
    unassign: (number, keyword) => unassignNumber(db, number, keyword),
    list: (accountId) => (accountId === undefined ? listAllNumbers(db) : listAccountNumbers(db, accountId)),
    inboundUrl: async (accountId) => (await getInboundUrl(db, accountId)) ?? null,
  };
}
