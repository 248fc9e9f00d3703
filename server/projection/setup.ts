/**
 * Builds a projection setup from what servicing stores — pure: the deal's waterfall definition in
 * step form (the one the trustee services with; a stored version 1 goes through
 * server/waterfall's toStepForm first), its notes, the trust's state (class balances and shortfalls,
 * reserve, trapped cash, fee shortfall, last payment date, recent DSCRs) and the collateral's base
 * facts with lease expiries as dates.
 *
 * Payment dates: the first class's coupon dates after the last payment date (or, before any
 * distribution, from the first coupon date on or after `asOf`, the business date) to the legal final
 * (the latest maturity of the classes). Accrual fractions as servicing/distribution-period.ts computes them.
 */
import { Decimal } from '../domain/decimal.js';
import { addMonths, civil, lastDayOfMonth, parseIsoDate } from '../domain/dates.js';
import { dayCountDays, type DayCountConvention } from '../domain/daycount.js';
import { buildCouponSchedule } from '../domain/schedule.js';
import { collectionPeriod } from '../servicing/calendar.js';
import { debtServiceTerms } from '../performance/debt-service.js';
import type { WaterfallDefinition } from '../waterfall/index.js';
import type { CollateralFacts, ProjectionSetup, TenantFacts, TriggerStart, YearFraction } from './model.js';

export interface NoteFacts {
  id: string;
  className: string;
  couponRate: string;
  dayCount: string;
  frequency: number;
  issueDate: string;
  firstCouponDate: string;
  maturityDate: string;
  originalFace: string;
  factor: string;
}

export interface TrustState {
  freeCash: string;
  reserveBalance: string;
  trappedCash: string;
  feeShortfall: string;
  lastPaymentDate: string | null;
  /** By note id; deferred and additional interest default to zero where servicing keeps none. */
  classes: Map<string, { balance: string; interestShortfall: string; deferredInterest?: string; additionalInterestShortfall?: string }>;
  /** Published dscr of the performance reports before the first projected month, most recent first. */
  recentDscrs: (string | null)[];
  /** Trigger states by name (on, cure count, recent failures); a trigger not listed starts off. */
  triggers: Record<string, TriggerStart>;
}

export interface CollateralBaseFacts extends Omit<CollateralFacts, 'tenants'> {
  tenants: (Omit<TenantFacts, 'expiryMonth'> & { leaseExpiry: string })[];
}

export function accrualFraction(dayCount: string, start: string, end: string, paymentsPerYear: number): YearFraction {
  const a = parseIsoDate(start);
  const b = parseIsoDate(end);
  switch (dayCount) {
    case 'ACT/ACT-ICMA':
      return { days: 1, basis: paymentsPerYear };
    case 'ACT/365F':
      return { days: dayCountDays('ACT/365F', a, b), basis: 365 };
    default:
      return { days: dayCountDays(dayCount as DayCountConvention, a, b), basis: 360 };
  }
}

/** Months from the first projected month (`firstMonth`, any date in it) to `date`'s month, counting both: the lease's last projected month. */
export function monthsUntil(firstMonth: string, date: string): number {
  const a = civil(parseIsoDate(firstMonth));
  const b = civil(parseIsoDate(date));
  return (b.year - a.year) * 12 + (b.month - a.month) + 1;
}

export function paymentDates(lead: NoteFacts, legalFinal: string, lastPaymentDate: string | null, asOf: string): string[] {
  const schedule = buildCouponSchedule({
    issueDate: parseIsoDate(lead.issueDate),
    firstCouponDate: parseIsoDate(lead.firstCouponDate),
    maturityDate: parseIsoDate(legalFinal),
    frequency: lead.frequency as 1 | 2 | 4 | 12,
  });
  // Before any distribution, a coupon date on the business date itself is still to be paid.
  return lastPaymentDate === null ? schedule.couponDates.filter((d) => d >= asOf) : schedule.couponDates.filter((d) => d > lastPaymentDate);
}

/**
 * The payment dates still to project and the accrual start of the first (the last payment date,
 * else one payment period before the first date): the period whose rate fixing is current. Null
 * start when nothing is left to pay.
 */
export function projectedPaymentDates(
  definition: WaterfallDefinition,
  allNotes: readonly NoteFacts[],
  lastPaymentDate: string | null,
  asOf: string,
): { dates: string[]; firstAccrualStart: string | null } {
  const byId = new Map(allNotes.map((n) => [n.id, n]));
  const notes = definition.classes.map((c) => byId.get(c.noteId)!);
  const legalFinal = notes.reduce((latest, n) => (n.maturityDate > latest ? n.maturityDate : latest), notes[0]!.maturityDate);
  const dates = paymentDates(notes[0]!, legalFinal, lastPaymentDate, asOf);
  const first = dates[0];
  const start = lastPaymentDate ?? (first === undefined ? null : addMonths(parseIsoDate(first), -12 / definition.paymentsPerYear));
  return { dates, firstAccrualStart: start };
}

export function buildSetup(input: {
  definition: WaterfallDefinition;
  notes: readonly NoteFacts[];
  state: TrustState;
  collateral: CollateralBaseFacts;
  asOf: string;
  /** Filed reports by month end: their published metrics (wire strings). */
  reportsByMonthEnd?: ReadonlyMap<string, Record<string, string | null>>;
}): ProjectionSetup {
  const { definition, state } = input;
  const byId = new Map(input.notes.map((n) => [n.id, n]));
  const notes = definition.classes.map((c) => byId.get(c.noteId)!);
  const { dates, firstAccrualStart } = projectedPaymentDates(definition, input.notes, state.lastPaymentDate, input.asOf);
  const ppy = definition.paymentsPerYear;
  let previous = firstAccrualStart ?? addMonths(parseIsoDate(dates[0]!), -12 / ppy);
  const periods = dates.map((date) => {
    const fractions = notes.map((n) => accrualFraction(n.dayCount, previous, date, ppy));
    const accrualStart = previous;
    previous = date;
    return { date, accrualStart, fractions };
  });
  const ard = definition.anticipatedRepaymentDate;
  const ardIndex = ard === null ? -1 : dates.findIndex((d) => d >= ard);
  // Month m of the projection: the m-th month of the collection periods (servicing/calendar.ts).
  const monthEnds = dates.flatMap((date) => {
    const start = parseIsoDate(collectionPeriod(date, ppy).periodStart);
    return Array.from({ length: 12 / ppy }, (_, k) => {
      const c = civil(addMonths(start, k));
      return lastDayOfMonth(c.year, c.month);
    });
  });
  const reports = input.reportsByMonthEnd;
  const dscrByMonth: Record<number, string | null> = {};
  const metricsByPeriod: Record<number, Record<string, string>> = {};
  if (reports) {
    monthEnds.forEach((end, i) => {
      const r = reports.get(end);
      if (r) dscrByMonth[i + 1] = r.dscr ?? null;
    });
    dates.forEach((_, p) => {
      const r = reports.get(monthEnds[(p + 1) * (12 / ppy) - 1]!);
      if (r) metricsByPeriod[p + 1] = Object.fromEntries(Object.entries(r).filter((e): e is [string, string] => e[1] !== null));
    });
  }
  const floating = new Map(definition.classes.map((c) => [c.className, c.floatingRate?.marginBp ?? null]));
  return {
    definition,
    monthsPerPeriod: 12 / ppy,
    periods,
    ardPeriod: ardIndex < 0 ? null : ardIndex + 1,
    classes: notes.map((n) => {
      const s = state.classes.get(n.id);
      return {
        noteId: n.id,
        className: definition.classes.find((c) => c.noteId === n.id)!.className,
        couponRatePercent: n.couponRate,
        balance: s?.balance ?? canonicalCents(n.originalFace, n.factor),
        interestShortfall: s?.interestShortfall ?? '0',
        deferredInterest: s?.deferredInterest ?? '0',
        additionalInterestShortfall: s?.additionalInterestShortfall ?? '0',
        floatingMarginBp: floating.get(definition.classes.find((c) => c.noteId === n.id)!.className) ?? null,
      };
    }),
    start: {
      freeCash: state.freeCash,
      reserve: state.reserveBalance,
      trappedCash: state.trappedCash,
      feeShortfall: state.feeShortfall,
      recentDscrs: reports ? reportsBefore(reports, monthEnds[0]!) : state.recentDscrs,
      triggers: state.triggers,
    },
    collateral: {
      ...input.collateral,
      tenants: input.collateral.tenants.map((t) => ({
        name: t.name,
        monthlyRent: t.monthlyRent,
        expiryMonth: monthsUntil(monthEnds[0]!, t.leaseExpiry),
      })),
    },
    monthEnds,
    scheduledPrincipalByMonth: monthEnds.map((end) => {
      const principal = debtServiceTerms(definition, ppy, end).scheduledPrincipalPerPeriod;
      return principal.toFixed();
    }),
    actuals: { dscrByMonth, metricsByPeriod },
  };
}

/** The published dscr of the (up to) two months before `firstMonthEnd` that have reports, most recent first. */
function reportsBefore(reports: ReadonlyMap<string, Record<string, string | null>>, firstMonthEnd: string): (string | null)[] {
  const out: (string | null)[] = [];
  for (let k = 1; k <= 2; k += 1) {
    const c = civil(addMonths(parseIsoDate(`${firstMonthEnd.slice(0, 8)}01`), -k));
    const r = reports.get(lastDayOfMonth(c.year, c.month));
    if (!r) break;
    out.push(r.dscr ?? null);
  }
  return out;
}

/** face × factor as servicing creates a class balance (lockClassStates); must be whole cents. */
function canonicalCents(face: string, factor: string): string {
  const balance = new Decimal(face).mul(factor);
  if (balance.decimalPlaces() > 2) throw new Error(`class balance ${balance.toFixed()} is not whole cents`);
  return balance.toFixed();
}
