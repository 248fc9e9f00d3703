/**
 * Prices a class from its projected flows (analytics/bond.ts, street convention): at a price, a
 * yield or an I-spread to the benchmark curve, with WAL, duration, convexity, DV01, Z-spread and
 * the loss to write-downs; and the class's flows after settlement as a bond flow plan, which the
 * contagion scenarios (risk/contagion.ts) price too.
 *
 * Display rounding (half-even): yields in percent to 4 places, spreads in bp to 1 place, WAL to 2,
 * durations, convexity and loss % to 4, DV01 and prices to 6; amounts are whole cents.
 * Guarantees: the flows are the projection's to the cent; a class with nothing left to pay has no
 * price (and 100% loss when face is left). Must never: load, project or round a figure before the
 * last step.
 */
import { Rejection } from '../core/rejections.js';
import { Decimal } from '../domain/decimal.js';
import { roundHalfEven } from '../domain/rounding.js';
import { parseIsoDate, type IsoDate } from '../domain/dates.js';
import { settlementDate as settlementAfter } from '../domain/calendar.js';
import { buildCouponSchedule } from '../domain/schedule.js';
import { weightedAverageLife } from '../domain/wal.js';
import type { DayCountConvention } from '../domain/daycount.js';
import type { Note } from '../refdata/notes.js';
import { parYieldAt } from '../analytics/curve.js';
import {
  flowPlan,
  priceAtYield,
  riskAtYield,
  yieldAtPrice,
  zSpreadAtPrice,
  DURATION_PLACES,
  PRICE_PLACES,
  SPREAD_PLACES,
  YIELD_PLACES,
  type FlowPlan,
} from '../analytics/bond.js';
import { BENCHMARK, type DealContext } from './context.js';
import type { ProjectionResult } from './model.js';

export type PricingInput = { noteId: string; price: string } | { noteId: string; yield: string } | { noteId: string; spreadBp: string };

/** Whole cents as a USD decimal string (−1234 → "-12.34"). */
export function money(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const digits = String(Math.abs(cents)).padStart(3, '0');
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

const fixed = (d: Decimal | null, places: number) => (d === null ? null : roundHalfEven(d, places).toFixed(places));

function noteSchedule(note: Note) {
  return buildCouponSchedule({
    issueDate: parseIsoDate(note.issueDate),
    firstCouponDate: parseIsoDate(note.firstCouponDate),
    maturityDate: parseIsoDate(note.maturityDate),
    frequency: note.frequency,
  });
}

/** The requested settlement date (not before the business date), else the deal's spot date after the business date. */
export function defaultSettlement(ctx: DealContext, requested?: string): IsoDate {
  if (requested) {
    if (requested < ctx.businessDate)
      throw new Rejection('VALIDATION_FAILED', 'settlementDate must not be before the business date', { field: 'settlementDate' });
    return parseIsoDate(requested);
  }
  return settlementAfter(parseIsoDate(ctx.businessDate), ctx.notes[0]?.settlementDays ?? 1);
}

export interface ClassAnalytics {
  price: string | null;
  yieldPercent: string | null;
  spreadBp: string | null;
  zSpreadBp: string | null;
  walYears: string | null;
  modifiedDuration: string | null;
  convexity: string | null;
  dv01: string | null;
  lossPercent: string | null;
}

/** A class's projected flows after settlement, on its face at settlement, and its write-downs after it. */
interface ClassFlows {
  note: Note;
  face: Decimal;
  principal: { date: IsoDate; amount: string }[];
  writedowns: Decimal;
  /** The flows as a bond flow plan; null when nothing is left to pay (no face, or every flow nil). */
  plan: FlowPlan | null;
}

function classFlows(ctx: DealContext, result: ProjectionResult, index: number, settlement: IsoDate): ClassFlows {
  const start = ctx.setup.classes[index]!;
  const note = ctx.notes.find((n) => n.id === start.noteId)!;
  let face = new Decimal(start.balance);
  const flows: { date: IsoDate; amount: string }[] = [];
  const principal: { date: IsoDate; amount: string }[] = [];
  let writedowns = new Decimal(0);
  for (const p of result.periods) {
    const c = p.classes[index]!;
    if (p.date <= settlement) {
      face = face.sub(money(c.principal)).sub(money(c.writedown));
      continue;
    }
    flows.push({ date: parseIsoDate(p.date), amount: money(c.interest + c.principal) });
    if (c.principal > 0) principal.push({ date: parseIsoDate(p.date), amount: money(c.principal) });
    writedowns = writedowns.add(money(c.writedown));
  }
  const nothingToPay = face.lte(0) || !flows.some((f) => !new Decimal(f.amount).isZero());
  const plan = nothingToPay
    ? null
    : flowPlan({
        couponRatePercent: note.couponRate,
        dayCount: note.dayCount as DayCountConvention,
        schedule: noteSchedule(note),
        settlementDate: settlement,
        face,
        flows,
      });
  return { note, face, principal, writedowns, plan };
}

/**
 * The class's projected flows after `settlement` as a bond flow plan, on its current face at
 * settlement — as classAnalytics prices them; null when nothing is left to pay.
 */
export function classPlan(ctx: DealContext, result: ProjectionResult, index: number, settlement: IsoDate): FlowPlan | null {
  return classFlows(ctx, result, index, settlement).plan;
}

/** Analytics of class `index` from a projection, at a price, a yield or an I-spread (default: price 100). */
export function classAnalytics(
  ctx: DealContext,
  result: ProjectionResult,
  index: number,
  settlement: IsoDate,
  pricing: PricingInput | undefined,
  full = true,
): ClassAnalytics {
  const { note, face, principal, writedowns, plan } = classFlows(ctx, result, index, settlement);
  const none: ClassAnalytics = {
    price: null,
    yieldPercent: null,
    spreadBp: null,
    zSpreadBp: null,
    walYears: null,
    modifiedDuration: null,
    convexity: null,
    dv01: null,
    lossPercent: null,
  };
  if (plan === null) return { ...none, lossPercent: face.gt(0) ? '100.0000' : null };
  const wal = principal.length > 0 ? weightedAverageLife({ settlementDate: settlement, principalFlows: principal }) : null;
  const benchmark = ctx.curve && wal ? parYieldAt(ctx.curve.par, wal).mul(100) : null;
  let clean: Decimal;
  let y: Decimal;
  if (pricing && 'yield' in pricing) {
    y = new Decimal(pricing.yield);
    clean = priceAtYield(plan, y).clean;
  } else if (pricing && 'spreadBp' in pricing) {
    if (benchmark === null)
      throw new Rejection(
        'CURVE_NOT_FOUND',
        `pricing at a spread needs a ${BENCHMARK} curve on or before ${ctx.businessDate} and principal to repay`,
        { noteId: note.id },
      );
    y = benchmark.add(new Decimal(pricing.spreadBp).div(100));
    clean = priceAtYield(plan, y).clean;
  } else {
    clean = new Decimal(pricing && 'price' in pricing ? pricing.price : '100');
    y = yieldAtPrice(plan, clean);
  }
  const risk = full ? riskAtYield(plan, y) : null;
  return {
    price: fixed(clean, PRICE_PLACES),
    yieldPercent: fixed(y, YIELD_PLACES),
    spreadBp: benchmark === null ? null : fixed(y.sub(benchmark).mul(100), SPREAD_PLACES),
    zSpreadBp: full && ctx.curve ? fixed(zSpreadAtPrice(plan, ctx.curve.zero, clean), SPREAD_PLACES) : null,
    walYears: fixed(wal, 2),
    modifiedDuration: risk ? fixed(risk.modifiedDuration, DURATION_PLACES) : null,
    convexity: risk ? fixed(risk.convexity, DURATION_PLACES) : null,
    dv01: risk ? fixed(risk.dv01, 6) : null,
    lossPercent: fixed(writedowns.mul(100).div(face), 4),
  };
}
