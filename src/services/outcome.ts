// A use case's answer as a value: what it made, or why the request was refused.
import { ruleText, ValidationErrors } from '../domain/texts.js';

/** Why a request was refused, as a value; HTTP turns each kind into its status code and body. */
export type Refusal =
  | { readonly ok: false; readonly kind: 'invalid'; readonly errors: ValidationErrors }
  | { readonly ok: false; readonly kind: 'not_found' }
  | { readonly ok: false; readonly kind: 'conflict'; readonly message: string }
  | { readonly ok: false; readonly kind: 'throttled'; readonly message: string; readonly retryAfterSeconds: number };

export type Outcome<T> = { readonly ok: true; readonly value: T } | Refusal;

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const invalid = (errors: ValidationErrors): Refusal => ({ ok: false, kind: 'invalid', errors });
export const invalidOne = (field: string, text: string): Refusal => invalid(new ValidationErrors().add(field, text));
export const notFound: Refusal = { ok: false, kind: 'not_found' };
export const conflict = (message: string): Refusal => ({ ok: false, kind: 'conflict', message });
export const tooManyLogins = (seconds: number): Refusal => ({
  ok: false,
  kind: 'throttled',
  message: ruleText.tooManyLogins(seconds),
  retryAfterSeconds: seconds,
});
