/**
 * Public API of the pure fixed-income domain: decimals and rounding, ticks and units, dates,
 * day counts, the US bond-market calendar, coupon schedules, accrued interest, prices, yields,
 * WAL and security identifiers. Everything here is pure (no I/O, no clock, no randomness);
 * time comes in as IsoDate arguments.
 */
export { DomainError, assertNever, ensure, type DomainErrorCode } from './errors.js';
export {
  Decimal,
  MAX_DECIMAL_STRING_LENGTH,
  formatCash,
  formatDecimal,
  parseDecimal,
  toDecimal,
  type DecimalInput,
} from './decimal.js';
export { CASH_PLACES, roundCash, roundHalfEven, roundPrice } from './rounding.js';
export {
  faceRejection,
  fromTicks,
  fromUnits,
  isMultipleOf,
  requireTicks,
  requireUnits,
  toTicks,
  toUnits,
  type FaceRejection,
} from './ticks.js';
export {
  MAX_YEAR,
  MIN_YEAR,
  addDays,
  addMonths,
  civil,
  compareDates,
  dayNumber,
  dayOf,
  daysBetween,
  formatIsoDate,
  daysInMonth,
  fromDayNumber,
  isIsoDate,
  isLastDayOfMonth,
  isLeapYear,
  lastDayOfMonth,
  makeDate,
  maxDate,
  minDate,
  monthOf,
  parseIsoDate,
  weekday,
  yearOf,
  type AddMonthsOptions,
  type CivilDate,
  type IsoDate,
  type Weekday,
} from './dates.js';
export {
  COUPON_FREQUENCIES,
  DAY_COUNT_CONVENTIONS,
  canonicalDayCount,
  dayCountDays,
  icmaFraction,
  isCouponFrequency,
  isDayCountConvention,
  isThirty360,
  monthsPerPeriod,
  quasiCouponDates,
  yearFraction,
  type CouponFrequency,
  type DayCountContext,
  type DayCountConvention,
} from './daycount.js';
export {
  BUSINESS_DAYS_MAX,
  SETTLEMENT_DAYS_MAX,
  addBusinessDays,
  easterSunday,
  holidaysOf,
  isBusinessDay,
  isHoliday,
  isWeekend,
  nextBusinessDay,
  nextBusinessDayOnOrAfter,
  previousBusinessDay,
  settlementDate,
  type Holiday,
} from './calendar.js';
export {
  COUPON_PERIODS_MAX,
  buildCouponSchedule,
  couponPeriodContaining,
  nextCouponDate,
  periodIndexContaining,
  previousCouponDate,
  type CouponPeriod,
  type CouponSchedule,
  type CouponScheduleInput,
} from './schedule.js';
export {
  accrualYearFraction,
  accruedInterest,
  accruedInterestUnrounded,
  accruedPer100,
  currentFaceOf,
  periodCouponPer100,
  type AccruedInterestInput,
  type NoteTerms,
} from './accrued.js';
export { cleanPriceFromDirty, dirtyPriceFromClean, tradeAmounts, type TradeAmounts, type TradeAmountsInput } from './price.js';
export { YIELD_ITERATIONS_MAX, priceFromYield, yieldFromPrice, type PriceFromYield, type YieldInput } from './yield.js';
export { PRINCIPAL_FLOWS_MAX, weightedAverageLife, type PrincipalFlow, type WeightedAverageLifeInput } from './wal.js';
export { cusipCheckDigit, isValidCusip, isValidIsin, isinCheckDigit, isinFromCusip } from './identifiers.js';
