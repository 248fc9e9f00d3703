/**
 * Money controls of the operator: a dealer's credit line (USD), and the dated series of the TMPG
 * reference rate that fail charges use.
 */
import { z } from 'zod';
import { defineRoute, requirePrincipal } from '../route.js';
import { ApiError } from '../errors.js';
import { idParams, isDecimalText, isoDate, nonNegativeDecimal } from '../schemas.js';
import { Decimal } from '../../domain/decimal.js';
import { getParty } from '../../refdata/parties.js';
import { setCreditLine } from '../../sequencer/credit.js';
import { sequencerOf } from '../../trading/order-entry.js';
import { actorOf } from '../../audit/index.js';
import { listReferenceRates, setReferenceRate } from '../../settlement/reference-rates.js';

const creditLineSchema = z.object({ partyId: z.string(), creditLine: z.string(), creditUsed: z.string(), creditAvailable: z.string() });
const referenceRateSchema = z.object({ date: z.string(), ratePercent: z.string() });

const usdAmountOrZero = nonNegativeDecimal
  .refine((v) => !isDecimalText(v) || new Decimal(v).decimalPlaces() <= 2, 'must have at most 2 decimal places')
  .refine((v) => !isDecimalText(v) || new Decimal(v).lte('100000000000'), 'must be at most 100,000,000,000');
const ratePercent = nonNegativeDecimal
  .refine((v) => !isDecimalText(v) || new Decimal(v).lte(100), 'must be a percentage from 0 to 100')
  .refine((v) => !isDecimalText(v) || new Decimal(v).decimalPlaces() <= 6, 'must have at most 6 decimal places');

export const moneyRoutes = [
  defineRoute({
    method: 'put',
    path: '/api/v1/parties/:id/credit-line',
    summary: "Set a dealer's credit line in USD (0 removes it; never below what its buys use)",
    tag: 'reference data',
    access: ['operator'],
    params: idParams,
    body: z.object({ amount: usdAmountOrZero }).strict(),
    response: creditLineSchema,
    handler: async ({ params, body, principal, services }) => {
      const party = await getParty(services.knex, params.id);
      if (party.kind !== 'dealer')
        throw new ApiError('NOT_A_DEALER', `party ${party.id} is a ${party.kind}: credit lines are for dealers`, { partyId: party.id });
      const amount = new Decimal(body.amount);
      const view = await sequencerOf(services).execute((state) =>
        setCreditLine(state, {
          partyId: party.id,
          amount,
          changedBy: requirePrincipal(principal).userId,
          actor: actorOf(requirePrincipal(principal)),
        }),
      );
      return { body: view };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/reference-rates',
    summary: 'The TMPG reference rate series (percent), oldest first',
    tag: 'settlement',
    access: 'user',
    response: z.array(referenceRateSchema),
    handler: async ({ services }) => ({ body: await listReferenceRates(services.knex) }),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/reference-rates/:date',
    summary: 'Set the TMPG reference rate in force from the close of a date (percent)',
    tag: 'settlement',
    access: ['operator'],
    params: z.object({ date: isoDate }).strict(),
    body: z.object({ ratePercent }).strict(),
    response: referenceRateSchema,
    handler: async ({ params, body, principal, services }) => ({
      body: await setReferenceRate(
        services.knex,
        params.date,
        new Decimal(body.ratePercent),
        requirePrincipal(principal).userId,
        actorOf(requirePrincipal(principal)),
      ),
    }),
  }),
];
