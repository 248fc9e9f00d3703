/**
 * Fails, against the real ledger: a side that cannot deliver or pay fails as a whole (no partial
 * delivery), stays open, is retried by the next run, ages in business days and accrues the TMPG
 * fail charge; a re-run on the same date leaves it as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { inTransaction } from '../../server/db/transaction.js';
import { postEntries } from '../../server/ledger/index.js';
import { runSettlement } from '../../server/settlement/run.js';
import { failAgeBusinessDays, failCharge, failChargeOf, failChargePayer } from '../../server/settlement/fail-charge.js';
import { ReferenceRates } from '../../server/settlement/reference-rates.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { balances, insertTrades, seedMarket, type Market } from './fixtures.js';

let db: TestDatabase;
let m: Market;

beforeAll(async () => {
  db = await createTestDatabase();
  await setBusinessDate('2026-11-24');
  m = await seedMarket(db.knex, { parties: 3, cash: '100000', face: '100000' });
});
afterAll(async () => db.close());

async function setBusinessDate(date: string) {
  await db.knex('business_date').insert({ id: 1, business_date: date }).onConflict('id').merge();
}

const settle = (date: string, referenceRatePercent = '0') =>
  runSettlement(db.knex, { date, mode: 'gross', createdBy: null, referenceRatePercent: new Decimal(referenceRatePercent) });
const instruction = (tradeId: string) => db.knex('settlement_instructions').where({ trade_id: tradeId }).first();

describe('the TMPG fail charge and fail age', () => {
  it('charges proceeds × max(0, 3% − reference rate) × calendar days / 360, rounded to cents', () => {
    // 1,000,000 × 3% × 3 / 360 = 250.00 (Friday to Monday is three calendar days).
    expect(failCharge(new Decimal(1_000_000), new Decimal(0), '2026-11-20', '2026-11-23').toFixed(2)).toBe('250.00');
    // Reference rate 1.25%: 1,000,000 × 1.75% × 1 / 360 = 48.6111… → 48.61.
    expect(failCharge(new Decimal(1_000_000), new Decimal('1.25'), '2026-11-23', '2026-11-24').toFixed(2)).toBe('48.61');
    expect(failCharge(new Decimal(1_000_000), new Decimal('3.5'), '2026-11-23', '2026-11-30').toFixed(2)).toBe('0.00');
    expect(failCharge(new Decimal(1_000_000), new Decimal(0), '2026-11-23', '2026-11-23').toFixed(2)).toBe('0.00');
  });

  it('charges only a failure to deliver (TMPG): a failure to pay alone carries none', () => {
    expect(failChargePayer('seller')).toBe('seller');
    expect(failChargePayer('both')).toBe('seller');
    expect(failChargePayer('buyer')).toBeNull();
    expect(failChargeOf('buyer', new Decimal(1_000_000), new Decimal(0), '2026-11-20', '2026-11-23').toFixed(2)).toBe('0.00');
    expect(failChargeOf('both', new Decimal(1_000_000), new Decimal(0), '2026-11-20', '2026-11-23').toFixed(2)).toBe('250.00');
  });

  it('takes the reference rate in force at the close of the business day before the fail', () => {
    const rates = new ReferenceRates(
      [
        { date: '2027-01-19', ratePercent: '3.5' },
        { date: '2027-01-14', ratePercent: '1.25' },
      ],
      new Decimal('0.5'),
    );
    // Due Tuesday 2027-01-19 (Monday the 18th is Martin Luther King Jr. Day): the close of Friday the 15th → 1.25.
    expect(rates.forFail('2027-01-19').toFixed()).toBe('1.25');
    // Due Wednesday the 20th: the close of the 19th → 3.5.
    expect(rates.forFail('2027-01-20').toFixed()).toBe('3.5');
    // Before the first dated rate: the configured default.
    expect(rates.forFail('2027-01-14').toFixed()).toBe('0.5');
  });

  it('ages in business days: Thanksgiving and the weekend do not count', () => {
    expect(failAgeBusinessDays('2026-11-25', '2026-11-25')).toBe(0);
    expect(failAgeBusinessDays('2026-11-25', '2026-11-30')).toBe(2); // 27th (Friday) and 30th
  });
});

describe('a fail', () => {
  it('moves nothing when the seller has only part of the face: no partial delivery', async () => {
    const [buyer, seller] = [m.partyIds[0]!, m.partyIds[1]!];
    const before = await balances(db.knex);
    await insertTrades(db.knex, [
      {
        id: 'F1',
        noteId: m.noteIds[0]!,
        buyer,
        seller,
        quantity: '150000',
        netAmount: '1000.00',
        tradeDate: '2026-11-23',
        settlementDate: '2026-11-24',
        holds: false,
      },
    ]);
    expect(await settle('2026-11-24')).toMatchObject({ settled: 0, failed: 1 });
    expect(await balances(db.knex)).toEqual(before);
    expect(await instruction('F1')).toMatchObject({
      status: 'failed',
      failed_side: 'seller',
      fail_since: '2026-11-24',
      attempts: 1,
      entry_id: null,
    });
  });

  it('changes nothing when the same date runs again', async () => {
    const before = await instruction('F1');
    expect(await settle('2026-11-24')).toMatchObject({ settled: 0, failed: 1 });
    expect(await instruction('F1')).toEqual(before);
  });

  it('names the buyer, or both sides, when they cannot pay', async () => {
    const [a, b, c] = m.partyIds as [string, string, string];
    await insertTrades(db.knex, [
      {
        id: 'F2',
        noteId: m.noteIds[0]!,
        buyer: c,
        seller: b,
        quantity: '1000',
        netAmount: '500000.00',
        tradeDate: '2026-11-23',
        settlementDate: '2026-11-24',
        holds: false,
      },
      {
        id: 'F3',
        noteId: m.noteIds[0]!,
        buyer: a,
        seller: c,
        quantity: '900000',
        netAmount: '900000.00',
        tradeDate: '2026-11-23',
        settlementDate: '2026-11-24',
        holds: false,
      },
    ]);
    await settle('2026-11-24');
    expect((await instruction('F2')).failed_side).toBe('buyer');
    expect((await instruction('F3')).failed_side).toBe('both');
  });

  it('is retried by the next run and settles once the seller has the face, with its fail charge frozen', async () => {
    await setBusinessDate('2026-11-25');
    await settle('2026-11-25', '1');
    // 1,000 × (3% − 1%) × 1 day / 360 = 0.0555… → 0.06, owed by the failing seller.
    expect(await instruction('F1')).toMatchObject({ status: 'failed', attempts: 2, fail_charge: '0.06' });
    const seller = m.partyIds[1]!;
    await inTransaction(db.knex, (trx) =>
      postEntries(trx, [
        {
          idempotencyKey: 'fails:more-face',
          kind: 'issuance',
          description: 'the seller receives face',
          businessDate: '2026-11-25',
          postings: [
            { account: { partyId: seller, asset: m.noteIds[0]! }, amount: new Decimal(50000) },
            { account: { systemCode: 'issuance', asset: m.noteIds[0]! }, amount: new Decimal(-50000) },
          ],
        },
      ]),
    );
    await setBusinessDate('2026-11-27');
    const faceBefore = (await balances(db.knex)).get(`${seller}|${m.noteIds[0]}`)!.total;
    await settle('2026-11-27', '1');
    // Failed from the 24th to the 27th, three calendar days: 1,000 × 2% × 3 / 360 = 0.1666… → 0.17.
    expect(await instruction('F1')).toMatchObject({
      status: 'settled',
      settled_date: '2026-11-27',
      fail_since: '2026-11-24',
      fail_charge: '0.17',
      attempts: 3,
    });
    expect(new Decimal((await balances(db.knex)).get(`${seller}|${m.noteIds[0]}`)!.total).minus(faceBefore).toFixed()).toBe('-150000');
  });
});
