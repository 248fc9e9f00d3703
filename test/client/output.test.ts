/**
 * How `cn` lays out numbers: right-aligned columns line up on the decimal point whatever the
 * number of decimals (a 1/128 price above a three-decimal one), text cells are left alone, and
 * --csv quotes per RFC 4180 with the exact values.
 */
import { describe, expect, it } from 'vitest';
import { Output, price, type Column } from '../../client/cli/output.js';

function render(mode: 'table' | 'csv', columns: Column<string[]>[], rows: string[][]): string[] {
  let text = '';
  const out = new Output({ stdout: { write: (t: string) => void (text += t) }, stderr: { write: () => undefined }, env: {} }, mode);
  out.table(columns, rows);
  return text.trimEnd().split('\n');
}

describe('cn output', () => {
  it('aligns decimal points in right-aligned columns', () => {
    const lines = render(
      'table',
      [
        { header: 'NOTE', value: (r) => r[0] },
        { header: 'PRICE', value: (r) => r[1], format: (r) => price(r[1]), align: 'right' },
        { header: 'FACE', value: (r) => r[2], align: 'right' },
      ],
      [
        ['A-2', '99.9921875', '1,000'],
        ['B', '100.25', '250,000.5'],
        ['C', '', '5MM+'],
      ],
    );
    // Laid out by hand: the points of 99.9921875 and 100.250 in one column (the units digit of 99
    // under the 0 of 100), and 1,000 with its units under those of 250,000.5; 5MM+ is text.
    expect(lines).toEqual([
      'NOTE        PRICE       FACE',
      '----  -----------  ---------',
      'A-2    99.9921875    1,000',
      'B     100.250      250,000.5',
      'C                       5MM+',
    ]);
    const points = lines.slice(2, 4).map((l) => l.indexOf('.', 5));
    expect(points[0]).toBe(points[1]);
  });

  it('prints CSV with exact values and quoting', () => {
    const lines = render(
      'csv',
      [
        { header: 'NAME', value: (r) => r[0] },
        { header: 'AMOUNT', value: (r) => r[1], format: () => 'formatted', align: 'right' },
      ],
      [
        ['Northbridge, "NB"', '1234567.891'],
        ['plain', '-0.01'],
      ],
    );
    expect(lines).toEqual(['NAME,AMOUNT', '"Northbridge, ""NB""",1234567.891', 'plain,-0.01']);
  });
});
