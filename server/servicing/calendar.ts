/**
 * A deal's servicing calendar, from its notes' coupon schedules: the payment dates (each coupon
 * date rolled to the following business day) and, for each, the collection period it distributes:
 * the calendar months before the coupon date's month, as many as a payment period has
 * (12 ÷ frequency). A deal paying monthly on the 15th collects in the previous calendar month;
 * one paying semi-annually on 1 August collects February to July. Pure.
 */
import { addMonths, lastDayOfMonth, makeDate, monthOf, parseIsoDate, yearOf } from '../domain/dates.js';
import { nextBusinessDayOnOrAfter } from '../domain/calendar.js';
import { buildCouponSchedule } from '../domain/schedule.js';
import type { CouponFrequency } from '../domain/daycount.js';

export interface CalendarNote {
  issueDate: string;
  firstCouponDate?: string | null;
  maturityDate: string;
  frequency: number;
}

export interface PaymentDate {
  /** The payment date: the coupon date, rolled to the following business day. */
  paymentDate: string;
  /** The coupon date itself (unadjusted). */
  couponDate: string;
  periodStart: string;
  periodEnd: string;
}

export function collectionPeriod(couponDate: string, frequency: number): { periodStart: string; periodEnd: string } {
  const date = parseIsoDate(couponDate);
  const monthStart = makeDate(yearOf(date), monthOf(date), 1);
  const last = addMonths(monthStart, -1);
  const first = addMonths(monthStart, -12 / frequency);
  return { periodStart: first, periodEnd: lastDayOfMonth(yearOf(last), monthOf(last)) };
}

/** The deal's payment dates, ascending; the first note (most senior) wins a date several notes share. */
export function dealPaymentDates(notes: readonly CalendarNote[]): PaymentDate[] {
  const byDate = new Map<string, PaymentDate>();
  for (const note of notes) {
    const schedule = buildCouponSchedule({
      issueDate: parseIsoDate(note.issueDate),
      maturityDate: parseIsoDate(note.maturityDate),
      frequency: note.frequency as CouponFrequency,
      ...(note.firstCouponDate ? { firstCouponDate: parseIsoDate(note.firstCouponDate) } : {}),
    });
    for (const couponDate of schedule.couponDates) {
      const paymentDate = nextBusinessDayOnOrAfter(couponDate);
      if (!byDate.has(paymentDate)) byDate.set(paymentDate, { paymentDate, couponDate, ...collectionPeriod(couponDate, note.frequency) });
    }
  }
  return [...byDate.values()].sort((a, b) => (a.paymentDate < b.paymentDate ? -1 : 1));
}
