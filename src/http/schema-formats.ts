// The string formats the OpenAPI schemas name where JSON Schema cannot state a rule: each is the handlers' own check.
import { checkMessage, recipientDigits, recipientList } from '../domain/pricing.js';
import { ValidationErrors } from '../domain/texts.js';
import { usFromIso } from '../domain/time.js';
import { callbackUrlFieldProblem, readScheduledAt } from '../services/sending-fields.js';

/**
 * Format name → the check a value of that format passes. Formats are open-ended in OpenAPI 3.0 (§4.7.24.1 "format");
 * a validator that does not know one ignores it, and then accepts a superset of what the server does.
 */
export const API_FORMATS: Readonly<Record<string, (value: string) => boolean>> = Object.freeze({
  /** A message text: not blank, well-formed UTF-16 without NUL, at most 20,000 code units and 255 GSM 03.38 parts. */
  'sms-text': (value: string) => checkMessage(value, new ValidationErrors()) !== null,
  /** Recipients as one string: comma-separated numbers, or a JSON array of them; at least one, each 8 to 20 digits. */
  'recipient-list': (value: string) => {
    if (value.trim() === '') return false;
    const list = recipientList(value);
    return list !== null && list.length > 0 && list.every((item) => recipientDigits(item) !== null);
  },
  /** `Y-m-d H:i:s`, UTC, a real time before 2200-01-01 00:00:00 (spaces around it are ignored). */
  'ymd-his': (value: string) => typeof readScheduledAt(value) === 'number',
  /** UTC time with up to six decimals: "2023-04-11T15:46:26.123456Z", "2023-04-11 15:46:26" (GET /inbound). */
  'utc-time': (value: string) => usFromIso(value) !== null,
  /** An absolute http(s) URL of at most 2048 characters whose host is not loopback, private, link-local or multicast. */
  'public-http-url': (value: string) => callbackUrlFieldProblem(value, false) === null,
});

/** What Ajv's addFormat needs of an instance; kept structural so that this module does not depend on Ajv. */
interface FormatHost {
  addFormat(name: string, format: { type: 'string'; validate: (value: string) => boolean }): unknown;
}

/** Teaches a validator (the server's, or a test's) the API's formats. */
export function addApiFormats<T extends FormatHost>(ajv: T): T {
  for (const [name, validate] of Object.entries(API_FORMATS)) ajv.addFormat(name, { type: 'string', validate });
  return ajv;
}
