/**
 * A party's daily statement: the trades it did that day, what settled for it that day (per
 * instruction, and every ledger movement dated that day), the distributions it was paid that day
 * with interest and principal apart (the ledger books them as one cash movement per class; the
 * split is the distribution's own record, distribution_payments), its open fails as of that day
 * with their age and fail charge, and its closing balances (postings dated on or before the day).
 * As JSON, or as one CSV with a `section` column. Reads only.
 */
import { csvField } from '../core/csv.js';
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { formatLedgerAmount } from '../ledger/index.js';
import { instructionView, type InstructionRow } from './queries.js';
import type { ReferenceRates } from './reference-rates.js';

export async function partyStatement(db: Knex, partyId: string, date: string, rates: ReferenceRates) {
  const trades: Record<string, string>[] = await db('trades')
    .where((q) => q.where('buyer_party_id', partyId).orWhere('seller_party_id', partyId))
    .andWhere('trade_date', date)
    .orderBy('seq')
    .select('id', 'note_id', 'price', 'quantity', 'net_amount', 'buyer_party_id', 'settlement_date');
  const involved = (q: Knex.QueryBuilder) => q.where((w) => w.where('buyer_party_id', partyId).orWhere('seller_party_id', partyId));
  const settledRows: InstructionRow[] = await db('settlement_instructions')
    .modify(involved)
    .andWhere({ status: 'settled', settled_date: date })
    .orderBy('id')
    .select('*');
  const failRows: InstructionRow[] = await db('settlement_instructions')
    .modify(involved)
    .andWhere('settlement_date', '<=', date)
    .andWhere((w) =>
      w
        .where('status', 'failed')
        .orWhere((s) => s.where('status', 'settled').whereNotNull('fail_since').andWhere('settled_date', '>', date)),
    )
    .orderBy('id')
    .select('*');
  const movements: { entry_id: string; kind: string; description: string; asset: string; amount: string }[] = await db(
    'ledger_postings as p',
  )
    .join('ledger_entries as e', 'e.id', 'p.entry_id')
    .join('ledger_accounts as a', 'a.id', 'p.account_id')
    .where({ 'a.party_id': partyId, 'e.business_date': date })
    .orderBy('p.id')
    .select('p.entry_id', 'e.kind', 'e.description', 'p.asset', 'p.amount');
  const distributions: {
    entry_id: string;
    deal_id: string;
    note_id: string;
    payment_date: string;
    face_of_record: string;
    interest: string;
    principal: string;
  }[] = await db('distribution_payments as d')
    .join('ledger_entries as e', 'e.id', 'd.entry_id')
    .where({ 'd.party_id': partyId, 'e.business_date': date })
    .orderBy('d.id')
    .select(
      'd.entry_id',
      'd.deal_id',
      'd.note_id',
      db.raw('d.payment_date::text as payment_date'),
      'd.face_of_record',
      'd.interest',
      'd.principal',
    );
  const closing: { asset: string; amount: string }[] = await db('ledger_postings as p')
    .join('ledger_entries as e', 'e.id', 'p.entry_id')
    .join('ledger_accounts as a', 'a.id', 'p.account_id')
    .where('a.party_id', partyId)
    .andWhere('e.business_date', '<=', date)
    .groupBy('p.asset')
    .orderByRaw(`case when p.asset = 'USD' then 0 else 1 end, p.asset`)
    .select('p.asset', db.raw('sum(p.amount) as amount'));
  const side = (buyer: string) => (buyer === partyId ? 'buy' : 'sell');
  return {
    partyId,
    date,
    trades: trades.map((t) => ({
      tradeId: t.id,
      noteId: t.note_id,
      side: side(t.buyer_party_id as string),
      price: new Decimal(t.price as string).toFixed(),
      quantity: new Decimal(t.quantity as string).toFixed(),
      netAmount: new Decimal(t.net_amount as string).toFixed(2),
      settlementDate: t.settlement_date,
    })),
    settlements: settledRows.map((r) => ({ ...instructionView(r, date, rates), side: side(r.buyer_party_id) })),
    fails: failRows.map((r) => ({
      ...instructionView({ ...r, status: 'failed', settled_date: null }, date, rates),
      side: side(r.buyer_party_id),
    })),
    distributions: distributions.map((d) => ({
      entryId: String(d.entry_id),
      dealId: d.deal_id,
      noteId: d.note_id,
      paymentDate: d.payment_date,
      faceOfRecord: new Decimal(d.face_of_record).toFixed(),
      interest: new Decimal(d.interest).toFixed(2),
      principal: new Decimal(d.principal).toFixed(2),
      amount: new Decimal(d.interest).plus(d.principal).toFixed(2),
    })),
    movements: movements.map((m) => ({
      entryId: String(m.entry_id),
      kind: m.kind,
      description: m.description,
      asset: m.asset,
      amount: formatLedgerAmount(m.asset, m.amount),
    })),
    closingBalances: closing.map((c) => ({ asset: c.asset, total: formatLedgerAmount(c.asset, c.amount) })),
  };
}

export type PartyStatement = Awaited<ReturnType<typeof partyStatement>>;

const CSV_COLUMNS = ['section', 'reference', 'note_or_asset', 'side', 'quantity', 'amount', 'date', 'status', 'detail'] as const;

function field(value: string | number | null | undefined): string {
  return csvField(value === null || value === undefined ? '' : String(value));
}

export function statementCsv(statement: PartyStatement): string {
  const rows: (string | number | null | undefined)[][] = [];
  for (const t of statement.trades)
    rows.push([
      'trade',
      t.tradeId,
      t.noteId,
      t.side,
      t.quantity,
      t.netAmount,
      statement.date,
      '',
      `price ${t.price}; settles ${t.settlementDate}`,
    ]);
  for (const s of statement.settlements)
    rows.push([
      'settlement',
      s.tradeId,
      s.noteId,
      s.side,
      s.quantity,
      s.netAmount,
      s.settledDate,
      s.status,
      `instruction ${s.id}; fail charge ${s.failCharge}`,
    ]);
  for (const f of statement.fails) {
    rows.push([
      'fail',
      f.tradeId,
      f.noteId,
      f.side,
      f.quantity,
      f.netAmount,
      f.settlementDate,
      'failed',
      `instruction ${f.id}; failed side ${f.failedSide ?? ''}; age ${f.failAgeBusinessDays ?? 0} business days; fail charge ${f.failCharge} owed by ${f.failChargePayer ?? ''}`,
    ]);
  }
  // A distribution as two rows, interest and principal; its movement row below has their sum.
  for (const d of statement.distributions)
    for (const [part, amount] of [
      ['interest', d.interest],
      ['principal', d.principal],
    ] as const)
      rows.push([
        'distribution',
        `entry ${d.entryId}`,
        d.noteId,
        '',
        d.faceOfRecord,
        amount,
        d.paymentDate,
        part,
        `${part} on ${d.faceOfRecord} face of record; paid ${d.amount} in all`,
      ]);
  for (const m of statement.movements)
    rows.push(['movement', `entry ${m.entryId}`, m.asset, '', '', m.amount, statement.date, m.kind, m.description]);
  for (const b of statement.closingBalances) rows.push(['closing_balance', '', b.asset, '', '', b.total, statement.date, '', '']);
  return [CSV_COLUMNS.join(','), ...rows.map((r) => r.map(field).join(','))].join('\n') + '\n';
}
