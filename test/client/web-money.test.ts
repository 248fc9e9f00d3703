/**
 * The web app's money and input rules without a browser: the ticket preview equals what the
 * trading path books for the same trade (server/trading/instrument.ts), yields are solved at
 * quoted prices, prices and cash display with fixed decimals and never through floats, decimal
 * points line up, and the ticket explains every invalid field.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Note } from '../../client/sdk/index.js';
import { previewTrade, settlementDateOf, yieldAt } from '../../client/web/src/money/domain.js';
import * as fmt from '../../client/web/src/ui/format.js';
import { alignDecimals } from '../../client/web/src/ui/table.js';
import { checkFace, checkPrice, checkTicket } from '../../client/web/src/components/ticket-rules.js';
import { Instrument } from '../../server/trading/instrument.js';
import { Decimal } from '../../server/domain/decimal.js';
import { DEMO_DEALS } from '../../server/demo/market.js';
import { DEFAULT_PRICE_BAND_POINTS } from '../../server/risk/price-band.js';

const notes: Note[] = DEMO_DEALS.flatMap((d, i) =>
  d.notes.map((n, j) => ({
    ...n.terms,
    id: `00000000-0000-0000-0000-00000000000${i}${j}`,
    isin: 'US0000000000',
    dealId: 'deal',
    status: 'active' as const,
    currency: 'USD' as const,
    settlementDays: n.terms.settlementDays ?? 1,
    traceCategory: n.terms.traceCategory ?? 'ABS',
    disseminationCap: '5000000',
  })),
) as Note[];
const a2 = notes.find((n) => n.className === 'A-2')!;
const senior = notes.find((n) => n.className === 'Senior')!;

describe('the ticket preview', () => {
  it('equals the amounts the trading path books, for any note, face and on-tick price', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...notes),
        fc.integer({ min: 100, max: 50_000 }),
        fc.integer({ min: 1, max: 25_600 }),
        fc.constantFrom('2026-11-23', '2026-12-14', '2027-03-15', '2028-02-29'),
        (note, units, ticks, date) => {
          const face = new Decimal(units).mul(note.increment).toFixed();
          const price = new Decimal(ticks).mul(note.tickSize).toFixed();
          const preview = previewTrade(note, date, face, price);
          // The server's note also carries its price band (issue 15 item 7), which the amounts do not use.
          const instrument = new Instrument({ ...note, priceBandPoints: DEFAULT_PRICE_BAND_POINTS.toFixed() } as never);
          const booked = instrument.amounts(new Decimal(face), new Decimal(price), instrument.settlementDateFor(date));
          expect(preview.settlementDate).toBe(instrument.settlementDateFor(date));
          expect(preview.principal).toBe(booked.principal.toFixed(2));
          expect(preview.accruedInterest).toBe(booked.accruedInterest.toFixed(2));
          expect(preview.netAmount).toBe(booked.netAmount.toFixed(2));
        },
      ),
      { seed: 20261123, numRuns: 100 },
    );
  });

  it('shows the worked example of the demo market', () => {
    const p = previewTrade(a2, '2026-11-23', '250000', '100.25');
    expect(p).toMatchObject({
      settlementDate: '2026-11-24',
      accrualStart: '2026-11-15',
      currentFace: '246875.00',
      principal: '247492.19',
      accruedInterest: '324.02',
      netAmount: '247816.21',
    });
    expect(settlementDateOf(a2, '2026-11-25')).toBe('2026-11-27'); // Thanksgiving is not a business day
    expect(yieldAt(a2, '2026-11-23', '100')).toMatch(/^5\.\d{3}$/);
    expect(new Decimal(yieldAt(senior, '2026-11-23', '95')!).gt(yieldAt(senior, '2026-11-23', '100')!)).toBe(true);
  });
});

describe('display formats', () => {
  it('formats prices, cash, face and yields with fixed decimals from the decimal strings', () => {
    expect(fmt.price('99.5', a2)).toBe('99.500');
    expect(fmt.price('99.5078125', a2)).toBe('99.5078125');
    expect(fmt.price('99.5', a2, true)).toBe('99.500\u2007\u2007\u2007\u2007');
    expect(fmt.cash('1234567.891')).toBe('1,234,567.89');
    expect(fmt.cash('0.1')).toBe('0.10');
    expect(fmt.face('5MM+')).toBe('5MM+');
    expect(fmt.yieldPercent('5.2315')).toBe('5.232%');
    expect(fmt.factor('0.985833333333')).toBe('0.98583333');
    expect(fmt.tickLabel(a2)).toBe('1/128');
    expect(fmt.tickLabel(senior)).toBe('0.001');
    // 0.1 + 0.2 in floats is 0.30000000000000004; decimal strings stay exact.
    expect(fmt.cash(new Decimal('0.1').add('0.2').toFixed())).toBe('0.30');
  });

  it('lines up decimal points in a column', () => {
    expect(alignDecimals(['99.500', '99.5078125', '100.250', ''])).toEqual([
      '99.500\u2007\u2007\u2007\u2007',
      '99.5078125',
      '100.250\u2007\u2007\u2007\u2007',
      '',
    ]);
  });
});

describe('ticket checks', () => {
  it('explains each invalid field', () => {
    expect(checkPrice(a2, '')).toContain('Enter a price');
    expect(checkPrice(a2, 'abc')).toContain('is not a price');
    expect(checkPrice(a2, '0')).toContain('greater than zero');
    expect(checkPrice(a2, '250')).toContain('at most 200%');
    expect(checkPrice(a2, '99.3')).toBe(
      'The price must be a whole number of ticks (1/128 = 0.0078125): nearest are 99.296875 and 99.3046875.',
    );
    expect(checkPrice(a2, '99.5078125')).toBeNull();
    expect(checkFace(a2, '50000')).toContain('at least 100,000');
    expect(checkFace(a2, '150500')).toContain('multiple of 1,000');
    expect(checkFace(a2, '1,000,000')).toBeNull();
    const problems = checkTicket(
      a2,
      { side: 'buy', price: '99.5', face: '100000', timeInForce: 'GTD', expireAt: '2020-01-01T00:00' },
      Date.parse('2026-11-23T12:00:00Z'),
    );
    expect([...problems.keys()]).toEqual(['expireAt']);
    expect(
      checkTicket({ ...a2, status: 'halted' }, { side: 'buy', price: '99.5', face: '100000', timeInForce: 'GTC', expireAt: '' }, 0).get(
        'note',
      ),
    ).toContain('halted');
  });
});
