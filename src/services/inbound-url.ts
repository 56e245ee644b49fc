// The account's inbound_url: where each received message is POSTed, signed and retried as status callbacks are. The
// same rules for the customer (dashboard Settings) and the operator (CLI).
import { ruleText, ValidationErrors } from '../domain/texts.js';
import { getInboundUrl, setInboundUrl } from '../store/accounts.js';
import type { Db } from '../store/db.js';
import type { Actor, UseCaseContext } from './context.js';
import { invalid, notFound, type Outcome, ok } from './outcome.js';
import { CALLBACK_URL_INTERNAL_TEXT, callbackUrlFieldProblem } from './sending-fields.js';

export interface InboundUrl {
  /** null: received messages are not POSTed anywhere. */
  readonly url: string | null;
}

/** The account's inbound_url; notFound for an account that does not exist. */
export async function readInboundUrl(db: Db, accountId: number): Promise<Outcome<InboundUrl>> {
  const url = await getInboundUrl(db, accountId);
  return url === undefined ? notFound : ok({ url });
}

/**
 * Sets the account's inbound_url, checked as a sending's callback_url is (a public http(s) URL unless private ones are
 * allowed); blank or null clears it.
 */
export async function changeInboundUrl(
  db: Db,
  accountId: number,
  raw: unknown,
  allowPrivate: boolean,
): Promise<Outcome<InboundUrl>> {
  const blank = raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '');
  if (!blank) {
    const problem = callbackUrlFieldProblem(raw, allowPrivate);
    if (problem !== null) {
      const text = problem === 'internal_address' ? CALLBACK_URL_INTERNAL_TEXT : ruleText.url('inbound_url');
      return invalid(new ValidationErrors().add('inbound_url', text));
    }
  }
  const url = blank ? null : (raw as string);
  return (await setInboundUrl(db, accountId, url)) ? ok({ url }) : notFound;
}

/** The signed-in account's own inbound_url only: the actor names the account, no request field does. */
export function createInboundUrlServices({ deps }: UseCaseContext) {
  return {
    inboundUrl: (actor: Actor) => readInboundUrl(deps.db, actor.account.id),
    changeInboundUrl: (actor: Actor, fields: Record<string, unknown>) =>
      changeInboundUrl(deps.db, actor.account.id, fields.inbound_url, deps.allowPrivateCallbacks === true),
  };
}
