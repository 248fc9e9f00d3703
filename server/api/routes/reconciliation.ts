/** Reconciliation of trades, settlement instructions, the ledger, positions and the trust account. */
import { z } from 'zod';
import { defineRoute } from '../route.js';
import { reconcile } from '../../reconciliation/index.js';

/** A registry break a forced transfer can repair carries the transfer that would (POST /api/v1/registry/forced-transfers). */
const repairSchema = z.object({
  noteId: z.string(),
  fromPartyId: z.string(),
  toPartyId: z.string(),
  amount: z.string(),
  resolvesOutboxId: z.string().nullable(),
});
const breakSchema = z.object({
  kind: z.string(),
  entity: z.string(),
  expected: z.string(),
  actual: z.string(),
  difference: z.string(),
  message: z.string(),
  repair: repairSchema.optional(),
});

export const reconciliationRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/reconciliation',
    summary: 'Breaks between trades, settlements, ledger balances, positions and the trust account; empty when the books agree',
    tag: 'reconciliation',
    access: ['backoffice'],
    response: z.object({ breaks: z.array(breakSchema), checkedAt: z.string() }),
    handler: async ({ services }) => ({ body: await reconcile(services.knex, services.clock.now()) }),
  }),
];
