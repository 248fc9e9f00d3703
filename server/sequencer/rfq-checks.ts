/**
 * RFQs are checked like orders (issue 15 item 8), against the sequencer's available balances (the
 * same view the order path holds against; credit lines are not counted here):
 * - at creation, the requester: a seller must have the face available; a buyer the cash for the
 *   size at the note's reference price (its price band's reference, else par), accrued included —
 *   an estimate, as the price is not known yet;
 * - at an answer, the dealer: when it buys (a sell RFQ), the cash for the size at its own price;
 *   when it sells (a buy RFQ), the face.
 * The accept checks both sides exactly when it sets their holds (server/sequencer/rfq-trade.ts).
 *
 * Read-only: these run in a view of the state; nothing is set aside until the accept.
 */
import { Decimal } from '../domain/decimal.js';
import { CASH_ASSET } from '../ledger/types.js';
import type { Instrument } from '../refdata/instrument.js';
import { currentBand } from './price-band.js';
import { Rejection } from '../core/rejections.js';
import type { TradingState } from './state.js';

export type RfqSide = 'requester' | 'dealer';

const PAR = new Decimal(100);

/** Throws INSUFFICIENT_FUNDS or INSUFFICIENT_POSITION naming the side that cannot cover its part. */
export function assertCovers(
  state: TradingState,
  instrument: Instrument,
  check: { side: RfqSide; partyId: string; buys: boolean; quantity: Decimal; price: Decimal },
): void {
  if (check.buys) {
    const required = instrument.amounts(check.quantity, check.price, instrument.settlementDateFor(state.businessDate)).netAmount;
    const available = state.accounts.available(check.partyId, CASH_ASSET);
    if (required.gt(available)) {
      throw new Rejection('INSUFFICIENT_FUNDS', `the ${check.side} does not have enough available cash for this RFQ`, {
        side: check.side,
        asset: CASH_ASSET,
        price: check.price.toFixed(),
        required: required.toFixed(2),
        available: available.toFixed(2),
      });
    }
    return;
  }
  const available = state.accounts.available(check.partyId, instrument.id);
  if (check.quantity.gt(available)) {
    throw new Rejection('INSUFFICIENT_POSITION', `the ${check.side} does not have enough available face for this RFQ`, {
      side: check.side,
      asset: instrument.id,
      required: check.quantity.toFixed(),
      available: available.toFixed(),
    });
  }
}

/** The requester of a new RFQ. */
export function checkRfqRequester(
  state: TradingState,
  instrument: Instrument,
  partyId: string,
  side: 'buy' | 'sell',
  quantity: Decimal,
): void {
  const price = currentBand(state, instrument)?.reference ?? PAR;
  assertCovers(state, instrument, { side: 'requester', partyId, buys: side === 'buy', quantity, price });
}

/** A dealer answering at `price`: it takes the other side of the RFQ. */
export function checkRfqAnswer(
  state: TradingState,
  instrument: Instrument,
  dealerPartyId: string,
  rfqSide: 'buy' | 'sell',
  quantity: Decimal,
  price: Decimal,
): void {
  assertCovers(state, instrument, { side: 'dealer', partyId: dealerPartyId, buys: rfqSide === 'sell', quantity, price });
}
