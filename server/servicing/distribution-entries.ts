/**
 * A distribution's journal entries — pure: per class one entry from the trust account to its
 * holders of record (outside the venue: the external cash account, for the paying agent), the
 * senior fees to the fees account, and the residual to the sponsor outside the venue. Reserve and
 * trapped cash stay inside the trust: no entry moves them.
 *
 * Guarantees: every entry balances (the trust pays out exactly what the entry credits), and each
 * is keyed by the deal, the payment date and the class (or `fees`, `residual`) for the ledger's
 * idempotency.
 */
import { Decimal } from '../domain/decimal.js';
import { CASH_ASSET, type EntryInput, type PostingInput } from '../ledger/index.js';
import type { WaterfallPeriodResult } from '../waterfall/index.js';
import type { DistributionContext } from './distribution-inputs.js';
import { interestReceived, type ClassPayment } from './holder-payments.js';

export function classEntryKey(dealId: string, paymentDate: string, noteId: string): string {
  return `distribution:${dealId}:${paymentDate}:${noteId}`;
}

export function ledgerEntries(ctx: DistributionContext, result: WaterfallPeriodResult, byClass: Map<string, ClassPayment[]>): EntryInput[] {
  const trust = { systemCode: 'trust' as const, asset: CASH_ASSET };
  const outside = { systemCode: 'external-cash' as const, asset: CASH_ASSET };
  const base = { kind: 'distribution' as const, businessDate: ctx.businessDate, createdBy: ctx.createdBy };
  const entries: EntryInput[] = [];
  for (const c of result.classFlows) {
    const lines = byClass.get(c.noteId) ?? [];
    const paid = lines.reduce((total, l) => total.plus(l.amount), new Decimal(0));
    if (paid.isZero()) continue;
    const postings: PostingInput[] = [{ account: trust, amount: paid.negated() }];
    for (const line of lines)
      postings.push({ account: line.partyId === null ? outside : { partyId: line.partyId, asset: CASH_ASSET }, amount: line.amount });
    entries.push({
      ...base,
      idempotencyKey: classEntryKey(ctx.deal.id, ctx.paymentDate, c.noteId),
      description: `${ctx.deal.name} class ${c.className}: interest and principal for ${ctx.paymentDate}`,
      metadata: {
        dealId: ctx.deal.id,
        noteId: c.noteId,
        paymentDate: ctx.paymentDate,
        interest: interestReceived(c).toFixed(2),
        principal: c.principalPaid.toFixed(2),
      },
      postings,
    });
  }
  if (result.fees.paid.gt(0)) {
    entries.push({
      ...base,
      idempotencyKey: `distribution:${ctx.deal.id}:${ctx.paymentDate}:fees`,
      description: `${ctx.deal.name} senior fees for ${ctx.paymentDate}`,
      metadata: { dealId: ctx.deal.id, paymentDate: ctx.paymentDate },
      postings: [
        { account: trust, amount: result.fees.paid.negated() },
        { account: { systemCode: 'fees', asset: CASH_ASSET }, amount: result.fees.paid },
      ],
    });
  }
  if (result.residual.gt(0)) {
    entries.push({
      ...base,
      idempotencyKey: `distribution:${ctx.deal.id}:${ctx.paymentDate}:residual`,
      description: `${ctx.deal.name} excess cash released to the residual holder for ${ctx.paymentDate}`,
      metadata: { dealId: ctx.deal.id, paymentDate: ctx.paymentDate },
      postings: [
        { account: trust, amount: result.residual.negated() },
        { account: outside, amount: result.residual },
      ],
    });
  }
  return entries;
}
