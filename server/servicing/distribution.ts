/**
 * A distribution: a deal's waterfall run for one payment date, paid through the ledger. The
 * waterfall itself is the pure step engine (server/waterfall), fed with the trust's state, the
 * deal's free cash and the period's metrics (metrics.ts: the performance report of the collection
 * period's last month, or without one the collections' dscr); this module checks the request,
 * replays a stored one and audits; distribution-inputs.ts gathers what the period needs,
 * distribute.ts pays it.
 *
 * - Payment date: not after the business date (DATE_AFTER_BUSINESS_DATE), after the deal's last
 *   one (WRONG_STATE), with collections recorded for it (NO_COLLECTIONS), and with the
 *   performance report when a trigger tests a metric only reports supply (PERFORMANCE_REPORT_NOT_FOUND).
 * - Record date: the business day before the payment date. Holders of record are the parties'
 *   note positions from the ledger (postings dated on or before the record date); a trade that
 *   settles after the record date does not carry the payment (no payment claims).
 * - Each class's interest and principal go to its holders pro rata to original face held
 *   (allocation.ts: floored to cents; holders outside the venue through the paying agent; the
 *   sub-cent remainder stays in the trust as free cash). Senior fees go to the fees account, the
 *   residual to the sponsor outside the venue. Reserve and trapped cash stay inside the trust.
 * - Principal lowers each class's balance and its note's factor = balance ÷ original face,
 *   rounded half-even to 12 decimals.
 * - Open trades of a note whose factor changed that settle after the record date are re-amounted
 *   at the new factor (reamount.ts): their seller, as holder of record, received the payment.
 * All of it — ledger entries, the deal's balances, factors, re-amounted trades, the trustee
 * report — commits in one transaction. Running the same payment date again returns the stored
 * report and changes nothing.
 */
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { inTransaction } from '../db/transaction.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import { assertNotAfterBusinessDate } from '../businessdate/index.js';
import { Decimal } from '../domain/decimal.js';
import { getDeal } from '../refdata/deals.js';
import { getWaterfall } from './definition.js';
import { lockDealState } from './state.js';
import { storedReport } from './report.js';
import { periodInputs } from './distribution-inputs.js';
import { distribute, type DistributionOutcome } from './distribute.js';

export async function runDistribution(
  knex: Knex,
  dealId: string,
  paymentDate: string,
  createdBy: string | null,
  actor?: AuditActor,
  fixings: Readonly<Record<string, string>> = {},
): Promise<DistributionOutcome> {
  const deal = await getDeal(knex, dealId);
  const definition = await getWaterfall(knex, deal.id);
  const businessDate = await assertNotAfterBusinessDate(knex, paymentDate, 'the payment date');
  const stored = await storedReport(knex, deal.id, paymentDate);
  if (stored) return { replayed: true, report: stored, credits: [], notes: [], recordDate: null, adjustments: [] };
  return inTransaction(knex, async (trx) => {
    const state = await lockDealState(trx, deal.id);
    const again = await storedReport(trx, deal.id, paymentDate);
    if (again) return { replayed: true, report: again, credits: [], notes: [], recordDate: null, adjustments: [] };
    if (state.lastPaymentDate !== null && paymentDate <= state.lastPaymentDate) {
      throw new Rejection('WRONG_STATE', `the last distribution of this deal was on ${state.lastPaymentDate}`, {
        lastPaymentDate: state.lastPaymentDate,
      });
    }
    const inputs = await periodInputs(trx, { definition, dealId: deal.id, lastPaymentDate: state.lastPaymentDate, paymentDate, fixings });
    const outcome = await distribute(trx, { deal, definition, paymentDate, businessDate, createdBy, state, ...inputs });
    if (actor) {
      const paid = outcome.credits.reduce((total, c) => total.plus(c.amount), new Decimal(0));
      const { rateFixings } = inputs;
      await appendAudit(trx, {
        actor,
        action: 'distribution.run',
        entity: `deal:${deal.id}/distribution:${paymentDate}`,
        details: {
          paymentDate,
          recordDate: outcome.recordDate,
          holdersPaid: outcome.credits.length,
          paidToHolders: paid.toFixed(2),
          ...(rateFixings.length > 0
            ? { rateFixings: rateFixings.map((f) => ({ index: f.index, fixingPercent: f.fixingPercent, source: f.source })) }
            : {}),
        },
      });
    }
    return outcome;
  });
}
