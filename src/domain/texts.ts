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
  forbidden: 'Forbidden.',
  badCredentials: 'These credentials do not match our records.',
  passwordIncorrect: 'The password is incorrect.',
  draftChanged: 'The draft was changed meanwhile; send it again.',
  dashboardNotBuilt: 'The dashboard is not built: run the web build (it writes dist/web), then reload this page.',
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
  priceListCurrency: (list: string, account: string) =>
    `The price list is in ${list} but the account is in ${account}: an account is priced only in its own currency; nothing was imported.`,
  noPriceList: (currency: string) =>
    `There is no price list in ${currency}, the currency of this account, so nothing can be priced or sent.`,
  notFoundModel: (id: string | number) => `No query results for model ${id}`,
  minChars: (field: string, min: number) => `The ${attributeName(field)} field must be at least ${min} characters.`,
  email: (field: string) => `The ${attributeName(field)} field must be a valid email address.`,
  taken: (field: string) => `The ${attributeName(field)} has already been taken.`,
  boolean: (field: string) => `The ${attributeName(field)} field must be true or false.`,
  notZero: (field: string) => `The ${attributeName(field)} field must not be zero.`,
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

/** Errors of one request, keyed by field, in the order they were found; the 422 body of the contract. */
export class ValidationErrors {
  readonly #byField = new Map<string, string[]>();
  #count = 0;

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

  toJSON(): { message: string; errors: Record<string, string[]> } {
    return { message: this.message, errors: Object.fromEntries(this.#byField) };
  }
}

/** The `reason` of a 401 whose token is good but whose account is suspended (the `message` stays the contract's). */
export const ACCOUNT_SUSPENDED_REASON = 'account_suspended';
