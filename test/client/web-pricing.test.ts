/**
 * The web app's pricing helpers without a browser (issue 17): driver text ↔ scenario values (flat
 * and month-step vectors), tenant defaults one a line, the cash-flow CSV, and spread entry in the
 * quote grid (checked before sending; a wider bid spread is a lower bid price).
 */
import { describe, expect, it } from 'vitest';
import type { Note, Projection } from '../../client/sdk/index.js';
import { driverText, parseDefaults, parseDriver, projectionCsv } from '../../client/web/src/components/cash-flows-model.js';
import { checkSpread, spreadValue } from '../../client/web/src/components/spread-entry.js';
import { rowQuote } from '../../client/web/src/components/quote-grid.js';

describe('driver text', () => {
  it('reads a flat value and a month-step vector, and writes them back', () => {
    expect(parseDriver(' 85.5 ')).toBe('85.5');
    expect(parseDriver('-30')).toBe('-30');
    const vector = parseDriver('1:95, 13 : 80,25:-5.25');
    expect(vector).toEqual([
      { fromMonth: 1, value: '95' },
      { fromMonth: 13, value: '80' },
      { fromMonth: 25, value: '-5.25' },
    ]);
    expect(driverText(vector as { fromMonth: number; value: string }[])).toBe('1:95, 13:80, 25:-5.25');
    expect(driverText('70')).toBe('70');
    for (const bad of ['abc', '1:', '95%', '1:95;13:80', '1e2']) expect(parseDriver(bad)).toHaveProperty('problem');
  });

  it('reads tenant defaults one a line', () => {
    expect(parseDefaults('Northwind AI, 24, 40\n\n Hyperscale Cloud Co. ,36,0 ')).toEqual([
      { tenant: 'Northwind AI', month: 24, recoveryPercent: '40' },
      { tenant: 'Hyperscale Cloud Co.', month: 36, recoveryPercent: '0' },
    ]);
    expect(parseDefaults('')).toEqual([]);
    expect(parseDefaults('Northwind AI, soon, 40')).toHaveProperty('problem');
  });
});

describe('the cash-flow CSV', () => {
  it('has one row per class and payment date with the period figures, decimal strings as given', () => {
    const flow = (date: string, interest: string, principal: string, balance: string) => ({
      date,
      interest,
      principal,
      balance,
      interestShortfall: '0.00',
      deferredInterest: '0.00',
      writedown: '0.00',
    });
    const period = (date: string, dscr: string, cashTrap: boolean) => ({
      date,
      revenue: '1000.00',
      operatingCosts: '100.00',
      netOperatingIncome: '900.00',
      dscr,
      dscrThreeMonthAverage: dscr,
      ltvPercent: '50.00',
      trappedCash: cashTrap ? '10.00' : '0.00',
      reserve: '5.00',
      cashTrap,
      fullCashSweep: false,
      refinanced: false,
      triggers: {},
    });
    const projection = {
      dealId: 'd',
      settlementDate: '2026-12-02',
      scenario: { name: 'x' },
      curve: null,
      classes: [
        {
          noteId: 'a',
          className: 'A',
          cashFlows: [flow('2026-12-15', '10.00', '0.00', '100.00'), flow('2027-01-15', '10.00', '100.00', '0.00')],
        },
        { noteId: 'b', className: 'B', cashFlows: [flow('2026-12-15', '0.00', '0.00', '50.00')] },
      ],
      periods: [period('2026-12-15', '1.2000', true), period('2027-01-15', '1.5000', false)],
      triggerBreaches: [],
    } as unknown as Projection;
    expect(projectionCsv(projection).split('\r\n')).toEqual([
      'date,class,interest,principal,balance,interestShortfall,deferredInterest,writedown,revenue,netOperatingIncome,dscr,trappedCash,reserve,cashTrap',
      '2026-12-15,A,10.00,0.00,100.00,0.00,0.00,0.00,1000.00,900.00,1.2000,10.00,5.00,true',
      '2027-01-15,A,10.00,100.00,0.00,0.00,0.00,0.00,1000.00,900.00,1.5000,0.00,5.00,false',
      '2026-12-15,B,0.00,0.00,50.00,0.00,0.00,0.00,1000.00,900.00,1.2000,10.00,5.00,true',
      '',
    ]);
  });
});

describe('spread entry', () => {
  const note = { id: 'n', minDenomination: '100000', increment: '1000', tickSize: '0.0078125' } as Note;

  it('checks a typed spread as the server will', () => {
    expect(checkSpread('150')).toBeNull();
    expect(checkSpread('+150.25')).toBeNull();
    expect(checkSpread('-12.5')).toBeNull();
    expect(checkSpread('150.125')).toContain('at most 2 decimals');
    expect(checkSpread('20000')).toContain('±10,000');
    expect(checkSpread('')).toContain('Enter a spread');
    expect(spreadValue('+150')).toBe('150');
  });

  it('sends the grid row as spreads; a bid spread must be wider than the ask spread', () => {
    expect(rowQuote(note, { bidSize: '500,000', bidPrice: '160', askPrice: '+140', askSize: '500000' }, 'spread')).toEqual({
      noteId: 'n',
      bidSize: '500000',
      bidSpreadBp: '160',
      askSize: '500000',
      askSpreadBp: '140',
    });
    expect(rowQuote(note, { bidSize: '500000', bidPrice: '140', askPrice: '160', askSize: '500000' }, 'spread')).toContain(
      'wider than the ask spread',
    );
    expect(rowQuote(note, { bidSize: '500000', bidPrice: '99.5', askPrice: '', askSize: '' }, 'spread')).toEqual({
      noteId: 'n',
      bidSize: '500000',
      bidSpreadBp: '99.5',
      askSize: '0',
    });
    // In price mode the same row is a price, checked against the tick.
    expect(rowQuote(note, { bidSize: '500000', bidPrice: '99.5', askPrice: '', askSize: '' })).toEqual({
      noteId: 'n',
      bidSize: '500000',
      bidPrice: '99.5',
      askSize: '0',
    });
  });
});
