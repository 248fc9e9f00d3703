/**
 * The one door from the web app to the server's pure fixed-income domain (server/domain: no I/O,
 * safe to bundle). The ticket's principal, accrued interest and net amount, and the yields shown
 * at best bid and ask, are computed by the very functions the sequencer uses for every trade
 * (refdata/instrument.ts): the same coupon schedule, day count, settlement calendar and rounding,
 * so the preview equals the fill to the cent. Display only: the server computes the real amounts.
 */
import {
  Decimal,
  buildCouponSchedule,
  couponPeriodContaining,
  parseIsoDate,
  settlementDate,
  tradeAmounts,
  yieldFromPrice,
  type CouponFrequency,
  type CouponSchedule,
  type DayCountConvention,
  type IsoDate,
} from '../../../../server/domain/index.js';
import type { Note } from '../../../sdk/index.js';

export { Decimal };

export interface TradePreview {
  settlementDate: string;
  /** Start of the accrual period: the previous coupon date, or the issue date in the first period. */
  accrualStart: string;
  currentFace: string;
  principal: string;
  accruedInterest: string;
  netAmount: string;
  yieldPercent: string | null;
}

const schedules = new Map<string, CouponSchedule>();

function scheduleOf(note: Note): CouponSchedule {
  const key = `${note.id}:${note.issueDate}:${note.firstCouponDate}:${note.maturityDate}:${note.frequency}`;
  let schedule = schedules.get(key);
  if (!schedule) {
    schedule = buildCouponSchedule({
      issueDate: parseIsoDate(note.issueDate),
      firstCouponDate: parseIsoDate(note.firstCouponDate),
      maturityDate: parseIsoDate(note.maturityDate),
      frequency: note.frequency as CouponFrequency,
    });
    schedules.set(key, schedule);
  }
  return schedule;
}

/** The settlement date of a trade done today: business date + the note's settlement days (US bond calendar). */
export function settlementDateOf(note: Note, businessDate: string): IsoDate {
  return settlementDate(parseIsoDate(businessDate), note.settlementDays);
}

function terms(note: Note) {
  return { couponRatePercent: note.couponRate, dayCount: note.dayCount as DayCountConvention, schedule: scheduleOf(note) };
}

/** Street-convention yield (percent, 3 decimals) at a clean price, or null when it cannot be solved. */
export function yieldAt(note: Note, businessDate: string, cleanPrice: string): string | null {
  try {
    const settle = settlementDateOf(note, businessDate);
    return yieldFromPrice({ ...terms(note), settlementDate: settle, cleanPricePercent: cleanPrice })
      .toDecimalPlaces(3, Decimal.ROUND_HALF_EVEN)
      .toFixed(3);
  } catch {
    return null;
  }
}

/** Principal, accrued and net of `face` (original face) at `price` (% of par), as the server will book them. */
export function previewTrade(note: Note, businessDate: string, face: string, price: string): TradePreview {
  const settle = settlementDateOf(note, businessDate);
  const amounts = tradeAmounts({ ...terms(note), face, factor: note.factor, cleanPricePercent: price, settlementDate: settle });
  return {
    settlementDate: settle,
    accrualStart: couponPeriodContaining(scheduleOf(note), settle).start,
    currentFace: amounts.currentFace.toFixed(2),
    principal: amounts.principal.toFixed(2),
    accruedInterest: amounts.accruedInterest.toFixed(2),
    netAmount: amounts.netAmount.toFixed(2),
    yieldPercent: yieldAt(note, businessDate, price),
  };
}
