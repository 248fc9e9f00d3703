/**
 * A note as the trading path needs it: decimal terms parsed once, its coupon schedule built once,
 * and the conversions between the wire's decimal strings and the engine's integer ticks and units.
 *
 * Guarantees: a price converts to ticks only when it is a whole number of ticks inside the band,
 * a face only when it is a whole number of increments at or above the minimum denomination;
 * otherwise the conversion returns the market rejection code the API answers with.
 */
import { Decimal } from '../domain/decimal.js';
import { fromTicks, fromUnits, toTicks, toUnits } from '../domain/ticks.js';
import { buildCouponSchedule, type CouponSchedule } from '../domain/schedule.js';
import { parseIsoDate, type IsoDate } from '../domain/dates.js';
import { settlementDate } from '../domain/calendar.js';
import { tradeAmounts, type TradeAmounts } from '../domain/price.js';
import type { DayCountConvention, CouponFrequency } from '../domain/daycount.js';
import type { NoteSpec } from '../engine/index.js';
import { maxOrderFaceOf, type Note } from './notes.js';

/** Prices are accepted from one tick up to 200% of par: a wider band than any note trades in. */
export const PRICE_CEILING_PERCENT = new Decimal(200);
const ENGINE_BAND_TICKS_MAX = (1 << 20) - 1;

export type ConversionRejection = 'OFF_TICK' | 'PRICE_OUT_OF_BAND' | 'OFF_INCREMENT' | 'BELOW_MIN_DENOMINATION' | 'ORDER_FACE_TOO_LARGE';

export class Instrument {
  readonly tickSize: Decimal;
  readonly increment: Decimal;
  readonly minDenomination: Decimal;
  readonly factor: Decimal;
  /** The most face one order may ask for (the note's setting, else its original face). */
  readonly maxOrderFace: Decimal;
  readonly schedule: CouponSchedule;
  readonly spec: NoteSpec;
  /** Half-width of the note's price band around its reference price (server/risk/price-band.ts). */
  readonly priceBandPoints: Decimal;

  constructor(readonly note: Note) {
    this.priceBandPoints = new Decimal(note.priceBandPoints);
    this.tickSize = new Decimal(note.tickSize);
    this.increment = new Decimal(note.increment);
    this.minDenomination = new Decimal(note.minDenomination);
    this.factor = new Decimal(note.factor);
    this.maxOrderFace = new Decimal(maxOrderFaceOf(note));
    this.schedule = buildCouponSchedule({
      issueDate: parseIsoDate(note.issueDate),
      firstCouponDate: parseIsoDate(note.firstCouponDate),
      maturityDate: parseIsoDate(note.maturityDate),
      frequency: note.frequency as CouponFrequency,
    });
    const ceilingTicks = PRICE_CEILING_PERCENT.div(this.tickSize).floor().toNumber();
    this.spec = {
      minQuantityUnits: this.minDenomination.div(this.increment).toNumber(),
      minPriceTicks: 1,
      maxPriceTicks: Math.min(ceilingTicks, ENGINE_BAND_TICKS_MAX),
    };
  }

  get id(): string {
    return this.note.id;
  }

  /**
   * Magnitudes are checked before the conversion: a price or face of any size (the wire allows 31
   * digits) gets a rejection code here, never a count beyond the safe integers (issue 14).
   */
  priceToTicks(price: Decimal): number | ConversionRejection {
    if (!price.isFinite() || price.lte(0) || price.gt(PRICE_CEILING_PERCENT)) return 'PRICE_OUT_OF_BAND';
    const ticks = toTicks(price, this.tickSize);
    if (ticks === null) return 'OFF_TICK';
    if (ticks < this.spec.minPriceTicks || ticks > this.spec.maxPriceTicks) return 'PRICE_OUT_OF_BAND';
    return ticks;
  }

  faceToUnits(face: Decimal): number | ConversionRejection {
    if (face.isFinite() && face.gt(this.maxOrderFace)) return 'ORDER_FACE_TOO_LARGE';
    const units = toUnits(face, this.increment);
    if (units === null) return 'OFF_INCREMENT';
    if (units < this.spec.minQuantityUnits) return 'BELOW_MIN_DENOMINATION';
    return units;
  }

  ticksToPrice(ticks: number): Decimal {
    return fromTicks(ticks, this.tickSize);
  }

  unitsToFace(units: number): Decimal {
    return fromUnits(units, this.increment);
  }

  settlementDateFor(tradeDate: string): IsoDate {
    return settlementDate(parseIsoDate(tradeDate), this.note.settlementDays);
  }

  /** Principal, accrued interest and net amount of `face` at a clean price, settling on `settlement`. */
  amounts(face: Decimal, cleanPrice: Decimal, settlement: IsoDate): TradeAmounts {
    return tradeAmounts({
      couponRatePercent: this.note.couponRate,
      dayCount: this.note.dayCount as DayCountConvention,
      schedule: this.schedule,
      face,
      factor: this.factor,
      cleanPricePercent: cleanPrice,
      settlementDate: settlement,
    });
  }
}
