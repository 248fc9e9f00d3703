/** RFQ: investors ask dealers for firm prices, dealers answer, the investor accepts one. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Knex } from 'knex';
import { defineRoute, requirePrincipal } from '../route.js';
import { ApiError } from '../errors.js';
import { idParams, limitParam, positiveDecimal, spreadBp } from '../schemas.js';
import { SpreadPricer } from '../../projection/quote-spread.js';
import { Decimal } from '../../domain/decimal.js';
import { getNote } from '../../refdata/notes.js';
import {
  dealerStatistics,
  findResponse,
  findRfq,
  insertResponse,
  insertRfq,
  listRfqs,
  responsesOf,
  type Rfq,
  type RfqResponse,
} from '../../rfq/store.js';
import { tradeRfq } from '../../sequencer/rfq-trade.js';
import { REJECTION_MESSAGES } from '../../sequencer/rejections.js';
import { publishRfq, rfqView, responseView, effectiveStatus } from '../../rfq/views.js';
import type { Principal } from '../../auth/tokens.js';
import type { Clock } from '../services.js';
import { assertMagnitudes, concentrationGuardOf, sequencerOf } from '../../trading/order-entry.js';
import { assertInsideBand } from '../../sequencer/price-band.js';
import { checkRfqAnswer, checkRfqRequester } from '../../sequencer/rfq-checks.js';

export const RFQ_LIFETIME_SECONDS = { default: 60, min: 5, max: 3_600 } as const;
export const RESPONSE_VALIDITY_SECONDS = { min: 1, max: 300 } as const;

/** The RFQ as its investor or an addressed dealer may see it; anyone else is told it does not exist. */
async function visibleRfq(db: Knex, id: string, viewer: Principal): Promise<Rfq> {
  const rfq = await findRfq(db, id);
  const visible = rfq && (rfq.investorPartyId === viewer.partyId || rfq.dealerPartyIds.includes(viewer.partyId));
  if (!rfq || !visible) throw new ApiError('RFQ_NOT_FOUND', `RFQ ${id} does not exist`, { rfqId: id });
  return rfq;
}

/** An RFQ past its expiry is RFQ_EXPIRED whether or not the expiry sweep has closed it yet. */
function assertOpen(rfq: Rfq, clock: Clock): void {
  const pastExpiry = rfq.status === 'expired' || (rfq.status === 'open' && rfq.expiresAt <= clock.now());
  if (pastExpiry) throw new ApiError('RFQ_EXPIRED', 'the RFQ has expired', { rfqId: rfq.id, expiresAt: rfq.expiresAt.toISOString() });
  if (rfq.status !== 'open') throw new ApiError('WRONG_STATE', `the RFQ is ${rfq.status}`, { rfqId: rfq.id, status: rfq.status });
}

async function addressedDealers(db: Knex, requested: readonly string[] | undefined): Promise<string[]> {
  const dealers: { id: string }[] = await db('parties').where({ kind: 'dealer', eligible: true }).select('id');
  const eligible = new Set(dealers.map((d) => d.id));
  if (requested === undefined) return [...eligible];
  for (const id of requested)
    if (!eligible.has(id)) throw new ApiError('NOT_A_DEALER', `party ${id} is not an eligible dealer`, { partyId: id });
  return [...new Set(requested)];
}

const rfqRequest = z
  .object({
    noteId: z.string().uuid(),
    side: z.enum(['buy', 'sell']),
    quantity: positiveDecimal,
    dealerPartyIds: z.array(z.string().uuid()).min(1).max(50).optional(),
    expiresInSeconds: z.number().int().min(RFQ_LIFETIME_SECONDS.min).max(RFQ_LIFETIME_SECONDS.max).optional(),
  })
  .strict();

export const rfqRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/v1/rfqs',
    summary: 'Ask dealers (chosen, or all) for a firm price on a size',
    tag: 'rfq',
    access: ['investor'],
    body: rfqRequest,
    successStatus: 201,
    handler: async ({ body, principal, services }) => {
      const viewer = requirePrincipal(principal);
      const note = await getNote(services.knex, body.noteId);
      // The same rule and code as an order (checkOrder): an ineligible party may not ask for prices either.
      if (!sequencerOf(services).view((state) => state.eligibleParties.has(viewer.partyId))) {
        throw new ApiError('PARTY_NOT_ELIGIBLE', REJECTION_MESSAGES.PARTY_NOT_ELIGIBLE ?? 'the party is not eligible to trade', {
          partyId: viewer.partyId,
        });
      }
      if (note.status === 'halted') throw new ApiError('NOTE_HALTED', 'trading in this note is halted');
      assertMagnitudes(services, note.id, { quantity: body.quantity });
      sequencerOf(services).view((state) => {
        const instrument = state.instruments.get(note.id);
        if (!instrument) throw new ApiError('NOTE_NOT_FOUND', `note ${note.id} is not listed for trading`);
        const units = instrument.faceToUnits(new Decimal(body.quantity));
        if (typeof units === 'string') throw new ApiError(units, `the quantity is not tradable in this note (${units})`);
        // Checked like an order: the seller's face, the buyer's cash (estimated at the reference price).
        checkRfqRequester(state, instrument, viewer.partyId, body.side, new Decimal(body.quantity));
      });
      const now = services.clock.now();
      const rfq: Rfq = {
        id: randomUUID(),
        investorPartyId: viewer.partyId,
        noteId: note.id,
        side: body.side,
        quantity: new Decimal(body.quantity),
        dealerPartyIds: await addressedDealers(services.knex, body.dealerPartyIds),
        status: 'open',
        expiresAt: new Date(now.getTime() + (body.expiresInSeconds ?? RFQ_LIFETIME_SECONDS.default) * 1000),
        acceptedResponseId: null,
        tradeId: null,
        createdAt: now,
      };
      // An RFQ is checked against the party's concentration limits like an order of its size.
      const { warnings } = await concentrationGuardOf(services).guarded(
        viewer.partyId,
        { noteId: note.id, side: body.side, quantity: rfq.quantity },
        () => insertRfq(services.knex, rfq),
      );
      await publishRfq(services.knex, services.events, rfq, 'rfq_created', now);
      const view = rfqView(rfq, [], viewer, now);
      return { body: warnings.length === 0 ? view : { ...view, warnings: [{ code: 'CONCENTRATION_LIMIT', breaches: warnings }] } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/rfqs',
    summary: 'Own RFQs (investor) or RFQs addressed to this dealer, newest first',
    tag: 'rfq',
    access: ['investor', 'dealer'],
    query: z
      .object({ status: z.enum(['open', 'done', 'expired', 'cancelled', 'all']).default('all'), limit: limitParam(100, 500) })
      .strict(),
    handler: async ({ query, principal, services }) => {
      const viewer = requirePrincipal(principal);
      const role = viewer.roles.includes('investor') ? 'investor' : 'dealer';
      const now = services.clock.now();
      const rfqs = (
        await listRfqs(
          services.knex,
          { partyId: viewer.partyId, role },
          query.status === 'expired' || query.status === 'open' ? 'all' : query.status,
          query.limit,
        )
      ).filter((rfq) => query.status === 'all' || effectiveStatus(rfq, now) === query.status);
      const responses = await responsesOf(
        services.knex,
        rfqs.map((r) => r.id),
        role === 'dealer' ? viewer.partyId : undefined,
      );
      return {
        body: rfqs.map((rfq) =>
          rfqView(
            rfq,
            responses.filter((r) => r.rfqId === rfq.id),
            viewer,
            now,
          ),
        ),
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/rfqs/:id',
    summary: 'One RFQ with its answers',
    tag: 'rfq',
    access: ['investor', 'dealer'],
    params: idParams,
    handler: async ({ params, principal, services }) => {
      const viewer = requirePrincipal(principal);
      const rfq = await visibleRfq(services.knex, params.id, viewer);
      const responses = await responsesOf(services.knex, [rfq.id], rfq.investorPartyId === viewer.partyId ? undefined : viewer.partyId);
      return { body: rfqView(rfq, responses, viewer, services.clock.now()) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/rfqs/:id/responses',
    summary:
      "A dealer's firm answer at a price, or at a spread in bp over the benchmark (the price derived from the base projection to the ARD, nearest tick), valid for some seconds (replaces its previous one)",
    tag: 'rfq',
    access: ['dealer'],
    params: idParams,
    successStatus: 201,
    body: z
      .object({
        price: positiveDecimal.optional(),
        spreadBp: spreadBp.optional(),
        validForSeconds: z.number().int().min(RESPONSE_VALIDITY_SECONDS.min).max(RESPONSE_VALIDITY_SECONDS.max),
      })
      .strict()
      .refine((b) => (b.price === undefined) !== (b.spreadBp === undefined), {
        message: 'give a price or a spreadBp, exactly one',
        path: ['price'],
      }),
    handler: async ({ params, body, principal, services }) => {
      const viewer = requirePrincipal(principal);
      const rfq = await findRfq(services.knex, params.id);
      if (!rfq) throw new ApiError('RFQ_NOT_FOUND', `RFQ ${params.id} does not exist`);
      if (!rfq.dealerPartyIds.includes(viewer.partyId)) throw new ApiError('FORBIDDEN', 'this RFQ was not sent to this dealer');
      assertOpen(rfq, services.clock);
      // An answer as a spread: the price is derived (base scenario, to the ARD) and rounded to the nearest tick,
      // then checked exactly as a typed price. The dealer sells when the investor buys (an ask), and buys when it sells (a bid).
      const fromSpread =
        body.spreadBp === undefined
          ? null
          : await new SpreadPricer(services.knex).price(rfq.noteId, body.spreadBp, rfq.side === 'buy' ? 'ask' : 'bid', 'spreadBp');
      const priceText = fromSpread ? fromSpread.price : (body.price as string);
      assertMagnitudes(services, rfq.noteId, { price: priceText });
      const price = new Decimal(priceText);
      // The tick and the price band are checked against the sequencer's state, as for orders and quotes.
      sequencerOf(services).view((state) => {
        const instrument = state.instruments.get(rfq.noteId);
        if (!instrument) throw new ApiError('NOTE_NOT_FOUND', `note ${rfq.noteId} is not listed for trading`);
        const ticks = instrument.priceToTicks(price);
        if (typeof ticks === 'string') throw new ApiError(ticks, `the price is not valid for this note (${ticks})`);
        assertInsideBand(state, instrument, price, { rfqId: rfq.id });
        // A firm answer is one the dealer can honour: its cash (it buys) or face (it sells).
        checkRfqAnswer(state, instrument, viewer.partyId, rfq.side, rfq.quantity, price);
      });
      const now = services.clock.now();
      const validUntil = new Date(Math.min(now.getTime() + body.validForSeconds * 1000, rfq.expiresAt.getTime()));
      const response: RfqResponse = {
        id: randomUUID(),
        rfqId: rfq.id,
        dealerPartyId: viewer.partyId,
        price,
        validUntil,
        status: 'open',
        reason: null,
        spreadBp: fromSpread ? new Decimal(fromSpread.spreadBp) : null,
        createdAt: now,
      };
      // A firm answer is checked against the dealer's concentration limits like an order on the other side.
      const { warnings } = await concentrationGuardOf(services).guarded(
        viewer.partyId,
        { noteId: rfq.noteId, side: rfq.side === 'buy' ? 'sell' : 'buy', quantity: rfq.quantity },
        () => insertResponse(services.knex, response),
      );
      await publishRfq(services.knex, services.events, rfq, 'rfq_response', now);
      const view = responseView(response, now);
      const withWarnings = warnings.length === 0 ? view : { ...view, warnings: [{ code: 'CONCENTRATION_LIMIT', breaches: warnings }] };
      return { body: fromSpread ? { ...withWarnings, pricedFromSpread: fromSpread } : withWarnings };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/rfqs/:id/decline',
    summary: 'An addressed dealer declines the RFQ, with an optional reason (withdraws its live answer)',
    tag: 'rfq',
    access: ['dealer'],
    params: idParams,
    successStatus: 201,
    body: z
      .object({ reason: z.string().trim().min(1).max(500).optional() })
      .strict()
      .optional(),
    handler: async ({ params, body, principal, services }) => {
      const viewer = requirePrincipal(principal);
      const rfq = await findRfq(services.knex, params.id);
      if (!rfq) throw new ApiError('RFQ_NOT_FOUND', `RFQ ${params.id} does not exist`);
      if (!rfq.dealerPartyIds.includes(viewer.partyId)) throw new ApiError('FORBIDDEN', 'this RFQ was not sent to this dealer');
      assertOpen(rfq, services.clock);
      const now = services.clock.now();
      const decline: RfqResponse = {
        id: randomUUID(),
        rfqId: rfq.id,
        dealerPartyId: viewer.partyId,
        price: null,
        validUntil: rfq.expiresAt,
        status: 'declined',
        reason: body?.reason ?? null,
        createdAt: now,
      };
      await insertResponse(services.knex, decline);
      await publishRfq(services.knex, services.events, rfq, 'rfq_response', now);
      return { body: responseView(decline, now) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/rfqs/:id/accept',
    summary: 'Trade at one answer; the others end not chosen',
    tag: 'rfq',
    access: ['investor'],
    params: idParams,
    body: z.object({ responseId: z.string().min(1).max(100) }).strict(),
    handler: async ({ params, body, principal, services }) => {
      const viewer = requirePrincipal(principal);
      const rfq = await findRfq(services.knex, params.id);
      if (!rfq || rfq.investorPartyId !== viewer.partyId) throw new ApiError('RFQ_NOT_FOUND', `RFQ ${params.id} does not exist`);
      assertOpen(rfq, services.clock);
      const response = await findResponse(services.knex, body.responseId);
      if (!response || response.rfqId !== rfq.id || response.status === 'replaced' || response.price === null)
        throw new ApiError('RESPONSE_NOT_FOUND', 'no such answer on this RFQ');
      if (response.status !== 'open' || response.validUntil <= services.clock.now()) {
        throw new ApiError('RESPONSE_EXPIRED', 'this answer is no longer valid', { validUntil: response.validUntil.toISOString() });
      }
      const priced = { ...response, price: response.price };
      const result = await sequencerOf(services).execute((state) => tradeRfq(state, rfq, priced));
      const done = await findRfq(services.knex, rfq.id);
      if (done) await publishRfq(services.knex, services.events, done, 'rfq_done', services.clock.now());
      return { body: result };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/rfq-statistics',
    summary: 'Per dealer: RFQs received, answered, done, covered, and the hit ratio',
    tag: 'rfq',
    access: ['dealer', 'backoffice', 'operator'],
    handler: async ({ principal, services }) => {
      const viewer = requirePrincipal(principal);
      const own = viewer.roles.includes('dealer') ? viewer.partyId : undefined;
      return { body: await dealerStatistics(services.knex, own) };
    },
  }),
];
