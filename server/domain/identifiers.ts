/**
 * Security identifiers: ISIN (ISO 6166) and CUSIP (ANSI X9.6) check digits.
 *
 * - ISIN: 2-letter prefix + 9 alphanumerics + 1 check digit. Letters expand to two digits
 *   (A = 10 … Z = 35) and the check digit is the Luhn (mod 10) digit of the expanded string.
 * - CUSIP: 8 characters (digits, letters A = 10 … Z = 35, '*' = 36, '@' = 37, '#' = 38) + 1
 *   check digit by "double-add-double": every second value (2nd, 4th, …) is doubled, the
 *   decimal digits of all values are summed, check = (10 − sum mod 10) mod 10.
 *
 * Guarantees: validators return booleans and never throw; the computing functions throw
 * DomainError('INVALID_IDENTIFIER') on malformed input. Only upper-case input is accepted.
 * The prefix is not checked against the ISO 3166 country list (XS, EU and similar are valid).
 */
import { DomainError } from './errors.js';

const ISIN_PREFIX = /^[A-Z]{2}[A-Z0-9]{9}$/;
const ISIN = /^[A-Z]{2}[A-Z0-9]{9}[0-9]$/;
const CUSIP_BASE = /^[0-9A-Z*@#]{8}$/;
const CUSIP = /^[0-9A-Z*@#]{8}[0-9]$/;

function charValue(ch: string): number {
  const code = ch.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48; // '0'..'9'
  if (code >= 65 && code <= 90) return code - 55; // 'A'..'Z' → 10..35
  if (ch === '*') return 36;
  if (ch === '@') return 37;
  if (ch === '#') return 38;
  throw new DomainError('INVALID_IDENTIFIER', `invalid identifier character ${JSON.stringify(ch)}`);
}

/** Luhn check digit of a digit string (the digit to append). */
function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    // Walking from the right, the rightmost digit (next to the check digit) is doubled.
    let d = (digits.charCodeAt(digits.length - 1 - i) - 48) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** Check digit for an 11-character ISIN prefix (country code + NSIN). */
export function isinCheckDigit(prefix: string): number {
  if (typeof prefix !== 'string' || !ISIN_PREFIX.test(prefix)) {
    throw new DomainError('INVALID_IDENTIFIER', 'an ISIN prefix is 2 letters followed by 9 letters or digits');
  }
  let expanded = '';
  for (const ch of prefix) expanded += String(charValue(ch));
  return luhnCheckDigit(expanded);
}

export function isValidIsin(isin: string): boolean {
  if (typeof isin !== 'string' || !ISIN.test(isin)) return false;
  return isinCheckDigit(isin.slice(0, 11)) === isin.charCodeAt(11) - 48;
}

/** Check digit for an 8-character CUSIP base. */
export function cusipCheckDigit(base: string): number {
  if (typeof base !== 'string' || !CUSIP_BASE.test(base)) {
    throw new DomainError('INVALID_IDENTIFIER', "a CUSIP base is 8 characters from 0-9, A-Z, '*', '@', '#'");
  }
  let sum = 0;
  for (let i = 0; i < 8; i += 1) {
    const value = charValue(base.charAt(i)) * (i % 2 === 1 ? 2 : 1);
    sum += Math.floor(value / 10) + (value % 10);
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidCusip(cusip: string): boolean {
  if (typeof cusip !== 'string' || !CUSIP.test(cusip)) return false;
  return cusipCheckDigit(cusip.slice(0, 8)) === cusip.charCodeAt(8) - 48;
}

/** The ISIN for a valid CUSIP under a country prefix, e.g. ('US', '037833100') → 'US0378331005'. */
export function isinFromCusip(countryCode: string, cusip: string): string {
  if (typeof countryCode !== 'string' || !/^[A-Z]{2}$/.test(countryCode)) {
    throw new DomainError('INVALID_IDENTIFIER', 'country code must be 2 upper-case letters');
  }
  if (!isValidCusip(cusip) || !/^[0-9A-Z]{9}$/.test(cusip)) {
    throw new DomainError('INVALID_IDENTIFIER', `not a valid CUSIP usable in an ISIN: ${JSON.stringify(String(cusip).slice(0, 20))}`);
  }
  const prefix = countryCode + cusip;
  return prefix + String(isinCheckDigit(prefix));
}
