/**
 * A deal's waterfall (priority of payments) as data, in its step form (version 2): the classes in
 * order of seniority, the senior fee lines, the reserve target, the anticipated repayment date
 * (ARD), the triggers, and the ordered list of steps that spend the period's available funds.
 *
 * The zod schema checks the shape of each part; `validateDefinition` (validate.ts) checks that
 * the parts fit together (known classes, triggers and metrics, steps in order, no cycles). Pure:
 * no I/O. Amounts and rates are decimal strings, as on the wire.
 *
 * Steps (the `kind` of each):
 * - `senior_fees`: every fee line's amount for the period plus what earlier periods left unpaid;
 * - `interest`: one class's current interest plus its shortfall; deferred (paid in kind) instead
 *   while a `defer_interest` trigger naming the class is on;
 * - `deferred_interest`: pays a class's deferred interest while no trigger defers it;
 * - `reserve_top_up`: the liquidity reserve back to its target (fees and interest steps with
 *   `drawReserve` draw on it for what funds cannot pay);
 * - `scheduled_principal`: a fixed amount a period, sequential or pro rata over some classes;
 * - `cash_trap`: deposits the highest percentage of the remaining funds that an `on` `trap_cash`
 *   trigger asks for, or, while no such trigger is on, releases the trapped cash to the steps
 *   below (so it reaches the residual holder on cure);
 * - `sweep`: all remaining funds (and the trapped cash if `includeTrappedCash`) to principal;
 * - `additional_interest`: post-ARD step-up interest of one class, with its own shortfall;
 * - `residual`: whatever is left, to the residual holder (always the last step).
 * Any step may carry `when`, conditions that must all hold for it to run this period: before or
 * from the ARD, a named trigger on or off, a rapid-amortization trigger on or not.
 *
 * Triggers: a metric (by name, e.g. `dscrThreeMonthAverage`), a comparison and threshold that
 * define a *breach* (e.g. `lt` 1.35: breached while the metric is below 1.35), a lookback (the
 * breach counts while any of the last N tests failed, this period's included), how many
 * consecutive passing periods cure it, and what it switches while on.
 */
import { z } from 'zod';
import { Decimal } from '../domain/decimal.js';
import { isIsoDate } from '../domain/dates.js';
import { METRIC_NAMES } from '../performance/metrics.js';

const DECIMAL_PATTERN = /^(0|[1-9]\d{0,30})(\.\d{1,18})?$/;
const decimal = z.string().regex(DECIMAL_PATTERN, 'must be a non-negative decimal string such as "1.35"');
// Zod runs a refinement even after the pattern failed, so each one reads only strings the
// pattern accepts (a "100,000" would otherwise throw inside decimal.js: a 500 the fuzz suite found).
const cents = decimal.refine((v) => !DECIMAL_PATTERN.test(v) || new Decimal(v).decimalPlaces() <= 2, 'must have at most 2 decimal places');
const percent = decimal.refine((v) => !DECIMAL_PATTERN.test(v) || new Decimal(v).lte(100), 'must be at most 100');
const isoDate = z.string().refine((v): boolean => isIsoDate(v), 'must be a calendar date YYYY-MM-DD');
const name = z.string().trim().min(1).max(60);
const className = z.string().trim().min(1).max(20);
const periods = z.number().int().min(1).max(120);

/** Metric names a trigger may test: the derived credit metrics of the performance reports (one list, theirs). */
export const KNOWN_METRICS: readonly string[] = METRIC_NAMES;

export const conditionSchema = z
  .object({
    ard: z.enum(['before', 'from']).optional().describe('before: payment date before the ARD; from: on or after it'),
    triggerOn: name.optional().describe('the named trigger is on this period'),
    triggerOff: name.optional().describe('the named trigger is off this period'),
    rapidAmortization: z.boolean().optional().describe('true: some rapid_amortization trigger is on; false: none is'),
  })
  .strict();

const when = conditionSchema.optional();
const principalMode = z.enum(['sequential', 'pro_rata']);
const classList = z.array(className).min(1).max(20);

export const stepSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('senior_fees'), drawReserve: z.boolean().default(false), when }).strict(),
  z.object({ kind: z.literal('interest'), className, drawReserve: z.boolean().default(false), when }).strict(),
  z.object({ kind: z.literal('deferred_interest'), className, when }).strict(),
  z.object({ kind: z.literal('reserve_top_up'), when }).strict(),
  z.object({ kind: z.literal('scheduled_principal'), amountPerPeriod: cents, mode: principalMode, classes: classList, when }).strict(),
  z.object({ kind: z.literal('cash_trap'), when }).strict(),
  z
    .object({ kind: z.literal('sweep'), mode: principalMode, classes: classList, includeTrappedCash: z.boolean().default(false), when })
    .strict(),
  z.object({ kind: z.literal('additional_interest'), className, when }).strict(),
  z.object({ kind: z.literal('residual') }).strict(),
]);

export const triggerEffectSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('trap_cash'), percent }).strict(),
  z.object({ type: z.literal('rapid_amortization') }).strict(),
  z.object({ type: z.literal('defer_interest'), classes: classList }).strict(),
]);

export const triggerSchema = z
  .object({
    name,
    metric: z.string().min(1).max(60),
    comparison: z.enum(['lt', 'lte', 'gt', 'gte']).describe('breached while metric <comparison> threshold'),
    threshold: decimal,
    lookbackPeriods: periods.default(1).describe('breached while any of the last N tests failed, this period included'),
    curePeriods: periods.default(1).describe('consecutive periods without a breach that turn the trigger off'),
    effect: triggerEffectSchema,
  })
  .strict();

export const waterfallDefinitionSchema = z
  .object({
    version: z.literal(2),
    paymentsPerYear: z.union([z.literal(1), z.literal(2), z.literal(4), z.literal(12)]),
    recordDate: z.literal('business-day-before-payment-date'),
    classes: z
      .array(
        z
          .object({
            noteId: z.string().uuid(),
            className,
            stepUpRatePercent: percent.nullable().default(null).describe('additional annual interest from the ARD (post-ARD step-up)'),
            floatingRate: z
              .object({
                index: z.string().regex(/^[A-Z][A-Z0-9_-]{0,19}$/, 'must be an upper-case index name such as SOFR'),
                marginBp: decimal.refine(
                  (v) => !DECIMAL_PATTERN.test(v) || new Decimal(v).decimalPlaces() <= 2,
                  'must have at most 2 decimal places',
                ),
              })
              .strict()
              .optional()
              .describe(
                "a floating coupon: index + margin. Servicing accrues the fixing supplied with each distribution (fixings) + the margin; projections use the scenario's ratePath + margin",
              ),
          })
          .strict(),
      )
      .min(1)
      .max(20),
    seniorFees: z.array(z.object({ name, annualRatePercent: percent.default('0'), fixedPerPeriod: cents.default('0') }).strict()).max(10),
    reserve: z.object({ targetAmount: cents }).strict(),
    anticipatedRepaymentDate: isoDate.nullable(),
    triggers: z.array(triggerSchema).max(20),
    steps: z.array(stepSchema).min(1).max(100),
  })
  .strict();

export type WaterfallDefinition = z.infer<typeof waterfallDefinitionSchema>;
export type WaterfallStep = WaterfallDefinition['steps'][number];
export type StepKind = WaterfallStep['kind'];
export type WaterfallTrigger = WaterfallDefinition['triggers'][number];
export type TriggerEffect = WaterfallTrigger['effect'];
export type StepCondition = z.infer<typeof conditionSchema>;
export type WaterfallClass = WaterfallDefinition['classes'][number];

/** A step's `when`, or none for the residual (which always runs). */
export function stepCondition(step: WaterfallStep): StepCondition | undefined {
  return step.kind === 'residual' ? undefined : step.when;
}

/** The class names a step names, in its order. */
export function stepClasses(step: WaterfallStep): readonly string[] {
  switch (step.kind) {
    case 'interest':
    case 'deferred_interest':
    case 'additional_interest':
      return [step.className];
    case 'scheduled_principal':
    case 'sweep':
      return step.classes;
    default:
      return [];
  }
}

/** A human label for reports: the kind and the classes it concerns. */
export function stepLabel(step: WaterfallStep): string {
  const classes = stepClasses(step);
  return classes.length === 0 ? step.kind : `${step.kind} ${classes.join(', ')}`;
}
