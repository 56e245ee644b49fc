// The catalogue of every text a client can see: the published page's word-for-word texts and Laravel-style rule texts.

export const TEXTS = Object.freeze({
  messageRequired: 'Please send `message` post parameter with text for SMS',
  recipientsRequired: 'Please send `recipients` post parameter with recipient`s number',
  senderRequired: 'Please send `sender` post parameter with name of SMS sender',
  givenDataInvalid: 'The given data was invalid.',
  insufficientBalance: 'Insufficient balance.',
  operatorAccountNotSuspendable: 'The account platform operators sign in to cannot be suspended.',
  unauthenticated: 'Unauthenticated.',
  notFound: 'Not found.',
  tooManyAttempts: 'Too Many Attempts.',
  serverError: 'Server Error',
  malformedJson: 'Malformed JSON in request body.',
  malformedBody: 'Malformed request body.',
  payloadTooLarge: 'The request body is too large.',
  sendingCreated: 'SMS champing created',
  // The dashboard's own answers.
  csrfMismatch: 'CSRF token mismatch.',
  accountSuspended: 'Account suspended.',
  accountSuspendedExplained:
    'This account is suspended: sending and API access are paused. Contact support to reinstate it.',
  unavailableWhileSuspended: 'Not available while this account is suspended.',
  forbidden: 'Forbidden.',
  badCredentials: 'These credentials do not match our records.',
  passwordIncorrect: 'The password is incorrect.',
  draftChanged: 'The draft was changed meanwhile; send it again.',
  schedulePast: 'The schedule is in the past: choose a later date and time, or send at once.',
  allRecipientsSuppressed: 'Every recipient has opted out of messages from this account; nothing was sent.',
  invitationNotOpen:
    'This invitation link no longer works: it was used, replaced by a newer one, or has expired. Ask for a new one.',
  operatorAccountInvitation:
    'Operators are not invited to the operator account: add one with `smsgic admin create --email E`.',
  dashboardNotBuilt: 'The dashboard is not built: run the web build (it writes dist/web), then reload this page.',
});

/** Quiet hours and validity of a sending (`send_window`, `validity_minutes`). */
export const windowTexts = Object.freeze({
  sendWindowFormat:
    'The send window field must be a daily window of local time written HH:MM-HH:MM (24-hour), e.g. 08:00-20:00; ' +
    'start and end must differ.',
  /** The error of a message whose validity ended before any provider took it (status `expired`, refunded). */
  expiredBeforeHandOver: 'The validity period ended before the message could be handed over; it was not sent.',
});

/** Why a recipient was left out of a sending, by who suppressed the number (domain/opt-out.ts). */
export const SUPPRESSION_REASONS = Object.freeze({
  api: "The number is on the account's suppression list (added through the API).",
  dashboard: "The number is on the account's suppression list (added in the dashboard).",
  operator: "The number is on the account's suppression list (added by the platform operator).",
  stop_message: 'The recipient opted out by replying STOP.',
});

/** Added to the reason when the entry that matched applies to sendings from one sender only. */
export const SUPPRESSION_SENDER_REASON = (sender: string): string => `It applies to sendings from ${sender}.`;

/** Where a number of the opt-out list came from, in words (the dashboard's list). */
export const SUPPRESSION_SOURCE_LABELS = Object.freeze({
  api: 'Added through the API',
  dashboard: 'Added in the dashboard',
  operator: 'Added by the platform operator',
  stop_message: 'Replied STOP',
});

/** The dashboard's opt-out list: what its forms and import say when refused. */
export const optOutText = Object.freeze({
  notANumber: (text: string) => `“${text}” is not a phone number: write it with the country code, 8 to 20 digits.`,
  csvNotANumber: (line: number, text: string) =>
    `Line ${line}: “${text}” is not a phone number (8 to 20 digits with the country code).`,
  csvMoreBadRows: (count: number) => `…and ${count} more rows that are not phone numbers; nothing was imported.`,
  csvNothingImported: 'Nothing was imported: correct these rows and import the file again.',
  csvEmpty: 'The file holds no phone numbers.',
  csvTooMany: (max: number) => `A file may hold at most ${max.toLocaleString('en')} numbers; nothing was imported.`,
  tooManyNumbers: (max: number) => `At most ${max.toLocaleString('en')} numbers at a time.`,
  senderFormat: (max: number) => `A sender is 1 to ${max} characters: a sender name, or a number.`,
  csvBadSender: (line: number, text: string) =>
    `Line ${line}: “${text}” is not a sender (a sender name or a number, at most 20 characters).`,
});

/** An account's own stop and start words: why a list of them was refused. */
export const optOutWordText = Object.freeze({
  notText: (field: string) => `Each of the ${attributeName(field)} must be text.`,
  format: (word: string, max: number) => `“${word}” is not one word of 1 to ${max} letters or digits.`,
  duplicate: (word: string) => `“${word}” is given more than once.`,
  both: (word: string) => `“${word}” cannot be both a stop word and a start word.`,
  builtIn: (word: string, intent: string) => `“${word}” is already a built-in ${intent.toUpperCase()} keyword.`,
  tooMany: (max: number) => `An account may have at most ${max} stop and start words together.`,
});

/** Laravel shows a field name with underscores as spaces: `scheduled_at` → "scheduled at"; `recipients.3` stays. */
export function attributeName(field: string): string {
  return field.replaceAll('_', ' ');
}

export const ruleText = Object.freeze({
  required: (field: string) => `The ${attributeName(field)} field is required.`,
  requiredWith: (field: string, other: string) =>
    `The ${attributeName(field)} field is required when ${attributeName(other)} is present.`,
  formatInvalid: (field: string) => `The ${attributeName(field)} field format is invalid.`,
  selectedInvalid: (field: string) => `The selected ${attributeName(field)} is invalid.`,
  dateFormat: (field: string, format: string) => `The ${attributeName(field)} field must match the format ${format}.`,
  dateBefore: (field: string, date: string) => `The ${attributeName(field)} field must be a date before ${date}.`,
  dateBeforeOrEqual: (field: string, date: string) =>
    `The ${attributeName(field)} field must be a date before or equal to ${date}.`,
  rangeDaysMax: (max: number) => `The period must not be longer than ${max} days.`,
  string: (field: string) => `The ${attributeName(field)} field must be a string.`,
  array: (field: string) => `The ${attributeName(field)} field must be an array.`,
  integer: (field: string) => `The ${attributeName(field)} field must be an integer.`,
  minNumber: (field: string, min: number) => `The ${attributeName(field)} field must be at least ${min}.`,
  maxNumber: (field: string, max: number) => `The ${attributeName(field)} field must not be greater than ${max}.`,
  maxChars: (field: string, max: number) =>
    `The ${attributeName(field)} field must not be greater than ${max} characters.`,
  maxParts: (field: string, max: number) =>
    `The ${attributeName(field)} field must not be longer than ${max} SMS parts.`,
  url: (field: string) => `The ${attributeName(field)} field must be a valid URL.`,
  notConfigured: (field: string) => `The selected ${attributeName(field)} is not available on this platform.`,
  idempotencyReused: () => 'The Idempotency-Key was already used with a different request.',
  notCancellable: (status: string) => `Only a Pending sending can be cancelled; this sending is ${status}.`,
  wellFormed: (field: string) => `The ${attributeName(field)} field must be valid Unicode text.`,
  noAvailableRate: (field: string) => `The ${attributeName(field)} has no available rate.`,
  /** A recipient whose route's rule refuses to send at a loss: every provider of it costs more than the rate. */
  noRouteAtRate: (field: string) =>
    `The ${attributeName(field)} cannot be sent: no route to its destination is available at its rate.`,
  countryNotAllowed: (field: string, country: string) =>
    `The ${attributeName(field)} is in ${country}, where this account does not send.`,
  countryList: (field: string) =>
    `The ${attributeName(field)} field must be "all" or a list of ISO 3166 country codes.`,
  notCountryCodes: (codes: readonly string[]) => `Not a country code: ${codes.join(', ')}.`,
  countriesNotAllowed: (codes: readonly string[]) =>
    `This account may not send to ${codes.join(', ')}: ask support to allow it.`,
  spendLimitAmount: (field: string) =>
    `The ${attributeName(field)} field must be an amount of 0 or more (as 25.50), or empty for no limit.`,
  spendLimit: (period: 'daily' | 'monthly', limit: string, spent: string, total: string) =>
    `This sending (${total}) would pass the account's ${period} spend limit of ${limit}: ${spent} is spent already.`,
  priceListCurrency: (list: string, account: string) =>
    `The price list is in ${list} but the account is in ${account}: an account is priced only in its own currency; nothing was imported.`,
  noPriceList: (currency: string) =>
    `There is no price list in ${currency}, the currency of this account, so nothing can be priced or sent.`,
  notFoundModel: (id: string | number) => `No query results for model ${id}`,
  /** Beside a recipient's 422 (in `hints`, never in place of its error) when normalising would make it a number. */
  recipientHint: (digits: string) => `send ${digits}: digits only, with the country code`,
  minChars: (field: string, min: number) => `The ${attributeName(field)} field must be at least ${min} characters.`,
  email: (field: string) => `The ${attributeName(field)} field must be a valid email address.`,
  taken: (field: string) => `The ${attributeName(field)} has already been taken.`,
  boolean: (field: string) => `The ${attributeName(field)} field must be true or false.`,
  percentage: (field: string) => `The ${attributeName(field)} field must be a percentage from 0 to 100.`,
  positive: (field: string) => `The ${attributeName(field)} field must be greater than 0.`,
  notZero: (field: string) => `The ${attributeName(field)} field must not be zero.`,
  receivingNumber: (field: string) => `The ${attributeName(field)} field must be 3 to 20 digits.`,
  numberKeyword: (field: string) =>
    `The ${attributeName(field)} field must be one word of at most 20 letters or digits.`,
  numberTaken: (named: string, accountId: number) => `${named} is assigned to account ${accountId}.`,
  numberNotAssigned: (named: string) => `${named} is not assigned.`,
  maxItems: (field: string, max: number) => `The ${attributeName(field)} field must not have more than ${max} items.`,
  senderName: (field: string, problem: string) => `The ${attributeName(field)} is not a valid sender: ${problem}.`,
  csvLine: (line: number, problem: string) => `Line ${line}: ${problem}; nothing was imported.`,
  nestedTooDeep: (field: string) => `The ${attributeName(field)} field is nested too deeply.`,
  controlCharacters: (field: string) => `The ${attributeName(field)} field must not contain control characters.`,
  balanceCeiling: (max: string) => `The balance cannot exceed ${max}.`,
  tooManyLogins: (seconds: number) => `Too many login attempts. Please try again in ${seconds} seconds.`,
  notDraft: (status: string) => `Only a Draft can be sent, changed or deleted; this sending is ${status}.`,
  methodNotAllowed: (method: string, path: string, allowed: readonly string[]) =>
    `The ${method} method is not supported for route ${path}. Supported methods: ${allowed.join(', ')}.`,
});

/** Why an amount typed into a form is refused (domain/money-input.ts), shown next to the field. */
export const moneyInputText = Object.freeze({
  notAnAmount: (text: string) =>
    `“${text}” is not an amount: write digits with a decimal comma or point, such as 12,50 or 12.50.`,
  ambiguous: (text: string, thousands: string, decimals: string) =>
    `“${text}” is ambiguous: write ${thousands} if the comma separates thousands, or ${decimals} if it marks decimals.`,
  tooManyDecimals: (text: string, decimals: number) => `“${text}” has more than ${decimals} decimals.`,
  tooLarge: (text: string) => `“${text}” is too large.`,
});

/**
 * Errors of one request, keyed by field, in the order they were found; the 422 body of the contract. A field's error
 * may come with a hint of what would be taken instead, given apart in `hints` (keyed the same), so that the
 * contract's `message` and `errors` keep their texts.
 */
export class ValidationErrors {
  readonly #byField = new Map<string, string[]>();
  readonly #hints = new Map<string, string>();
  #count = 0;

  hint(field: string, text: string): this {
    this.#hints.set(field, text);
    return this;
  }

  add(field: string, text: string): this {
    const texts = this.#byField.get(field);
    if (texts) texts.push(text);
    else this.#byField.set(field, [text]);
    this.#count++;
    return this;
  }

  has(field: string): boolean {
    return this.#byField.has(field);
  }

  get empty(): boolean {
    return this.#count === 0;
  }

  /** With exactly one failing rule the message is that rule's text; with more, the generic one. */
  get message(): string {
    if (this.#count === 1) {
      for (const texts of this.#byField.values()) return texts[0] as string;
    }
    return TEXTS.givenDataInvalid;
  }

  toJSON(): { message: string; errors: Record<string, string[]>; hints?: Record<string, string> } {
    const body = { message: this.message, errors: Object.fromEntries(this.#byField) };
    return this.#hints.size === 0 ? body : { ...body, hints: Object.fromEntries(this.#hints) };
  }
}

/** The `reason` of a 401 whose token is good but whose account is suspended (the `message` stays the contract's). */
export const ACCOUNT_SUSPENDED_REASON = 'account_suspended';

/** The platform's confirmations of a STOP and a START reply, sent when an account has not written its own. */
export const KEYWORD_CONFIRMATIONS = Object.freeze({
  stop: 'You are unsubscribed and will receive no more messages from us. Reply START to subscribe again.',
  start: 'You are subscribed again. Reply STOP to unsubscribe.',
});

export const keywordText = Object.freeze({
  /** An inbox reply to a number that never wrote to the account. */
  noConversation: 'This number has not written to this account: there is no number to reply from.',
});
