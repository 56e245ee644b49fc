// A handset's number as a reply names it, made the international digits every other part of the product uses (the
// suppression list, conversations, the numbers sendings go to), so that a STOP from "29123456" suppresses 37129123456.
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { type SenderFormat, withoutInternationalPrefix, writtenNumber } from '../domain/inbound.js';
import type { NumberingPlan } from '../domain/numbering/types.js';

/** An ISO 3166-1 alpha-2 code, as libphonenumber names a region (the plan's non-geographic entries are not one). */
const REGION = /^[A-Z]{2}$/;

/**
 * The country a sender written without its country code is read in: the one of the number the reply came to, when
 * it is a valid international number of one; else (a short code) the route's (`routeCountry`), when the plan knows it.
 */
function receivingRegion(to: string, plan: NumberingPlan, routeCountry: string | undefined): CountryCode | null {
  const resolved = /^\d{8,20}$/.test(to) ? plan.resolve(to) : null;
  if (resolved?.valid && REGION.test(resolved.country.iso)) return resolved.country.iso as CountryCode;
  return routeRegion(routeCountry, plan);
}

/** The route's country (SMPP_URL `country=`) as libphonenumber names it, when the plan knows it; else null. */
export function routeRegion(routeCountry: string | undefined, plan: NumberingPlan): CountryCode | null {
  const route = routeCountry === undefined ? undefined : plan.countryByIso(routeCountry.toUpperCase());
  return route !== undefined && REGION.test(route.iso) ? (route.iso as CountryCode) : null;
}

/**
 * Digits written as a number of `region` (its trunk prefix, such as the 0 of "07700 900123" or the 8 of
 * "8 912 345-67-89", and its international prefix, such as "00" or "011", read by libphonenumber's data), made
 * international; null when that reading gives no valid number of the plan.
 */
export function nationalReading(digits: string, region: CountryCode, plan: NumberingPlan): string | null {
  const parsed = parsePhoneNumberFromString(digits, { defaultCountry: region, extract: false });
  const international = parsed?.number.slice(1);
  return international !== undefined && plan.resolve(international)?.valid === true ? international : null;
}

/**
 * The sender of a reply as it is stored and compared: international digits without "+" when it is a number, else
 * (a name) as written. `to` is the number it came to (`routeCountry` the route's country, for a `to` naming none);
 * `format` how the provider says it is written (SMPP's TON):
 * - "+" or 'international': the digits after "+" (or an international prefix "00"), as written;
 * - 'national': read as a number of the receiving number's country, when that gives a valid number;
 * - 'unknown' (webhooks, SMPP's TON 0): the digits as written when they are a valid international number
 *   ("371 2912 3456", "0037129123456"), else the national reading when valid ("29123456" to a Latvian number, also
 *   with a stray international prefix, "0029123456"), else the digits as written;
 * - 'alphanumeric': as written.
 * Nothing valid is ever rewritten into something else: a sender that no reading makes valid keeps its digits.
 */
export function internationalSender(
  from: string,
  to: string,
  plan: NumberingPlan,
  format: SenderFormat = 'unknown',
  routeCountry?: string,
): string {
  const written = format === 'alphanumeric' ? null : writtenNumber(from);
  if (written === null) return from.trim();
  const international = withoutInternationalPrefix(written.digits);
  if (written.plus || format === 'international') return international;
  if (format === 'unknown' && plan.resolve(international)?.valid === true) return international;
  const region = receivingRegion(to, plan, routeCountry);
  if (region === null) return international;
  const national =
    nationalReading(written.digits, region, plan) ??
    (written.digits.startsWith('00') ? nationalReading(written.digits.slice(2), region, plan) : null);
  return national ?? international;
}
