/**
 * An accepted RFQ answer becomes a trade through the sequencer: the same money breakdown, the same
 * holds (the buyer's net cash and the seller's face, consumed by settlement) and the same durable
 * batch as a trade on the book, with the RFQ's end written in that batch too.
 *
 * Guarantees: an RFQ trades at most once; if either side cannot cover its part, nothing happens.
 */
import type { Decimal } from '../domain/decimal.js';
import { CASH_ASSET } from '../ledger/types.js';
import { closeRfq, type Rfq, type RfqResponse } from '../rfq/store.js';
import { Rejection } from '../core/rejections.js';
import { TradingRejection } from './rejections.js';
import { executionFor, type TradeRecord } from './records.js';
import type { TradingState } from './state.js';

/** `response` is a priced answer (a decline has no price and is refused before this). */
export function tradeRfq(state: TradingState, rfq: Rfq, response: RfqResponse & { price: Decimal }) {
  if (state.acceptedRfqs.has(rfq.id)) throw new TradingRejection('WRONG_STATE', { reason: 'the RFQ has already traded', rfqId: rfq.id });
  const instrument = state.instruments.get(rfq.noteId);
  if (!instrument) throw new TradingRejection('NOTE_NOT_FOUND', { noteId: rfq.noteId });
  if (state.engine.isHalted(rfq.noteId)) throw new TradingRejection('NOTE_HALTED');
  for (const partyId of [rfq.investorPartyId, response.dealerPartyId]) {
    if (!state.eligibleParties.has(partyId)) throw new TradingRejection('PARTY_NOT_ELIGIBLE', { partyId });
  }
  const buyer = rfq.side === 'buy' ? rfq.investorPartyId : response.dealerPartyId;
  const seller = rfq.side === 'buy' ? response.dealerPartyId : rfq.investorPartyId;
  const settlementDate = instrument.settlementDateFor(state.businessDate);
  const amounts = instrument.amounts(rfq.quantity, response.price, settlementDate);
  const id = `Q${response.id}`;
  const trade: TradeRecord = {
    id,
    noteId: rfq.noteId,
    price: response.price,
    quantity: rfq.quantity,
    factor: instrument.factor,
    principal: amounts.principal,
    accruedInterest: amounts.accruedInterest,
    netAmount: amounts.netAmount,
    buyerPartyId: buyer,
    sellerPartyId: seller,
    buyOrderId: null,
    sellOrderId: null,
    // The dealer's answer is the resting liquidity; the investor's accept takes it.
    makerSide: buyer === response.dealerPartyId ? 'buy' : 'sell',
    venue: 'rfq',
    rfqId: rfq.id,
    tradeDate: state.businessDate,
    settlementDate,
    buyerHoldReference: `trade:${id}:buyer`,
    sellerHoldReference: `trade:${id}:seller`,
    seq: state.lastSeq,
    executedAt: state.now,
  };
  // A side that cannot cover its part is named: the requester (the caller) or the dealer.
  const sideOf = (partyId: string) => (partyId === rfq.investorPartyId ? 'requester' : 'dealer');
  if (!state.accounts.open(trade.buyerHoldReference, buyer, CASH_ASSET, amounts.netAmount)) {
    throw new Rejection('INSUFFICIENT_FUNDS', `the ${sideOf(buyer)} does not have enough available cash for this trade`, {
      side: sideOf(buyer),
      required: amounts.netAmount.toFixed(2),
      available: state.accounts.available(buyer, CASH_ASSET).toFixed(2),
    });
  }
  if (!state.accounts.open(trade.sellerHoldReference, seller, rfq.noteId, rfq.quantity)) {
    state.accounts.discard(trade.buyerHoldReference);
    throw new Rejection('INSUFFICIENT_POSITION', `the ${sideOf(seller)} does not have enough available face for this trade`, {
      side: sideOf(seller),
      required: rfq.quantity.toFixed(),
      available: state.accounts.available(seller, rfq.noteId).toFixed(),
    });
  }
  state.acceptedRfqs.add(rfq.id);
  state.recordTrade(trade);
  state.addNotional(rfq.investorPartyId, amounts.principal);
  const at = state.now;
  state.currentBatch().alsoWrite.push((trx) => closeRfq(trx, rfq, { status: 'done', acceptedResponseId: response.id, tradeId: id, at }));
  return { trade: executionFor(trade, rfq.investorPartyId) };
}
