/** The audit trail of operator and back-office actions (who did what, when), newest first. */
import { z } from 'zod';
import { defineRoute } from '../route.js';
import { isoDate, limitParam, pagingId } from '../schemas.js';
import { AUDIT_ACTIONS, listAudit } from '../../audit/index.js';

/**
 * A bound of the `at` range: a date (the whole UTC day: `from` at its start, `to` through its
 * end) or an instant with its offset (`2026-12-09T14:30:00Z`).
 */
const instant = z.iso.datetime({ offset: true, message: 'must be a date YYYY-MM-DD or an instant like 2026-12-09T14:30:00Z' });
const bound = z.union([isoDate, instant]);

const DAY_MS = 24 * 60 * 60 * 1000;

/** `from`: the first instant included. */
export function fromInstant(value: string): Date {
  return value.length === 10 ? new Date(`${value}T00:00:00Z`) : new Date(value);
}

/** `to`: the first instant no longer included (a date includes its whole day, an instant itself). */
export function toInstantExclusive(value: string): Date {
  return value.length === 10 ? new Date(new Date(`${value}T00:00:00Z`).getTime() + DAY_MS) : new Date(new Date(value).getTime() + 1);
}

export const auditQuery = z
  .object({
    from: bound.optional(),
    to: bound.optional(),
    actor: z.string().trim().min(1).max(100).optional(),
    action: z.enum(AUDIT_ACTIONS).optional(),
    before: pagingId.optional(),
    limit: limitParam(100, 1000),
  })
  .strict()
  .refine((q) => q.from === undefined || q.to === undefined || fromInstant(q.from) < toInstantExclusive(q.to), {
    message: 'from must not be after to',
    path: ['from'],
  });

const auditRowSchema = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  role: z.string(),
  action: z.enum(AUDIT_ACTIONS),
  entity: z.string(),
  details: z.record(z.string(), z.unknown()),
});

export const auditRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/audit',
    summary:
      'The audit trail: who did what, on what, when (operator and back-office actions), newest first; page with ?before=<id of the last row>',
    tag: 'audit',
    access: ['backoffice', 'operator'],
    query: auditQuery,
    response: z.array(auditRowSchema),
    handler: async ({ query, services }) => ({
      body: await listAudit(services.knex, {
        limit: query.limit,
        ...(query.from ? { from: fromInstant(query.from) } : {}),
        ...(query.to ? { to: toInstantExclusive(query.to) } : {}),
        ...(query.actor ? { actor: query.actor } : {}),
        ...(query.action ? { action: query.action } : {}),
        ...(query.before ? { beforeId: query.before } : {}),
      }),
    }),
  }),
];
