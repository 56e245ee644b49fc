// Writes a Quote as the `calculate` response body, in chunks, with money and phone numbers as exact JSON tokens.
import { multiplyMoney, toJsonNumber } from './money.js';
import { suppressionReason } from './opt-out.js';
import type { Quote } from './pricing.js';

/** Numbers written per yielded chunk: big enough to amortise, small enough to stream a million recipients. */
const NUMBERS_PER_CHUNK = 2048;

/**
 * The response body of `POST /sendings/calculate`, as the published page shapes it, plus extension fields
 * (`encoding`, `ucs2_characters`, `parts_per_message`, `recipients` in info, and `smart_encoding` when it was asked
 * for; `mcc`, `mnc` per destination).
 * `phone_number` is the recipient's digits written as a JSON number token: never passed through a float.
 * Recipients on the account's suppression list are left out of all of that and listed in `suppressed`
 * (`[{"phone_number","reason"}]`, and `"sender"` when the entry matched applies to that sender's sendings only), a
 * field present only when some recipient is suppressed.
 */
export function* quoteJsonChunks(quote: Quote): Generator<string> {
  const info = [
    `"sms_count":${quote.smsCount}`,
    `"subtotal":${toJsonNumber(quote.subtotalMinor)}`,
    `"total":${toJsonNumber(quote.totalMinor)}`,
    `"tax":${toJsonNumber(quote.taxMinor)}`,
    `"encoding":${JSON.stringify(quote.encoding)}`,
    `"ucs2_characters":${JSON.stringify(quote.ucs2Characters)}`,
    `"parts_per_message":${quote.partsPerMessage}`,
    `"recipients":${quote.recipients.length}`,
  ];
  const saving = quote.smartEncoding;
  if (saving !== null) {
    info.push(
      `"smart_encoding":{"applied":${saving.applied},"original_encoding":${JSON.stringify(saving.originalEncoding)},` +
        `"original_parts_per_message":${saving.originalPartsPerMessage},` +
        `"original_total":${toJsonNumber(saving.originalTotalMinor)},"saved":${toJsonNumber(saving.savedMinor)}}`,
    );
  }
  yield `{"calculate":{"info":{${info.join(',')}},"destinations":[`;

  // Group recipients by destination with a counting sort, keeping each destination's numbers in request order.
  const { destinations, recipients, destinationOf } = quote;
  const start = new Int32Array(destinations.length + 1);
  for (let i = 0; i < recipients.length; i++) (start[(destinationOf[i] as number) + 1] as number)++;
  for (let d = 0; d < destinations.length; d++) start[d + 1] = (start[d + 1] as number) + (start[d] as number);
  const next = start.slice(0, destinations.length);
  const order = new Int32Array(recipients.length);
  for (let i = 0; i < recipients.length; i++) {
    const d = destinationOf[i] as number;
    order[next[d] as number] = i;
    next[d] = (next[d] as number) + 1;
  }

  for (let d = 0; d < destinations.length; d++) {
    const dest = destinations[d];
    if (dest === undefined) continue;
    const name = JSON.stringify(dest.name);
    const rate = toJsonNumber(dest.rateMinor);
    // Every number of a destination has the same tail: write it once.
    const tail = `,"destination":${name},"sms":${quote.partsPerMessage},"rate":${rate},"total":${toJsonNumber(
      multiplyMoney(dest.rateMinor, quote.partsPerMessage),
    )}}`;
    let chunk = `${d === 0 ? '' : ','}{"numbers":[`;
    const from = start[d] as number;
    const to = start[d + 1] as number;
    for (let k = from; k < to; k++) {
      const digits = recipients[order[k] as number] as string;
      // A JSON number token may not start with 0; such numbers resolve to no country and are never priced.
      if (digits.charCodeAt(0) === 48) throw new Error(`unpriceable recipient ${digits} in a quote`);
      chunk += `${k === from ? '' : ','}{"phone_number":${digits}${tail}`;
      if ((k - from + 1) % NUMBERS_PER_CHUNK === 0) {
        yield chunk;
        chunk = '';
      }
    }
    chunk += `],"destination":${name},"sms_count":${dest.smsCount},"price":${rate},"total":${toJsonNumber(
      dest.totalMinor,
    )},"mcc":${JSON.stringify(dest.mcc)},"mnc":${JSON.stringify(dest.mnc)}}`;
    yield chunk;
  }
  yield ']';
  yield* suppressedJsonChunks(quote);
  yield '}}';
}

/** `,"suppressed":[…]` when some recipient is suppressed; nothing otherwise, so other answers stay as they were. */
function* suppressedJsonChunks(quote: Quote): Generator<string> {
  if (quote.suppressed.length === 0) return;
  let chunk = ',"suppressed":[';
  for (let k = 0; k < quote.suppressed.length; k++) {
    const { recipient, source, sender } = quote.suppressed[k] as (typeof quote.suppressed)[number];
    if (recipient.charCodeAt(0) === 48) throw new Error(`unpriceable recipient ${recipient} in a quote`);
    const reason = JSON.stringify(suppressionReason(source, sender));
    // The entry's sender only when it applies to one sender's sendings: an account-wide entry reads as it always did.
    const which = sender === '' ? '' : `,"sender":${JSON.stringify(sender)}`;
    chunk += `${k === 0 ? '' : ','}{"phone_number":${recipient},"reason":${reason}${which}}`;
    if ((k + 1) % NUMBERS_PER_CHUNK === 0) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}]`;
}

/** The whole body as one string (tests and small quotes). */
export function quoteJson(quote: Quote): string {
  let body = '';
  for (const chunk of quoteJsonChunks(quote)) body += chunk;
  return body;
}
