/** Reference data: deals with their collateral, notes, and parties. Operators list and halt. */
import { z } from 'zod';
import { actorOf } from '../../audit/index.js';
import { defineRoute, requirePrincipal } from '../route.js';
import { ApiError } from '../errors.js';
import { seesAllParties } from '../../auth/roles.js';
import { idParams, isoDate, nonNegativeDecimal, positiveDecimal } from '../schemas.js';
import { createDeal, getDeal, listDeals } from '../../refdata/deals.js';
import { createNote, DAY_COUNTS_ACCEPTED, FREQUENCIES, getNote, listNotes, TRACE_CATEGORIES } from '../../refdata/notes.js';
import { listNoteForTrading, priceBandView, setHalted, setPriceBand } from '../../sequencer/admin.js';
import { Decimal } from '../../domain/decimal.js';
import { sequencerOf } from '../../trading/order-entry.js';
import { requoteAfterChange } from '../../trading/spread-requote.js';
import { createParty, getParty, listParties, setPartyEligibility } from '../../refdata/parties.js';

const shortText = z.string().trim().min(1).max(200);

const noteInput = z
  .object({
    isin: z.string().regex(/^[A-Z]{2}[A-Z0-9]{9}[0-9]$/, 'must be 12 characters: country code, 9 alphanumerics, check digit'),
    dealId: z.string().uuid(),
    className: z.string().trim().min(1).max(20),
    name: shortText,
    seniority: z.number().int().min(1).max(99),
    rating: z.string().trim().min(1).max(10),
    couponType: z.enum(['fixed', 'floating']),
    couponRate: nonNegativeDecimal,
    dayCount: z.enum(DAY_COUNTS_ACCEPTED),
    frequency: z.union(
      FREQUENCIES.map((f) => z.literal(f)) as unknown as [z.ZodLiteral<1>, z.ZodLiteral<2>, z.ZodLiteral<4>, z.ZodLiteral<12>],
    ),
    issueDate: isoDate,
    firstCouponDate: isoDate,
    maturityDate: isoDate,
    originalFace: positiveDecimal,
    factor: positiveDecimal,
    currency: z.literal('USD').default('USD'),
    minDenomination: positiveDecimal,
    increment: positiveDecimal,
    tickSize: positiveDecimal,
    settlementDays: z.number().int().min(0).max(5).default(1),
    traceCategory: z.enum(TRACE_CATEGORIES).default('ABS'),
    /** Deprecated, ignored: the cap is derived from traceCategory and rating. */
    disseminationCap: positiveDecimal.optional(),
    maxOrderFace: positiveDecimal
      .nullable()
      .optional()
      .describe('the most face one order, quote or RFQ may ask for; default (null) the original face'),
  })
  .strict();

export const noteSchema = noteInput.extend({
  id: z.string(),
  status: z.enum(['active', 'halted']),
  currency: z.literal('USD'),
  disseminationCap: z.string(),
  priceBandPoints: z.string(),
});

const priceBandSchema = z.object({
  noteId: z.string(),
  widthPoints: z.string(),
  reference: z.string().nullable(),
  referenceSource: z.enum(['last_trade', 'mid']).nullable(),
  low: z.string().nullable(),
  high: z.string().nullable(),
});

const dealInput = z
  .object({
    name: shortText,
    sponsor: shortText,
    issuer: shortText,
    dealType: shortText,
    closingDate: isoDate,
    collateral: z
      .object({
        site: shortText,
        capacityMw: positiveDecimal,
        gpuCount: z.number().int().min(0).max(10_000_000),
        gpuModel: shortText,
        lessee: shortText,
        leaseTermMonths: z.number().int().min(1).max(600),
      })
      .strict(),
    description: z.string().max(2000).default(''),
  })
  .strict();

const dealSchema = dealInput.extend({ id: z.string(), notes: z.array(noteSchema).optional() });

const partySchema = z.object({ id: z.string(), name: z.string(), kind: z.string(), eligible: z.boolean(), createdAt: z.string() });

export const refdataRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/deals',
    summary: 'List deals with collateral facts and notes',
    tag: 'reference data',
    access: 'user',
    response: z.array(dealSchema),
    handler: async ({ services }) => {
      const [deals, notes] = await Promise.all([listDeals(services.knex), listNotes(services.knex)]);
      return { body: deals.map((deal) => ({ ...deal, notes: notes.filter((n) => n.dealId === deal.id) })) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/deals/:id',
    summary: 'A deal with its collateral facts and capital structure',
    tag: 'reference data',
    access: 'user',
    params: idParams,
    response: dealSchema,
    handler: async ({ params, services }) => {
      const deal = await getDeal(services.knex, params.id);
      return { body: { ...deal, notes: await listNotes(services.knex, { dealId: deal.id }) } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/deals',
    summary: 'Register a deal',
    tag: 'reference data',
    access: ['operator'],
    body: dealInput,
    response: dealSchema,
    successStatus: 201,
    idempotent: true,
    handler: async ({ body, principal, services }) => ({
      body: await createDeal(services.knex, body, actorOf(requirePrincipal(principal))),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/notes',
    summary: 'List notes',
    tag: 'reference data',
    access: 'user',
    query: z.object({ dealId: z.string().uuid().optional() }).strict(),
    response: z.array(noteSchema),
    handler: async ({ query, services }) => ({ body: await listNotes(services.knex, query) }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/notes/:id',
    summary: 'Note reference data',
    tag: 'reference data',
    access: 'user',
    params: idParams,
    response: noteSchema,
    handler: async ({ params, services }) => ({ body: await getNote(services.knex, params.id) }),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/notes',
    summary: 'List a note for trading',
    tag: 'reference data',
    access: ['operator'],
    body: noteInput,
    response: noteSchema,
    successStatus: 201,
    idempotent: true,
    handler: async ({ body, principal, services }) => {
      await getDeal(services.knex, body.dealId);
      const note = await createNote(services.knex, body, actorOf(requirePrincipal(principal)));
      await sequencerOf(services).execute((state) => listNoteForTrading(state, note));
      return { body: note };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/notes/:id/price-band',
    summary: "The note's price band now: its width, reference price and bounds (null without a reference)",
    tag: 'reference data',
    access: 'user',
    params: idParams,
    response: priceBandSchema,
    handler: async ({ params, services }) => {
      await getNote(services.knex, params.id);
      return { body: sequencerOf(services).view((state) => priceBandView(state, params.id)) };
    },
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/notes/:id/price-band',
    summary: "Set the half-width in points of the note's price band (operator)",
    tag: 'reference data',
    access: ['operator'],
    params: idParams,
    body: z.object({ widthPoints: positiveDecimal }).strict(),
    response: priceBandSchema,
    handler: async ({ params, body, principal, services }) => {
      const actor = actorOf(requirePrincipal(principal));
      await getNote(services.knex, params.id);
      const width = new Decimal(body.widthPoints);
      if (width.lte(0) || width.gt(100))
        throw new ApiError('VALIDATION_FAILED', 'widthPoints must be above 0 and at most 100', { field: 'widthPoints' });
      return { body: await sequencerOf(services).execute((state) => setPriceBand(state, params.id, width, actor)) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/notes/:id/halt',
    summary: 'Halt trading in a note',
    tag: 'reference data',
    access: ['operator'],
    params: idParams,
    response: noteSchema,
    handler: async ({ params, principal, services }) => {
      const actor = actorOf(requirePrincipal(principal));
      await getNote(services.knex, params.id);
      await sequencerOf(services).execute((state) => setHalted(state, params.id, true, actor));
      return { body: await getNote(services.knex, params.id) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/notes/:id/resume',
    summary: 'Resume trading in a note',
    tag: 'reference data',
    access: ['operator'],
    params: idParams,
    response: noteSchema,
    handler: async ({ params, principal, services }) => {
      const actor = actorOf(requirePrincipal(principal));
      await getNote(services.knex, params.id);
      await sequencerOf(services).execute((state) => setHalted(state, params.id, false, actor));
      // Spread quotes on the note could not be re-priced while it was halted: they are now (the outcome: GET /quotes/reprices).
      await requoteAfterChange(services, 'resume');
      return { body: await getNote(services.knex, params.id) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/parties',
    summary: 'List parties',
    tag: 'reference data',
    access: ['operator', 'backoffice'],
    response: z.array(partySchema),
    handler: async ({ services }) => ({ body: await listParties(services.knex) }),
  }),
  defineRoute({
    // A dealer's name is public (an RFQ is addressed to dealers by id); nothing else of a party is.
    method: 'get',
    path: '/api/v1/dealers',
    summary: 'The eligible dealers, by id and name (to address RFQs and to name who answered)',
    tag: 'reference data',
    access: 'user',
    response: z.array(z.object({ id: z.string(), name: z.string() })),
    handler: async ({ services }) => ({
      body: (await listParties(services.knex)).filter((p) => p.kind === 'dealer' && p.eligible).map((p) => ({ id: p.id, name: p.name })),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/parties/:id',
    summary: 'A party (own party, or any for operators and back office)',
    tag: 'reference data',
    access: 'user',
    params: idParams,
    response: partySchema,
    handler: async ({ params, services, principal }) => {
      const viewer = requirePrincipal(principal);
      const party = await getParty(services.knex, params.id);
      if (party.id !== viewer.partyId && !seesAllParties(viewer.roles)) throw new ApiError('FORBIDDEN', 'a user sees only its own party');
      return { body: party };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/parties',
    summary: 'Onboard a party',
    tag: 'reference data',
    access: ['operator'],
    body: z
      .object({ name: shortText, kind: z.enum(['investor', 'dealer', 'backoffice', 'operator']), eligible: z.boolean().default(true) })
      .strict(),
    response: partySchema,
    successStatus: 201,
    idempotent: true,
    handler: async ({ body, principal, services }) => {
      const party = await createParty(services.knex, body, actorOf(requirePrincipal(principal)));
      if (party.eligible) await sequencerOf(services).execute((state) => void state.eligibleParties.add(party.id));
      return { body: party };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/parties/:id',
    summary: "Change a party's trading eligibility",
    tag: 'reference data',
    access: ['operator'],
    params: idParams,
    body: z.object({ eligible: z.boolean() }).strict(),
    response: partySchema,
    handler: async ({ params, body, principal, services }) => {
      const party = await setPartyEligibility(services.knex, params.id, body.eligible, actorOf(requirePrincipal(principal)));
      await sequencerOf(services).execute(
        (state) => void (party.eligible ? state.eligibleParties.add(party.id) : state.eligibleParties.delete(party.id)),
      );
      return { body: party };
    },
  }),
];
