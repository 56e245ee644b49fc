// An account's API tokens: listed, created (the secret shown once) and revoked.
import type { CreatedTokenView, TokenView } from '../dashboard/contract.js';
import { ValidationErrors } from '../domain/texts.js';
import { createToken, listTokens, revokeToken } from '../store/tokens.js';
import type { Actor, UseCaseContext } from './context.js';
import { createdTokenView, tokenView } from './dashboard-views.js';
import { type Fields, textField } from './form-fields.js';
import { invalid, notFound, type Outcome, ok } from './outcome.js';

const TOKEN_NAME_CHARS_MAX = 100;

export function createTokenServices({ deps: { db } }: UseCaseContext) {
  return {
    async tokens(actor: Actor): Promise<TokenView[]> {
      return (await listTokens(db, actor.account.id)).map(tokenView);
    },

    async createToken(actor: Actor, fields: Fields): Promise<Outcome<CreatedTokenView>> {
      const errors = new ValidationErrors();
      const name = textField(fields, 'name', errors, { required: true, max: TOKEN_NAME_CHARS_MAX });
      if (!errors.empty || name === undefined) return invalid(errors);
      const created = await createToken(db, actor.account.id, { name: name.trim() });
      const info = (await listTokens(db, actor.account.id)).find((t) => t.id === created.id);
      if (!info) throw new Error(`token ${created.id} vanished`);
      return ok(createdTokenView(info, created.token));
    },

    async revokeToken(actor: Actor, tokenId: number): Promise<Outcome<TokenView>> {
      const result = await revokeToken(db, actor.account.id, tokenId);
      return result.ok ? ok(tokenView(result.token)) : notFound;
    },
  };
}
