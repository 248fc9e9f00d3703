import { describe, it, expect } from 'vitest';
import * as fc from 'fast-check';
import { DomainError, cusipCheckDigit, isValidCusip, isValidIsin, isinCheckDigit, isinFromCusip } from '../../server/domain/index.js';
import { PROPERTY_SEED } from './arbitraries.js';

// Sources: the ISO 6166 / ANSI X9.6 worked examples reproduced on Wikipedia ("International
// Securities Identification Number", "CUSIP"): Apple US0378331005 / 037833100, BAE Systems
// GB0002634946, AU0000XVGZA3 (and its VX transposition, which Luhn cannot detect); Microsoft
// CUSIP 594918104 / ISIN US5949181045 from Microsoft's investor relations; Google class A
// 38259P508 from the Wikipedia CUSIP article.
describe('ISIN', () => {
  it('accepts published ISINs', () => {
    for (const isin of ['US0378331005', 'US5949181045', 'GB0002634946', 'AU0000XVGZA3', 'US38259P5089']) {
      expect(isValidIsin(isin), isin).toBe(true);
    }
    expect(isinCheckDigit('US037833100')).toBe(5);
    expect(isinCheckDigit('AU0000XVGZA')).toBe(3);
  });

  it('documents the Luhn blind spot: the VX transposition has the same check digit', () => {
    expect(isValidIsin('AU0000VXGZA3')).toBe(true);
  });

  it('rejects wrong check digits and malformed input', () => {
    for (const isin of [
      'US0378331004',
      'US5949181046',
      'GB0002634947',
      'AU0000XVGZA4',
      'us0378331005',
      'US037833100',
      'US03783310055',
      '1S0378331005',
      'US037833100X',
    ]) {
      expect(isValidIsin(isin), isin).toBe(false);
    }
    expect(() => isinCheckDigit('US03783310')).toThrow(DomainError);
  });

  it('property: appending isinCheckDigit to any 11-character prefix gives a valid ISIN; any other digit does not', () => {
    const letter = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    const alnum = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
    const prefix = fc
      .tuple(fc.array(letter, { minLength: 2, maxLength: 2 }), fc.array(alnum, { minLength: 9, maxLength: 9 }))
      .map(([a, b]) => a.join('') + b.join(''));
    fc.assert(
      fc.property(prefix, fc.integer({ min: 1, max: 9 }), (p, delta) => {
        const check = isinCheckDigit(p);
        return isValidIsin(p + String(check)) && !isValidIsin(p + String((check + delta) % 10));
      }),
      { seed: PROPERTY_SEED },
    );
  });
});

describe('CUSIP', () => {
  it('accepts published CUSIPs', () => {
    for (const cusip of ['037833100', '594918104', '38259P508']) expect(isValidCusip(cusip), cusip).toBe(true);
    expect(cusipCheckDigit('03783310')).toBe(0);
    expect(cusipCheckDigit('38259P50')).toBe(8);
  });

  it('rejects wrong check digits and malformed input', () => {
    for (const cusip of ['037833101', '594918105', '38259P509', '03783310', '0378331000', '38259p508', '03783310X']) {
      expect(isValidCusip(cusip), cusip).toBe(false);
    }
  });

  it("values '*', '@', '#' as 36, 37, 38", () => {
    // Hand-computed: base '0000000*' → position 8 (even, doubled) holds 36 → 72 → 7 + 2 = 9 → check 1.
    expect(cusipCheckDigit('0000000*')).toBe(1);
    // '@' = 37 at position 7 (odd, not doubled): 3 + 7 = 10 → check 0; '#' = 38 at position 1: 3 + 8 = 11 → check 9.
    expect(cusipCheckDigit('000000@0')).toBe(0);
    expect(cusipCheckDigit('#0000000')).toBe(9);
  });

  it('builds ISINs from CUSIPs', () => {
    expect(isinFromCusip('US', '037833100')).toBe('US0378331005');
    expect(isinFromCusip('US', '594918104')).toBe('US5949181045');
    expect(() => isinFromCusip('US', '037833101')).toThrow(DomainError);
    expect(() => isinFromCusip('us', '037833100')).toThrow(DomainError);
  });

  it('property: cusipCheckDigit makes a valid CUSIP for any 8-character base', () => {
    const ch = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789*@#');
    fc.assert(
      fc.property(fc.array(ch, { minLength: 8, maxLength: 8 }), (chars) => {
        const base = chars.join('');
        return isValidCusip(base + String(cusipCheckDigit(base)));
      }),
      { seed: PROPERTY_SEED },
    );
  });
});
