/**
 * The first, fixed-shape waterfall definition (version 1) and its conversion to the step form.
 *
 * Version 1 said: senior fees, then interest to each class in order of seniority (both may draw
 * the reserve), reserve top-up, then before the ARD the scheduled principal (sequential or pro
 * rata) and a single-period DSCR cash trap (trapPercent of the excess while `dscr` is below the
 * threshold, else trapped cash released), and from the ARD a full sweep of excess and trapped cash
 * to principal; the rest to the residual holder.
 *
 * `fromVersion1` writes exactly that as steps: the trap is a trigger on the `dscr` metric with a
 * one-period lookback and an immediate cure, so the same inputs give the same amounts
 * (test/waterfall/migration.test.ts runs both on random inputs). Old clients keep sending v1;
 * the stored form and every answer are v2. Pure.
 */
import { z } from 'zod';
import { Decimal } from '../domain/decimal.js';
import { isIsoDate } from '../domain/dates.js';
import type { WaterfallDefinition, WaterfallStep } from './definition.js';
import { waterfallDefinitionSchema } from './definition.js';

const DECIMAL_PATTERN = /^(0|[1-9]\d{0,30})(\.\d{1,18})?$/;
const decimal = z.string().regex(DECIMAL_PATTERN, 'must be a non-negative decimal string');
// Zod runs a refinement even after the pattern failed: read only strings the pattern accepts.
const cents = decimal.refine((v) => !DECIMAL_PATTERN.test(v) || new Decimal(v).decimalPlaces() <= 2, 'must have at most 2 decimal places');
const percent = decimal.refine((v) => !DECIMAL_PATTERN.test(v) || new Decimal(v).lte(100), 'must be at most 100');

export const waterfallV1Schema = z
  .object({
    version: z.literal(1),
    paymentsPerYear: z.union([z.literal(1), z.literal(2), z.literal(4), z.literal(12)]),
    seniorFees: z
      .array(
        z
          .object({ name: z.string().trim().min(1).max(60), annualRatePercent: percent.default('0'), fixedPerPeriod: cents.default('0') })
          .strict(),
      )
      .max(10),
    classes: z
      .array(z.object({ noteId: z.string().uuid(), className: z.string().trim().min(1).max(20) }).strict())
      .min(1)
      .max(20),
    reserve: z.object({ targetAmount: cents }).strict(),
    principal: z.object({ mode: z.enum(['sequential', 'pro_rata']), scheduledPerPeriod: cents }).strict(),
    cashTrap: z.object({ dscrThreshold: decimal, trapPercent: percent }).strict().nullable(),
    anticipatedRepaymentDate: z
      .string()
      .refine((v): boolean => isIsoDate(v), 'must be a calendar date YYYY-MM-DD')
      .nullable(),
    recordDate: z.literal('business-day-before-payment-date'),
  })
  .strict();

export type WaterfallDefinitionV1 = z.infer<typeof waterfallV1Schema>;

/** The name version 1's DSCR trap gets as a trigger. */
export const V1_TRAP_TRIGGER = 'dscr-cash-trap';

export function fromVersion1(v1: WaterfallDefinitionV1): WaterfallDefinition {
  const classNames = v1.classes.map((c) => c.className);
  const hasArd = v1.anticipatedRepaymentDate !== null;
  const beforeArd = hasArd ? { when: { ard: 'before' as const } } : {};
  const steps: WaterfallStep[] = [
    { kind: 'senior_fees', drawReserve: true },
    ...classNames.map((className) => ({ kind: 'interest' as const, className, drawReserve: true })),
    { kind: 'reserve_top_up' },
    {
      kind: 'scheduled_principal',
      amountPerPeriod: v1.principal.scheduledPerPeriod,
      mode: v1.principal.mode,
      classes: classNames,
      ...beforeArd,
    },
    { kind: 'cash_trap', ...beforeArd },
  ];
  if (hasArd) steps.push({ kind: 'sweep', mode: v1.principal.mode, classes: classNames, includeTrappedCash: true, when: { ard: 'from' } });
  steps.push({ kind: 'residual' });
  return {
    version: 2,
    paymentsPerYear: v1.paymentsPerYear,
    recordDate: v1.recordDate,
    classes: v1.classes.map((c) => ({ noteId: c.noteId, className: c.className, stepUpRatePercent: null })),
    seniorFees: v1.seniorFees,
    reserve: v1.reserve,
    anticipatedRepaymentDate: v1.anticipatedRepaymentDate,
    triggers:
      v1.cashTrap === null
        ? []
        : [
            {
              name: V1_TRAP_TRIGGER,
              metric: 'dscr',
              comparison: 'lt',
              threshold: v1.cashTrap.dscrThreshold,
              lookbackPeriods: 1,
              curePeriods: 1,
              effect: { type: 'trap_cash', percent: v1.cashTrap.trapPercent },
            },
          ],
    steps,
  };
}

/** Either version on input (the wire, a stored row); the step form out. Shape only: validate afterwards. */
export const anyVersionSchema = z.union([waterfallDefinitionSchema, waterfallV1Schema]);

export function toStepForm(definition: z.infer<typeof anyVersionSchema>): WaterfallDefinition {
  return definition.version === 1 ? fromVersion1(definition) : definition;
}
