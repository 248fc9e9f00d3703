/**
 * Stored rate fixings (servicing/fixings.ts): an index's published value per date, set by an
 * operator or the back office (audited, rate_fixing.set) and read by anyone. Distributions of
 * floating classes use the fixing in effect for the period when their request gives none.
 */
import { z } from 'zod';
import { actorOf } from '../../audit/index.js';
import { Decimal } from '../../domain/decimal.js';
import { assertNotAfterBusinessDate } from '../../businessdate/index.js';
import { FIXING_MAX_PERCENT, FIXING_MIN_PERCENT, INDEX_NAME, listRateFixings, setRateFixing } from '../../servicing/fixings.js';
import { defineRoute, requirePrincipal } from '../route.js';
import { decimalString, isoDate } from '../schemas.js';

const indexName = z.string().regex(INDEX_NAME, 'an index name such as SOFR: capital letters, digits, _ or -, at most 20');
const ratePercent = decimalString
  .refine((v) => new Decimal(v).gte(FIXING_MIN_PERCENT) && new Decimal(v).lte(FIXING_MAX_PERCENT), {
    message: `must be from ${FIXING_MIN_PERCENT} to ${FIXING_MAX_PERCENT} (percent)`,
  })
  .refine((v) => new Decimal(v).decimalPlaces() <= 6, 'must have at most 6 decimal places');
const fixing = z.object({ index: z.string(), date: z.string(), ratePercent: z.string() });

export const rateFixingRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/rate-fixings/:index',
    summary: "An index's stored fixings (percent), oldest first; from/to bound the dates (inclusive)",
    tag: 'servicing',
    access: 'user',
    params: z.object({ index: indexName }).strict(),
    query: z.object({ from: isoDate.optional(), to: isoDate.optional() }).strict(),
    response: z.array(fixing),
    handler: async ({ params, query, services }) => ({
      body: await listRateFixings(services.knex, params.index, {
        ...(query.from ? { from: query.from } : {}),
        ...(query.to ? { to: query.to } : {}),
      }),
    }),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/rate-fixings/:index/:date',
    summary: "Set (or correct) an index's fixing for a date, not after the business date (percent)",
    tag: 'servicing',
    access: ['operator', 'backoffice'],
    params: z.object({ index: indexName, date: isoDate }).strict(),
    body: z.object({ ratePercent }).strict(),
    response: fixing.extend({ previousRatePercent: z.string().nullable() }),
    handler: async ({ params, body, principal, services }) => {
      const viewer = requirePrincipal(principal);
      // A fixing is published for a day that has come; a future one would be a guess.
      await assertNotAfterBusinessDate(services.knex, params.date, 'the fixing date');
      return {
        body: await setRateFixing(
          services.knex,
          { index: params.index, date: params.date, ratePercent: new Decimal(body.ratePercent) },
          viewer.userId,
          actorOf(viewer),
        ),
      };
    },
  }),
];
