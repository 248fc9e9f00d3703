/**
 * Reconciliation: compares the books that must agree and lists every difference (a "break").
 * An empty list means they agree. Checks, each one set-based SQL statement:
 *   - trade_without_instruction: a trade with no settlement instruction;
 *   - instruction_trade_mismatch: an instruction whose parties, note, face or cash differ from its trade;
 *   - instruction_ledger_mismatch: a settled instruction whose ledger movement is missing or differs
 *     (per entry, party and asset: the instructions' legs against the entry's postings);
 *   - settlement_entry_without_instruction: a settlement entry no instruction points to;
 *   - distribution_ledger_mismatch: holders' distribution payments against their postings;
 *   - ledger_balance_mismatch / held_mismatch: an account's total (held) against the sum of its
 *     postings (of its active holds); unbalanced_asset: an asset whose postings do not sum to zero;
 *   - position_mismatch: a party's balance against the sum of its settled trades, distributions
 *     and outside movements (deposits, withdrawals, issuance);
 *   - trust_mismatch: the trust account against the deals' cash in trust (free + reserve + trapped);
 *   - collection_report_mismatch: an active collection's revenue, operating costs or power cost
 *     against the sum over the latest versions of the performance reports of its collection period
 *     (a collection whose period has no report yet is not compared).
 * Third leg, when the on-chain registry is on (server/registry/reconcile.ts): chain balances per
 * holder and note against ledger positions, pending and refused outbox rows, orphan chain events.
 * Each break names the entity, the expected and actual values and their difference. Reads only.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { formatLedgerAmount } from '../ledger/index.js';
import type { Break } from './break.js';
import { registryBreaks } from './registry.js';

export type { Break } from './break.js';

export interface ReconciliationReport {
  breaks: Break[];
  checkedAt: string;
}

/** Breaks listed per check; a count beyond it is reported in one summary break. */
export const BREAKS_PER_CHECK_MAX = 500;

type Row = Record<string, string | null>;

function amountBreak(
  kind: string,
  entity: string,
  asset: string,
  expected: string | null | undefined,
  actual: string | null | undefined,
  message: string,
): Break {
  const e = new Decimal(expected ?? 0);
  const a = new Decimal(actual ?? 0);
  return {
    kind,
    entity,
    expected: formatLedgerAmount(asset, e),
    actual: formatLedgerAmount(asset, a),
    difference: formatLedgerAmount(asset, a.minus(e)),
    message,
  };
}

const LEGS = `
  select entry_id, seller_party_id as party_id, note_id::text as asset, -quantity as amount from settlement_instructions where status = 'settled'
  union all select entry_id, buyer_party_id, note_id::text, quantity from settlement_instructions where status = 'settled'
  union all select entry_id, buyer_party_id, 'USD', -net_amount from settlement_instructions where status = 'settled' and net_amount <> 0
  union all select entry_id, seller_party_id, 'USD', net_amount from settlement_instructions where status = 'settled' and net_amount <> 0`;

const CHECKS: { kind: string; sql: string; toBreak: (row: Row) => Break }[] = [
  {
    kind: 'trade_without_instruction',
    sql: `select t.id, t.net_amount from trades t where not exists (select 1 from settlement_instructions i where i.trade_id = t.id) order by t.id`,
    toBreak: (r) => ({
      kind: 'trade_without_instruction',
      entity: `trade:${r.id}`,
      expected: '1',
      actual: '0',
      difference: '-1',
      message: `trade ${r.id} (net ${r.net_amount}) has no settlement instruction`,
    }),
  },
  {
    kind: 'instruction_trade_mismatch',
    // A trade re-amounted for a factor change (trade_adjustments) is expected at its adjusted net amount.
    sql: `select i.id, i.trade_id, t.quantity as trade_quantity, i.quantity, coalesce(a.net_after, t.net_amount) as trade_net, i.net_amount
            from settlement_instructions i join trades t on t.id = i.trade_id left join trade_adjustments a on a.trade_id = t.id
           where i.quantity <> t.quantity or i.net_amount <> coalesce(a.net_after, t.net_amount) or i.buyer_party_id <> t.buyer_party_id
              or i.seller_party_id <> t.seller_party_id or i.note_id <> t.note_id
           order by i.id`,
    toBreak: (r) => ({
      ...amountBreak('instruction_trade_mismatch', `instruction:${r.id}`, 'USD', r.trade_net, r.net_amount, ''),
      message: `instruction ${r.id} differs from trade ${r.trade_id}: face ${r.quantity} vs ${r.trade_quantity}, cash ${r.net_amount} vs ${r.trade_net}`,
    }),
  },
  {
    kind: 'instruction_ledger_mismatch',
    sql: `with expected as (select entry_id, party_id, asset, sum(amount) as amount from (${LEGS}) l group by 1, 2, 3),
               actual as (select p.entry_id, a.party_id, p.asset, sum(p.amount) as amount from ledger_postings p join ledger_accounts a on a.id = p.account_id
                           where a.party_id is not null and p.entry_id in (select entry_id from settlement_instructions where status = 'settled') group by 1, 2, 3)
          select coalesce(e.entry_id, a.entry_id) as entry_id, coalesce(e.party_id, a.party_id) as party_id, coalesce(e.asset, a.asset) as asset,
                 coalesce(e.amount, 0) as expected, coalesce(a.amount, 0) as actual,
                 (select min(i.id) from settlement_instructions i where i.entry_id = coalesce(e.entry_id, a.entry_id)) as instruction_id
            from expected e full outer join actual a on a.entry_id = e.entry_id and a.party_id = e.party_id and a.asset = e.asset
           where coalesce(e.amount, 0) <> coalesce(a.amount, 0) order by 1, 2, 3`,
    toBreak: (r) =>
      amountBreak(
        'instruction_ledger_mismatch',
        `instruction:${r.instruction_id}`,
        r.asset as string,
        r.expected,
        r.actual,
        `entry ${r.entry_id} moves ${r.actual} ${r.asset} for party ${r.party_id}; its settled instructions (first ${r.instruction_id}) say ${r.expected}`,
      ),
  },
  {
    kind: 'settlement_entry_without_instruction',
    // A set difference, not an anti-join: with stale statistics (a run just wrote the entries) the
    // planner would otherwise pick a nested loop over both tables, quadratic in the day's trades.
    sql: `select e.id, e.idempotency_key from ledger_entries e
           where e.id in (select x.id from ledger_entries x where x.kind = 'trade_settlement'
                          except select i.entry_id from settlement_instructions i where i.entry_id is not null)
           order by e.id`,
    toBreak: (r) => ({
      kind: 'settlement_entry_without_instruction',
      entity: `entry:${r.id}`,
      expected: '0',
      actual: '1',
      difference: '1',
      message: `settlement entry ${r.id} (${r.idempotency_key}) belongs to no settled instruction`,
    }),
  },
  {
    kind: 'distribution_ledger_mismatch',
    sql: `with expected as (select entry_id, party_id, sum(interest + principal) as amount from distribution_payments where party_id is not null group by 1, 2),
               actual as (select p.entry_id, a.party_id, sum(p.amount) as amount from ledger_postings p join ledger_accounts a on a.id = p.account_id
                           where a.party_id is not null and p.entry_id in (select entry_id from distribution_payments) group by 1, 2)
          select coalesce(e.entry_id, a.entry_id) as entry_id, coalesce(e.party_id, a.party_id) as party_id, coalesce(e.amount, 0) as expected, coalesce(a.amount, 0) as actual
            from expected e full outer join actual a on a.entry_id = e.entry_id and a.party_id = e.party_id
           where coalesce(e.amount, 0) <> coalesce(a.amount, 0) order by 1, 2`,
    toBreak: (r) =>
      amountBreak(
        'distribution_ledger_mismatch',
        `entry:${r.entry_id}`,
        'USD',
        r.expected,
        r.actual,
        `distribution entry ${r.entry_id} pays party ${r.party_id} ${r.actual}; the payment records say ${r.expected}`,
      ),
  },
  {
    kind: 'ledger_balance_mismatch',
    sql: `select a.id, coalesce(a.party_id::text, a.system_code) as owner, a.asset, a.total, coalesce(s.amount, 0) as postings from ledger_accounts a
            left join (select account_id, sum(amount) as amount from ledger_postings group by account_id) s on s.account_id = a.id
           where a.total <> coalesce(s.amount, 0) order by a.id`,
    toBreak: (r) =>
      amountBreak(
        'ledger_balance_mismatch',
        `account:${r.id}`,
        r.asset as string,
        r.postings,
        r.total,
        `account ${r.id} (${r.owner}, ${r.asset}) has a total of ${r.total}; its postings sum to ${r.postings}`,
      ),
  },
  {
    kind: 'held_mismatch',
    sql: `select a.id, coalesce(a.party_id::text, a.system_code) as owner, a.asset, a.held, coalesce(h.amount, 0) as holds from ledger_accounts a
            left join (select account_id, sum(remaining) as amount from ledger_holds where status = 'active' group by account_id) h on h.account_id = a.id
           where a.held <> coalesce(h.amount, 0) order by a.id`,
    toBreak: (r) =>
      amountBreak(
        'held_mismatch',
        `account:${r.id}`,
        r.asset as string,
        r.holds,
        r.held,
        `account ${r.id} (${r.owner}, ${r.asset}) holds ${r.held}; its active holds sum to ${r.holds}`,
      ),
  },
  {
    kind: 'unbalanced_asset',
    sql: `select asset, sum(amount) as amount from ledger_postings group by asset having sum(amount) <> 0 order by asset`,
    toBreak: (r) =>
      amountBreak(
        'unbalanced_asset',
        `asset:${r.asset}`,
        r.asset as string,
        '0',
        r.amount,
        `postings in ${r.asset} sum to ${r.amount}, not zero`,
      ),
  },
  {
    kind: 'position_mismatch',
    sql: `with outside as (select a.party_id, a.asset, sum(p.amount) as amount from ledger_postings p join ledger_entries e on e.id = p.entry_id
                            join ledger_accounts a on a.id = p.account_id
                           where a.party_id is not null and e.kind not in ('trade_settlement', 'distribution') group by 1, 2),
               settled as (select party_id, asset, sum(amount) as amount from (${LEGS}) l group by 1, 2),
               paid as (select party_id, 'USD' as asset, sum(interest + principal) as amount from distribution_payments where party_id is not null group by 1),
               expected as (select party_id, asset, sum(amount) as amount from (select * from outside union all select * from settled union all select * from paid) u group by 1, 2)
          select coalesce(a.party_id, x.party_id) as party_id, coalesce(a.asset, x.asset) as asset, coalesce(x.amount, 0) as expected, coalesce(a.total, 0) as actual
            from (select party_id, asset, total from ledger_accounts where party_id is not null) a
            full outer join expected x on x.party_id = a.party_id and x.asset = a.asset
           where coalesce(a.total, 0) <> coalesce(x.amount, 0) order by 1, 2`,
    toBreak: (r) =>
      amountBreak(
        'position_mismatch',
        `party:${r.party_id}:${r.asset}`,
        r.asset as string,
        r.expected,
        r.actual,
        `party ${r.party_id} has ${r.actual} ${r.asset}; its settled trades, distributions and outside movements sum to ${r.expected}`,
      ),
  },
  {
    kind: 'trust_mismatch',
    sql: `select coalesce((select total from ledger_accounts where system_code = 'trust' and asset = 'USD'), 0) as actual,
                 coalesce((select sum(free_cash + reserve_balance + trapped_cash) from deal_servicing_state), 0) as expected
          where coalesce((select total from ledger_accounts where system_code = 'trust' and asset = 'USD'), 0)
             <> coalesce((select sum(free_cash + reserve_balance + trapped_cash) from deal_servicing_state), 0)`,
    toBreak: (r) =>
      amountBreak(
        'trust_mismatch',
        'account:trust:USD',
        'USD',
        r.expected,
        r.actual,
        `the trust account holds ${r.actual}; the deals' cash in trust (free, reserve, trapped) sums to ${r.expected}`,
      ),
  },
];

const LATEST_REPORTS = `select r.deal_id, r.period_end, r.report from performance_reports r
  where not exists (select 1 from performance_reports n where n.deal_id = r.deal_id and n.period_end = r.period_end and n.version > r.version)`;

const COLLECTION_FIGURES: [string, string][] = [
  ['revenue', 'revenue'],
  ['operating costs', 'operating_costs'],
  ['power cost', 'power_cost'],
];

CHECKS.push({
  kind: 'collection_report_mismatch',
  sql: `with latest as (${LATEST_REPORTS}),
             linked as (select c.id, c.reference, c.version, c.payment_date, c.revenue, c.operating_costs, c.power_cost,
                               sum((l.report->>'revenue')::numeric) as report_revenue, sum((l.report->>'operatingCosts')::numeric) as report_operating_costs,
                               sum((l.report->>'powerCost')::numeric) as report_power_cost
                          from servicing_collections c join latest l on l.deal_id = c.deal_id and l.period_end between c.period_start and c.period_end
                         where c.status = 'active' group by c.id, c.reference, c.version, c.payment_date, c.revenue, c.operating_costs, c.power_cost)
        ${COLLECTION_FIGURES.map(([label, column]) => `select id, reference, version, payment_date, '${label}' as figure, report_${column} as expected, ${column} as actual from linked where ${column} <> report_${column}`).join(' union all ')}
        order by 1, 5`,
  toBreak: (r) =>
    amountBreak(
      'collection_report_mismatch',
      `collection:${r.id}`,
      'USD',
      r.expected,
      r.actual,
      `collection ${r.reference} (version ${r.version}) for ${r.payment_date} records ${r.figure} ${r.actual}; the performance reports of its period say ${r.expected}`,
    ),
});

export async function reconcile(db: Knex, now: Date = new Date()): Promise<ReconciliationReport> {
  const breaks: Break[] = [];
  for (const check of CHECKS) {
    const result = await db.raw(`select * from (${check.sql}) as c limit ${BREAKS_PER_CHECK_MAX + 1}`);
    const rows = result.rows as Row[];
    for (const row of rows.slice(0, BREAKS_PER_CHECK_MAX)) breaks.push(check.toBreak(row));
    if (rows.length > BREAKS_PER_CHECK_MAX) {
      breaks.push({
        kind: check.kind,
        entity: 'more',
        expected: '',
        actual: '',
        difference: '',
        message: `more than ${BREAKS_PER_CHECK_MAX} ${check.kind} breaks; the first ${BREAKS_PER_CHECK_MAX} are listed`,
      });
    }
  }
  breaks.push(...(await registryBreaks(db, now)));
  return { breaks, checkedAt: now.toISOString() };
}
