// The catalogue of every text a client can see: the published page's word-for-word texts and Laravel-style rule texts.

/**
 * Every text a client can see, under a stable code: its English words, with `{{name}}` where a parameter goes
 * (`{{name, number}}`: a number written with thousands separators). The public API sends these words as they are;
 * the dashboard's API sends the code and the parameters beside them (describeText), and the dashboard says them in its
 * language (`server.<code>` in web/src/locales, whose English entries are this catalogue). The placeholders are
 * i18next's, so one template serves both. A parameter named `count` is the number a plural form follows.
 */
export const SERVER_TEXTS = Object.freeze({
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
  serviceUnavailable: 'Service Unavailable',
  unsupportedContentType: 'Unsupported Content-Type.',
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
  noConversation: 'This number has not written to this account: there is no number to reply from.',
  // Quiet hours and validity of a sending.
  sendWindowFormat:
    'The send window field must be a daily window of local time written HH:MM-HH:MM (24-hour), e.g. 08:00-20:00; ' +
    'start and end must differ.',
  expiredBeforeHandOver: 'The validity period ended before the message could be handed over; it was not sent.',
  // Why a recipient was left out of a sending.
  suppressedApi: "The number is on the account's suppression list (added through the API).",
  suppressedDashboard: "The number is on the account's suppression list (added in the dashboard).",
  suppressedOperator: "The number is on the account's suppression list (added by the platform operator).",
  suppressedStopMessage: 'The recipient opted out by replying STOP.',
  // The dashboard's opt-out list.
  optOutNotANumber: '“{{text}}” is not a phone number: write it with the country code, 8 to 20 digits.',
  optOutCsvNotANumber: 'Line {{line}}: “{{text}}” is not a phone number (8 to 20 digits with the country code).',
  optOutCsvMoreBadRows: '…and {{count}} more rows that are not phone numbers; nothing was imported.',
  optOutCsvNothingImported: 'Nothing was imported: correct these rows and import the file again.',
  optOutCsvEmpty: 'The file holds no phone numbers.',
  optOutSenderFormat: 'A sender is 1 to {{max}} characters: a sender name, or a number.',
  optOutCsvBadSender: 'Line {{line}}: “{{text}}” is not a sender (a sender name or a number, at most 20 characters).',
  optOutWordNotText: 'Each of the {{field}} must be text.',
  optOutWordFormat: '“{{word}}” is not one word of 1 to {{max}} letters or digits.',
  optOutWordDuplicate: '“{{word}}” is given more than once.',
  optOutWordBoth: '“{{word}}” cannot be both a stop word and a start word.',
  optOutWordBuiltIn: '“{{word}}” is already a built-in {{keyword}} keyword.',
  optOutWordTooMany: 'An account may have at most {{max}} stop and start words together.',
  optOutCsvTooMany: 'A file may hold at most {{count, number}} numbers; nothing was imported.',
  optOutTooManyNumbers: 'At most {{count, number}} numbers at a time.',
  // Rules of fields, in Laravel's words.
  required: 'The {{field}} field is required.',
  requiredWith: 'The {{field}} field is required when {{other}} is present.',
  formatInvalid: 'The {{field}} field format is invalid.',
  selectedInvalid: 'The selected {{field}} is invalid.',
  dateFormat: 'The {{field}} field must match the format {{format}}.',
  dateBefore: 'The {{field}} field must be a date before {{date}}.',
  dateBeforeOrEqual: 'The {{field}} field must be a date before or equal to {{date}}.',
  rangeDaysMax: 'The period must not be longer than {{count}} days.',
  string: 'The {{field}} field must be a string.',
  array: 'The {{field}} field must be an array.',
  integer: 'The {{field}} field must be an integer.',
  minNumber: 'The {{field}} field must be at least {{min}}.',
  maxNumber: 'The {{field}} field must not be greater than {{max}}.',
  maxChars: 'The {{field}} field must not be greater than {{count}} characters.',
  maxParts: 'The {{field}} field must not be longer than {{count}} SMS parts.',
  url: 'The {{field}} field must be a valid URL.',
  callbackUrlInternal: 'The callback url must not point to a private, loopback, link-local or multicast address.',
  positionWholeNumber: 'position must be a whole number from 1',
  notConfigured: 'The selected {{field}} is not available on this platform.',
  idempotencyReused: 'The Idempotency-Key was already used with a different request.',
  notCancellable: 'Only a Pending sending can be cancelled; this sending is {{status}}.',
  wellFormed: 'The {{field}} field must be valid Unicode text.',
  noAvailableRate: 'The {{field}} has no available rate.',
  composeNotANumber:
    'Not a phone number: use 8 to 20 digits in international format, with the country code and no "+".',
  composeUnknownPrefix: 'No country uses this number prefix.',
  composeNoRate: 'No price for {{destination}} in your price list.',
  composeCountryNotAllowed: 'This account does not send to {{country}}: see the countries in Settings.',
  noRouteAtRate: 'The {{field}} cannot be sent: no route to its destination is available at its rate.',
  countryNotAllowed: 'The {{field}} is in {{country}}, where this account does not send.',
  countryList: 'The {{field}} field must be "all" or a list of ISO 3166 country codes.',
  notCountryCodes: 'Not a country code: {{codes}}.',
  countriesNotAllowed: 'This account may not send to {{codes}}: ask support to allow it.',
  spendLimitAmount: 'The {{field}} field must be an amount of 0 or more (as 25.50), or empty for no limit.',
  spendLimitDaily:
    "This sending ({{total}}) would pass the account's daily spend limit of {{limit}}: {{spent}} is spent already.",
  spendLimitMonthly:
    "This sending ({{total}}) would pass the account's monthly spend limit of {{limit}}: {{spent}} is spent already.",
  priceListCurrency:
    'The price list is in {{list}} but the account is in {{account}}: an account is priced only in its own currency; nothing was imported.',
  noPriceList:
    'There is no price list in {{currency}}, the currency of this account, so nothing can be priced or sent.',
  notFoundModel: 'No query results for model {{id}}',
  recipientHint: 'send {{digits}}: digits only, with the country code',
  minChars: 'The {{field}} field must be at least {{count}} characters.',
  email: 'The {{field}} field must be a valid email address.',
  taken: 'The {{field}} has already been taken.',
  boolean: 'The {{field}} field must be true or false.',
  percentage: 'The {{field}} field must be a percentage from 0 to 100.',
  positive: 'The {{field}} field must be greater than 0.',
  notZero: 'The {{field}} field must not be zero.',
  receivingNumber: 'The {{field}} field must be 3 to 20 digits.',
  numberKeyword: 'The {{field}} field must be one word of at most 20 letters or digits.',
  numberTaken: '{{number}} is assigned to account {{accountId}}.',
  numberNotAssigned: '{{number}} is not assigned.',
  maxItems: 'The {{field}} field must not have more than {{count}} items.',
  senderName: 'The {{field}} is not a valid sender: {{problem}}.',
  // Why a name cannot be a sender (the `problem` of senderName).
  senderNameBlank: 'a sender name is required',
  senderNameSpaces: 'a sender name cannot start or end with spaces',
  senderNumericDigits: 'a numeric sender has at most {{count}} digits',
  senderAlphaCharacters: 'an alphanumeric sender uses only A-Z, a-z, 0-9, space and . - & _',
  senderNeedsLetter: 'an alphanumeric sender needs at least one letter',
  senderAlphaLength: 'an alphanumeric sender has at most {{count}} characters',
  senderShortCodeOnly: 'Trumpia sends from a short code or a landline number only',
  csvLine: 'Line {{line}}: {{problem}}; nothing was imported.',
  // What is wrong on a line of a price list or a cost list (the `problem` of csvLine).
  csvNetworkHeader: 'the header must be "mcc,mnc,{{column}}" or "mcc,mnc,{{column}},currency"',
  csvFieldCount: 'expected {{expected}} fields, found {{found}}',
  csvUnknownCurrency: 'currency "{{currency}}" is not one an account can have',
  csvCurrencyDiffers: 'currency {{currency}} differs from {{above}} above: a list has one currency',
  csvMcc: 'mcc "{{mcc}}" is not 3 digits',
  csvMnc: 'mnc "{{mnc}}" is not 1 to 3 digits',
  csvAmount: '{{column}} "{{amount}}": {{problem}}',
  csvNegative: '{{column}} "{{amount}}" is negative',
  csvAlreadyPriced: '{{network}} is already priced on line {{earlier}}',
  csvAlreadyCosted: '{{network}} is already given a cost on line {{earlier}}',
  // A rule of the route table.
  routeOneOf: '{{field}} must be one of {{values}}, got "{{given}}"',
  routeUnknownProvider: 'unknown provider "{{name}}" (known: {{known}})',
  routeUnknownType: 'unknown sending type "{{type}}"',
  routeMinDelivery: 'min_delivery: {{problem}}',
  // A price list's import.
  priceListEmptyDefault: 'The default price list cannot be empty; nothing was imported.',
  priceListCurrencyConflict: 'The list states {{stated}} but {{given}} was asked for; nothing was imported.',
  priceListUnknownCurrency: '{{currency}} is not a currency an account can have; nothing was imported.',
  nestedTooDeep: 'The {{field}} field is nested too deeply.',
  controlCharacters: 'The {{field}} field must not contain control characters.',
  balanceCeiling: 'The balance cannot exceed {{max}}.',
  tooManyLogins: 'Too many login attempts. Please try again in {{count}} seconds.',
  notDraft: 'Only a Draft can be sent, changed or deleted; this sending is {{status}}.',
  methodNotAllowed: 'The {{method}} method is not supported for route {{path}}. Supported methods: {{allowed}}.',
  // An amount typed into a form.
  moneyNotAnAmount: '“{{text}}” is not an amount: write digits with a decimal comma or point, such as 12,50 or 12.50.',
  moneyAmbiguous:
    '“{{text}}” is ambiguous: write {{thousands}} if the comma separates thousands, or {{decimals}} if it marks decimals.',
  moneyTooManyDecimals: '“{{text}}” has more than {{count}} decimals.',
  moneyTooLarge: '“{{text}}” is too large.',
});

export type ServerTextCode = keyof typeof SERVER_TEXTS;
/** The parameters of a text: a `count` or a `{{…, number}}` as a number (plural forms follow it), else the words put in. */
export type TextParams = Readonly<Record<string, string | number>>;
/** A text as the dashboard's API describes it beside its English words. */
export interface TextCode {
  readonly code: ServerTextCode;
  readonly params: TextParams;
}

const PLACEHOLDER = /\{\{(\w+)(?:, *(number))?\}\}/g;

/** The English words of a text of the catalogue with its parameters put in. */
export function renderText(code: ServerTextCode, params: TextParams = {}): string {
  return SERVER_TEXTS[code].replace(PLACEHOLDER, (_match, name: string, format: string | undefined) => {
    const value = params[name];
    if (value === undefined) throw new Error(`The text ${code} needs the parameter ${name}.`);
    return format === 'number' ? Number(value).toLocaleString('en') : String(value);
  });
}

interface Reader {
  readonly code: ServerTextCode;
  readonly pattern: RegExp;
  readonly names: readonly { readonly name: string; readonly numeric: boolean }[];
  /** Characters of the template outside its placeholders: the more, the more specific. */
  readonly literal: number;
}

let readers: readonly Reader[] | null = null;

function compileReaders(): readonly Reader[] {
  return (Object.entries(SERVER_TEXTS) as [ServerTextCode, string][])
    .map(([code, template]) => {
      const names: { name: string; numeric: boolean }[] = [];
      let source = '';
      let literal = 0;
      let last = 0;
      for (const match of template.matchAll(PLACEHOLDER)) {
        const words = template.slice(last, match.index);
        source += words.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        literal += words.length;
        const name = match[1] as string;
        const numeric = match[2] === 'number' || name === 'count';
        names.push({ name, numeric });
        source += numeric ? '(\\d[\\d,]*)' : '([\\s\\S]*?)';
        last = match.index + match[0].length;
      }
      const rest = template.slice(last);
      source += rest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      literal += rest.length;
      return { code, pattern: new RegExp(`^${source}$`), names, literal };
    })
    .sort((a, b) => b.literal - a.literal);
}

/** The code and parameters of a text of the catalogue, read back from its English words; null for any other text. */
export function describeText(text: string): TextCode | null {
  readers ??= compileReaders();
  for (const reader of readers) {
    const match = reader.pattern.exec(text);
    if (!match) continue;
    const params: Record<string, string | number> = {};
    reader.names.forEach(({ name, numeric }, i) => {
      const value = match[i + 1] as string;
      params[name] = numeric ? Number(value.replaceAll(',', '')) : value;
    });
    return { code: reader.code, params };
  }
  return null;
}

export const TEXTS = Object.freeze({
  messageRequired: SERVER_TEXTS.messageRequired,
  recipientsRequired: SERVER_TEXTS.recipientsRequired,
  senderRequired: SERVER_TEXTS.senderRequired,
  givenDataInvalid: SERVER_TEXTS.givenDataInvalid,
  insufficientBalance: SERVER_TEXTS.insufficientBalance,
  operatorAccountNotSuspendable: SERVER_TEXTS.operatorAccountNotSuspendable,
  unauthenticated: SERVER_TEXTS.unauthenticated,
  notFound: SERVER_TEXTS.notFound,
  tooManyAttempts: SERVER_TEXTS.tooManyAttempts,
  serverError: SERVER_TEXTS.serverError,
  serviceUnavailable: SERVER_TEXTS.serviceUnavailable,
  unsupportedContentType: SERVER_TEXTS.unsupportedContentType,
  malformedJson: SERVER_TEXTS.malformedJson,
  malformedBody: SERVER_TEXTS.malformedBody,
  payloadTooLarge: SERVER_TEXTS.payloadTooLarge,
  sendingCreated: SERVER_TEXTS.sendingCreated,
  csrfMismatch: SERVER_TEXTS.csrfMismatch,
  accountSuspended: SERVER_TEXTS.accountSuspended,
  accountSuspendedExplained: SERVER_TEXTS.accountSuspendedExplained,
  unavailableWhileSuspended: SERVER_TEXTS.unavailableWhileSuspended,
  forbidden: SERVER_TEXTS.forbidden,
  badCredentials: SERVER_TEXTS.badCredentials,
  passwordIncorrect: SERVER_TEXTS.passwordIncorrect,
  draftChanged: SERVER_TEXTS.draftChanged,
  schedulePast: SERVER_TEXTS.schedulePast,
  allRecipientsSuppressed: SERVER_TEXTS.allRecipientsSuppressed,
  invitationNotOpen: SERVER_TEXTS.invitationNotOpen,
  operatorAccountInvitation: SERVER_TEXTS.operatorAccountInvitation,
  dashboardNotBuilt: SERVER_TEXTS.dashboardNotBuilt,
});

/** Quiet hours and validity of a sending (`send_window`, `validity_minutes`). */
export const windowTexts = Object.freeze({
  sendWindowFormat: SERVER_TEXTS.sendWindowFormat,
  /** The error of a message whose validity ended before any provider took it (status `expired`, refunded). */
  expiredBeforeHandOver: SERVER_TEXTS.expiredBeforeHandOver,
});

/** Why a recipient was left out of a sending, by who suppressed the number (domain/opt-out.ts). */
export const SUPPRESSION_REASONS = Object.freeze({
  api: SERVER_TEXTS.suppressedApi,
  dashboard: SERVER_TEXTS.suppressedDashboard,
  operator: SERVER_TEXTS.suppressedOperator,
  stop_message: SERVER_TEXTS.suppressedStopMessage,
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
  notANumber: (text: string) => renderText('optOutNotANumber', { text }),
  csvNotANumber: (line: number, text: string) => renderText('optOutCsvNotANumber', { line, text }),
  csvMoreBadRows: (count: number) => renderText('optOutCsvMoreBadRows', { count }),
  csvNothingImported: SERVER_TEXTS.optOutCsvNothingImported,
  csvEmpty: SERVER_TEXTS.optOutCsvEmpty,
  csvTooMany: (max: number) => renderText('optOutCsvTooMany', { count: max }),
  tooManyNumbers: (max: number) => renderText('optOutTooManyNumbers', { count: max }),
  senderFormat: (max: number) => renderText('optOutSenderFormat', { max }),
  csvBadSender: (line: number, text: string) => renderText('optOutCsvBadSender', { line, text }),
});

/** An account's own stop and start words: why a list of them was refused. */
export const optOutWordText = Object.freeze({
  notText: (field: string) => renderText('optOutWordNotText', { field: attributeName(field) }),
  format: (word: string, max: number) => renderText('optOutWordFormat', { word, max }),
  duplicate: (word: string) => renderText('optOutWordDuplicate', { word }),
  both: (word: string) => renderText('optOutWordBoth', { word }),
  builtIn: (word: string, intent: string) => renderText('optOutWordBuiltIn', { word, keyword: intent.toUpperCase() }),
  tooMany: (max: number) => renderText('optOutWordTooMany', { max }),
});

/** Laravel shows a field name with underscores as spaces: `scheduled_at` → "scheduled at"; `recipients.3` stays. */
export function attributeName(field: string): string {
  return field.replaceAll('_', ' ');
}

/** A rule's text about one field. */
const about = (code: ServerTextCode) => (field: string) => renderText(code, { field: attributeName(field) });

export const ruleText = Object.freeze({
  required: about('required'),
  requiredWith: (field: string, other: string) =>
    renderText('requiredWith', { field: attributeName(field), other: attributeName(other) }),
  formatInvalid: about('formatInvalid'),
  selectedInvalid: about('selectedInvalid'),
  dateFormat: (field: string, format: string) => renderText('dateFormat', { field: attributeName(field), format }),
  dateBefore: (field: string, date: string) => renderText('dateBefore', { field: attributeName(field), date }),
  dateBeforeOrEqual: (field: string, date: string) =>
    renderText('dateBeforeOrEqual', { field: attributeName(field), date }),
  rangeDaysMax: (max: number) => renderText('rangeDaysMax', { count: max }),
  string: about('string'),
  array: about('array'),
  integer: about('integer'),
  minNumber: (field: string, min: number) => renderText('minNumber', { field: attributeName(field), min }),
  maxNumber: (field: string, max: number) => renderText('maxNumber', { field: attributeName(field), max }),
  maxChars: (field: string, max: number) => renderText('maxChars', { field: attributeName(field), count: max }),
  maxParts: (field: string, max: number) => renderText('maxParts', { field: attributeName(field), count: max }),
  url: about('url'),
  notConfigured: about('notConfigured'),
  idempotencyReused: () => renderText('idempotencyReused'),
  notCancellable: (status: string) => renderText('notCancellable', { status }),
  wellFormed: about('wellFormed'),
  noAvailableRate: about('noAvailableRate'),
  /** A recipient whose route's rule refuses to send at a loss: every provider of it costs more than the rate. */
  noRouteAtRate: about('noRouteAtRate'),
  countryNotAllowed: (field: string, country: string) =>
    renderText('countryNotAllowed', { field: attributeName(field), country }),
  countryList: about('countryList'),
  notCountryCodes: (codes: readonly string[]) => renderText('notCountryCodes', { codes: codes.join(', ') }),
  countriesNotAllowed: (codes: readonly string[]) => renderText('countriesNotAllowed', { codes: codes.join(', ') }),
  spendLimitAmount: about('spendLimitAmount'),
  spendLimit: (period: 'daily' | 'monthly', limit: string, spent: string, total: string) =>
    renderText(period === 'daily' ? 'spendLimitDaily' : 'spendLimitMonthly', { limit, spent, total }),
  priceListCurrency: (list: string, account: string) => renderText('priceListCurrency', { list, account }),
  noPriceList: (currency: string) => renderText('noPriceList', { currency }),
  notFoundModel: (id: string | number) => renderText('notFoundModel', { id }),
  /** Beside a recipient's 422 (in `hints`, never in place of its error) when normalising would make it a number. */
  recipientHint: (digits: string) => renderText('recipientHint', { digits }),
  minChars: (field: string, min: number) => renderText('minChars', { field: attributeName(field), count: min }),
  email: about('email'),
  taken: about('taken'),
  boolean: about('boolean'),
  percentage: about('percentage'),
  positive: about('positive'),
  notZero: about('notZero'),
  receivingNumber: about('receivingNumber'),
  numberKeyword: about('numberKeyword'),
  numberTaken: (named: string, accountId: number) => renderText('numberTaken', { number: named, accountId }),
  numberNotAssigned: (named: string) => renderText('numberNotAssigned', { number: named }),
  maxItems: (field: string, max: number) => renderText('maxItems', { field: attributeName(field), count: max }),
  senderName: (field: string, problem: string) => renderText('senderName', { field: attributeName(field), problem }),
  csvLine: (line: number, problem: string) => renderText('csvLine', { line, problem }),
  nestedTooDeep: about('nestedTooDeep'),
  controlCharacters: about('controlCharacters'),
  balanceCeiling: (max: string) => renderText('balanceCeiling', { max }),
  tooManyLogins: (seconds: number) => renderText('tooManyLogins', { count: seconds }),
  notDraft: (status: string) => renderText('notDraft', { status }),
  methodNotAllowed: (method: string, path: string, allowed: readonly string[]) =>
    renderText('methodNotAllowed', { method, path, allowed: allowed.join(', ') }),
});

/** Why an amount typed into a form is refused (domain/money-input.ts), shown next to the field. */
export const moneyInputText = Object.freeze({
  notAnAmount: (text: string) => renderText('moneyNotAnAmount', { text }),
  ambiguous: (text: string, thousands: string, decimals: string) =>
    renderText('moneyAmbiguous', { text, thousands, decimals }),
  tooManyDecimals: (text: string, decimals: number) => renderText('moneyTooManyDecimals', { text, count: decimals }),
  tooLarge: (text: string) => renderText('moneyTooLarge', { text }),
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
  noConversation: SERVER_TEXTS.noConversation,
});
