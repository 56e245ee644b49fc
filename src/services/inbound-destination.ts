// The number a message from a handset came to, as its provider wrote it ("25550400", "+371 2555 0400",
// "0037125550400", a short code), read as the numbers accounts receive on are kept: international digits or a short
// code. An SMSC may address a handset's message to our number in national form; it then still reaches the number's
// account, and never an account's number of another country.
import { type SenderFormat, withoutInternationalPrefix, writtenNumber } from '../domain/inbound.js';
import type { NumberingPlan } from '../domain/numbering/types.js';
import { nationalReading, routeRegion } from './inbound-sender.js';

/**
 * The numbers a message's destination can be, as numbers are kept: the service takes the one of them an account
 * receives on, and none when two different ones are (which of them was meant cannot be told). `format` is how the
 * provider says it is written (SMPP's dest_addr_ton), `routeCountry` the country of the route it came over
 * (SMPP_URL `country=`):
 * - 'alphanumeric', or no number at all: as written;
 * - "+", or 'international': the digits after "+" (or after an international prefix "00");
 * - 'national': the number of the route's country it reads as (its trunk prefix, "0" or "8", and spaces read by
 *   libphonenumber's data), when valid; and the digits as written, unless they are a valid number of another country
 *   (so a short code matches as it is, and a number of the route's country written in full does too). A route with
 *   no country reads nothing: the digits as written, as if the TON were not read;
 * - 'unknown' (SMPP's TON 0 and the rest, every webhook): the digits as written, those after an "00", and the number
 *   of the route's country they read as, when valid.
 */
export function destinationReadings(
  to: string,
  plan: NumberingPlan,
  format: SenderFormat = 'unknown',
  routeCountry?: string,
): string[] {
  const written = format === 'alphanumeric' ? null : writtenNumber(to);
  if (written === null) return [to.trim()];
  const { digits } = written;
  if (written.plus || format === 'international') return [withoutInternationalPrefix(digits)];
  const region = routeRegion(routeCountry, plan);
  const national = region === null ? null : nationalReading(digits, region, plan);
  if (format === 'national') {
    const resolved = region === null ? null : plan.resolve(digits);
    const ofAnotherCountry = resolved?.valid === true && resolved.country.iso !== region;
    return distinct([national, ofAnotherCountry ? null : digits]);
  }
  return distinct([digits, withoutInternationalPrefix(digits), national]);
}

function distinct(readings: readonly (string | null)[]): string[] {
  return [...new Set(readings.filter((reading): reading is string => reading !== null && reading !== ''))];
}
