// An account's API tokens: listed, created (the secret shown once) and revoked.
import { ValidationErrors } from '../domain/texts.js';
import type { Db } from '../store/db.js';
import {
  createToken,
  listTokens,
  type RevokeResult,
  revokeToken,
  revokeTokenAsOperator,
  type CreatedToken as StoredToken,
  type TokenInfo,
} from '../store/tokens.js';
import type { Actor, UseCaseContext } from './context.js';
import { type Fields, textField } from './form-fields.js';
import { invalid, notFound, type Outcome, ok } from './outcome.js';

const TOKEN_NAME_CHARS_MAX = 100;

/** A new token: its secret is shown this once, only its hash is kept. */
export interface CreatedToken {
  readonly info: TokenInfo;
  readonly secret: string;
}

/** A new token of an account (named `default` without a name); its secret is in the answer, only its hash is kept. */
export function issueToken(db: Db, accountId: number, options: { readonly name?: string } = {}): Promise<StoredToken> {
  return createToken(db, accountId, options);
}

/** Revokes any token by id, whatever its account: the operator's (`smsgic token revoke`). */
export function revokeAnyToken(db: Db, tokenId: number): Promise<RevokeResult> {
  return revokeTokenAsOperator(db, tokenId);
}

export function createTokenServices({ deps: { db } }: UseCaseContext) {
  return {
    tokens(actor: Actor): Promise<TokenInfo[]> {
      return listTokens(db, actor.account.id);
    },

    async createToken(actor: Actor, fields: Fields): Promise<Outcome<CreatedToken>> {
      const errors = new ValidationErrors();
      const name = textField(fields, 'name', errors, { required: true, max: TOKEN_NAME_CHARS_MAX });
      if (!errors.empty || name === undefined) return invalid(errors);
      const created = await issueToken(db, actor.account.id, { name: name.trim() });
      const info = (await listTokens(db, actor.account.id)).find((t) => t.id === created.id);
      if (!info) throw new Error(`token ${created.id} vanished`);
      return ok({ info, secret: created.token });
    },

    async revokeToken(actor: Actor, tokenId: number): Promise<Outcome<TokenInfo>> {
      const result = await revokeToken(db, actor.account.id, tokenId);
      return result.ok ? ok(result.token) : notFound;
    },
  };
}
