/** The business date and the end-of-day roll. */
import { z } from 'zod';
import { defineRoute, requirePrincipal } from '../route.js';
import { isoDate } from '../schemas.js';
import { currentBusinessDate, rollBusinessDate } from '../../businessdate/index.js';
import { actorOf } from '../../audit/index.js';
import { CHECKLIST_ITEMS, preRollChecklist } from '../../businessdate/checklist.js';
import { requoteAfterChange } from '../../trading/spread-requote.js';

/** What re-pricing the resting spread quotes did (null: the run did not finish; the next one retries). */
export const requoteSummarySchema = z.object({
  trigger: z.enum(['curve', 'business_date', 'start', 'resume']),
  repriced: z.number(),
  unchanged: z.number(),
  stale: z.number(),
  left: z.array(z.object({ partyId: z.string(), noteId: z.string(), code: z.string(), message: z.string() })),
  pulled: z.array(z.object({ partyId: z.string(), noteId: z.string(), code: z.string(), message: z.string() })),
});

export const businessDateRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/business-date',
    summary: 'The trading day that trades are dated with',
    tag: 'business date',
    access: 'user',
    response: z.object({ businessDate: z.string() }),
    handler: async ({ services }) => ({ body: { businessDate: await currentBusinessDate(services.knex) } }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/business-date/checklist',
    summary:
      'The pre-roll checklist: instructions due and not run, open fails, running settlement runs, collections not yet distributed, registry rows pending or failed',
    tag: 'business date',
    access: ['operator', 'backoffice'],
    response: z.object({
      businessDate: z.string(),
      nextBusinessDate: z.string(),
      ready: z.boolean(),
      items: z.array(
        z.object({
          key: z.enum(CHECKLIST_ITEMS),
          label: z.string(),
          count: z.number(),
          amount: z.string().nullable(),
          ok: z.boolean(),
          rows: z.array(z.record(z.string(), z.string())),
        }),
      ),
    }),
    handler: async ({ services }) => ({ body: await preRollChecklist(services.knex) }),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/business-date/roll',
    summary: 'End of day: run end-of-day work and move to the next business day',
    tag: 'business date',
    access: ['operator', 'backoffice'],
    body: z.object({ expectedDate: isoDate.optional() }).strict().optional(),
    response: z.object({ businessDate: z.string(), previousDate: z.string(), spreadQuotes: requoteSummarySchema.nullable() }),
    handler: async ({ body, principal, services }) => {
      const viewer = requirePrincipal(principal);
      const result = await rollBusinessDate(
        services.knex,
        { ...(body?.expectedDate ? { expectedDate: body.expectedDate } : {}), rolledBy: viewer.userId },
        services.endOfDayHooks,
        actorOf(viewer),
      );
      // Trades from here on are dated with the new day; the sequencer learns it once the roll has committed.
      await services.sequencer?.execute((state) => state.startBusinessDay(result.businessDate));
      // A spread quote's price depends on the date (settlement, the curve on or before it): re-derived for the new day.
      const spreadQuotes = await requoteAfterChange(services, 'business_date');
      return { body: { ...result, spreadQuotes } };
    },
  }),
];
