import { describe, it, expect } from 'vitest';
import * as fc from 'fast-check';
import {
  Decimal,
  DomainError,
  faceRejection,
  formatCash,
  formatDecimal,
  fromTicks,
  fromUnits,
  isMultipleOf,
  parseDecimal,
  requireTicks,
  requireUnits,
  roundCash,
  roundHalfEven,
  roundPrice,
  toDecimal,
  toTicks,
  toUnits,
} from '../../server/domain/index.js';
import { PROPERTY_SEED } from './arbitraries.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return undefined;
}

describe('parseDecimal', () => {
  it('accepts canonical decimal strings', () => {
    for (const text of ['0', '1', '-1', '12345.67', '0.0078125', '-0.5', '99.875', '100.00', '1000.000000000000000001']) {
      expect(parseDecimal(text).eq(new Decimal(text))).toBe(true);
    }
  });

  it('normalizes negative zero to zero', () => {
    expect(parseDecimal('-0').isNeg()).toBe(false);
    expect(formatDecimal(parseDecimal('-0.00'))).toBe('0');
  });

  it('rejects everything else with INVALID_DECIMAL', () => {
    const bad = [
      '',
      ' 1',
      '1 ',
      '+1',
      '1e3',
      '1E3',
      '.5',
      '5.',
      '-.5',
      '--1',
      '0x10',
      'NaN',
      'Infinity',
      '1,000',
      '01',
      '-007.5',
      '1.2.3',
      '١٢',
      '1_000',
    ];
    for (const text of bad)
      expect(
        codeOf(() => parseDecimal(text)),
        text,
      ).toBe('INVALID_DECIMAL');
    expect(codeOf(() => parseDecimal('1'.repeat(41)))).toBe('INVALID_DECIMAL');
    expect(codeOf(() => parseDecimal(12 as unknown as string))).toBe('INVALID_DECIMAL');
  });

  it('keeps 60 significant digits where the default decimal.js precision (20) would lose the last unit', () => {
    // RECIPES 5.5: 1000.000000000000000001 × 99.5 / 100 must keep its last digit.
    const value = parseDecimal('1000.000000000000000001').mul('99.5').div(100);
    expect(value.toFixed(21)).toBe('995.000000000000000000995');
  });

  it('toDecimal parses strings strictly and passes Decimals through', () => {
    expect(toDecimal('1.5').eq(1.5)).toBe(true);
    expect(toDecimal(new Decimal('2.25')).toFixed()).toBe('2.25');
    expect(codeOf(() => toDecimal('1e2'))).toBe('INVALID_DECIMAL');
  });
});

describe('rounding (the only module that rounds)', () => {
  it('roundCash is half-even to cents', () => {
    const cases: Array<[string, string]> = [
      ['0.125', '0.12'],
      ['0.135', '0.14'],
      ['0.1251', '0.13'],
      ['2.675', '2.68'],
      ['2.665', '2.66'],
      ['-0.125', '-0.12'],
      ['-0.004', '0.00'],
      ['12345.675', '12345.68'],
      ['12345.665', '12345.66'],
    ];
    for (const [input, expected] of cases) expect(formatCash(roundCash(new Decimal(input))), input).toBe(expected);
  });

  it('roundPrice rounds half-even to the requested places', () => {
    expect(roundPrice(new Decimal('94.63436162132205'), 6).toFixed()).toBe('94.634362');
    expect(roundPrice(new Decimal('99.8750005'), 6).toFixed()).toBe('99.875');
    expect(roundPrice(new Decimal('99.8750015'), 6).toFixed()).toBe('99.875002');
    expect(codeOf(() => roundHalfEven(new Decimal(1), -1))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => roundHalfEven(new Decimal(1), 1.5))).toBe('INVALID_ARGUMENT');
  });
});

describe('formatting never rounds', () => {
  it('formatCash prints exactly two decimals and refuses sub-cent values', () => {
    expect(formatCash(new Decimal('12345.67'))).toBe('12345.67');
    expect(formatCash(new Decimal('5'))).toBe('5.00');
    expect(formatCash(new Decimal('-0'))).toBe('0.00');
    expect(codeOf(() => formatCash(new Decimal('0.125')))).toBe('INVALID_ARGUMENT');
  });

  it('formatDecimal prints all digits in plain notation', () => {
    expect(formatDecimal(new Decimal('1e-30'))).toBe('0.000000000000000000000000000001');
    expect(formatDecimal(new Decimal('1e25'))).toBe('10000000000000000000000000');
    expect(formatDecimal(new Decimal('99.5'), 4)).toBe('99.5000');
  });

  it('formatDecimal ∘ parseDecimal is the identity on canonical strings without trailing zeros', () => {
    const canonical = fc
      .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 18n }), fc.integer({ min: 0, max: 12 }))
      .map(([negative, digits, scale]) =>
        formatDecimal(new Decimal(digits.toString()).div(new Decimal(10).pow(scale)).mul(negative ? -1 : 1)),
      );
    fc.assert(
      fc.property(canonical, (text) => formatDecimal(parseDecimal(text)) === text),
      { seed: PROPERTY_SEED },
    );
  });
});

describe('ticks and units', () => {
  const tick128 = new Decimal('0.0078125'); // 1/128

  it('converts on-tick prices exactly and reports off-tick prices as null', () => {
    expect(toTicks(new Decimal('99.875'), tick128)).toBe(12784);
    expect(toTicks(new Decimal('100'), new Decimal('0.001'))).toBe(100000);
    expect(toTicks(new Decimal('99.8751'), tick128)).toBeNull();
    expect(toTicks(new Decimal('-0.5'), tick128)).toBe(-64);
    expect(fromTicks(12784, tick128).toFixed()).toBe('99.875');
    expect(codeOf(() => requireTicks(new Decimal('99.8751'), tick128))).toBe('OFF_TICK');
  });

  it('asserts safe integers', () => {
    expect(codeOf(() => toTicks(new Decimal('1e20'), new Decimal('0.001')))).toBe('UNSAFE_INTEGER');
    expect(codeOf(() => fromTicks(2 ** 53, tick128))).toBe('UNSAFE_INTEGER');
    expect(codeOf(() => fromTicks(1.5, tick128))).toBe('UNSAFE_INTEGER');
    expect(codeOf(() => toTicks(new Decimal(1), new Decimal(0)))).toBe('INVALID_ARGUMENT');
  });

  it('converts face amounts to increment units', () => {
    expect(toUnits(new Decimal('250000'), new Decimal('1000'))).toBe(250);
    expect(toUnits(new Decimal('250500'), new Decimal('1000'))).toBeNull();
    expect(fromUnits(250, new Decimal('1000')).toFixed()).toBe('250000');
    expect(requireUnits(new Decimal('5000'), new Decimal('1000'))).toBe(5);
    expect(codeOf(() => requireUnits(new Decimal('5500'), new Decimal('1000')))).toBe('OFF_INCREMENT');
    expect(isMultipleOf(new Decimal('0.3'), new Decimal('0.1'))).toBe(true); // 0.3 % 0.1 is exact in decimal
  });

  it('validates face against minimum denomination and increment', () => {
    const min = new Decimal('100000');
    const inc = new Decimal('1000');
    expect(faceRejection(new Decimal('250000'), min, inc)).toBeNull();
    expect(faceRejection(new Decimal('0'), min, inc)).toBe('FACE_NOT_POSITIVE');
    expect(faceRejection(new Decimal('99000'), min, inc)).toBe('BELOW_MINIMUM_DENOMINATION');
    expect(faceRejection(new Decimal('100500'), min, inc)).toBe('OFF_INCREMENT');
  });

  it('property: fromTicks(toTicks(p)) = p for on-tick prices, and toTicks(fromTicks(n)) = n', () => {
    const tickSizes = fc.constantFrom('0.0078125', '0.001', '0.01', '0.03125', '0.25', '1').map((t) => new Decimal(t));
    const ticks = fc.integer({ min: -(2 ** 40), max: 2 ** 40 });
    fc.assert(
      fc.property(tickSizes, ticks, (tick, n) => {
        const price = fromTicks(n, tick);
        return toTicks(price, tick) === n && fromTicks(toTicks(price, tick) ?? Number.NaN, tick).eq(price);
      }),
      { seed: PROPERTY_SEED },
    );
  });

  it('property: a price strictly between two ticks is off-tick', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 127 }), (n, k) => {
        const tick = new Decimal('0.0078125');
        const between = fromTicks(n, tick).add(tick.mul(k).div(128));
        return toTicks(between, tick) === null;
      }),
      { seed: PROPERTY_SEED },
    );
  });
});
