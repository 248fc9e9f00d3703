/**
 * The tests' own bond arithmetic, independent of server/analytics: a class's projected flows after a
 * settlement date repriced at a yield (monthly street convention, 30/360), the yield a price implies
 * (bisection), and the class's WAL (ACT/365F). Used to check prices the server derives from spreads.
 */
import { Decimal as DomainDecimal } from '../../server/domain/decimal.js';

// 34 significant digits are ample for prices to 1e-6 and yields to 1e-10.
export const Decimal = DomainDecimal.clone({ precision: 34 });
export type Decimal = InstanceType<typeof Decimal>;

export interface Flow {
  date: string;
  interest: string;
  principal: string;
  balance: string;
  writedown: string;
}

const ymd = (d: string) => d.split('-').map(Number) as [number, number, number];
/** 30/360 (ISDA): 360 × ΔY + 30 × ΔM + ΔD, day 31 read as 30 (and D2 = 31 as 30 when D1 is 30 or 31). */
export function days360(a: string, b: string): number {
  const [y1, m1, d1r] = ymd(a);
  const [y2, m2, d2r] = ymd(b);
  const d1 = Math.min(d1r, 30);
  const d2 = d2r === 31 && d1 === 30 ? 30 : d2r;
  return 360 * (y2 - y1) + 30 * (m2 - m1) + (d2 - d1);
}
const monthsBetween = (a: string, b: string) => {
  const [y1, m1] = ymd(a);
  const [y2, m2] = ymd(b);
  return 12 * (y2 - y1) + (m2 - m1);
};
const actualDays = (a: string, b: string) => (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000;

/** The class's flows after settlement, its face at settlement and its WAL (ACT/365F). */
export function cashFlowsOf(flows: Flow[], settlement: string) {
  const after = flows.filter((f) => f.date > settlement);
  const first = after[0]!;
  const face = new Decimal(first.balance).add(first.principal).add(first.writedown);
  let weighted = new Decimal(0);
  let total = new Decimal(0);
  for (const f of after) {
    weighted = weighted.add(new Decimal(f.principal).mul(actualDays(settlement, f.date)).div(365));
    total = total.add(f.principal);
  }
  return { after, face, wal: weighted.div(total) };
}

/**
 * Clean price per 100 at yield y (percent), monthly street convention: the next coupon is the first
 * flow date, w = 30/360 days from settlement to it ÷ 30, flow k is discounted (1 + y/1200)^−(w + n_k)
 * with n_k its months after the next coupon; accrued = coupon × 30/360 days since the last coupon ÷ 360.
 */
export function cleanPrice(flows: Flow[], face: Decimal, couponPercent: string, yieldPercent: Decimal, settlement: string): Decimal {
  const next = flows[0]!.date;
  const [y, m, d] = ymd(next);
  const previous = `${m === 1 ? y - 1 : y}-${String(m === 1 ? 12 : m - 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const w = new Decimal(days360(settlement, next)).div(30);
  const v = new Decimal(1).add(yieldPercent.div(1200));
  let dirty = new Decimal(0);
  for (const f of flows) {
    const amount = new Decimal(f.interest).add(f.principal).mul(100).div(face);
    dirty = dirty.add(amount.div(v.pow(w.add(monthsBetween(next, f.date)))));
  }
  return dirty.sub(new Decimal(couponPercent).mul(days360(previous, settlement)).div(360));
}

/** Rounds to the nearest multiple of `tick`; an exact half tick toward the counterparty (a bid up, an ask down). */
export function nearestTick(price: Decimal, tick: Decimal, side: 'bid' | 'ask'): Decimal {
  const ticks = price.div(tick);
  const floor = ticks.floor();
  const fraction = ticks.sub(floor);
  return (fraction.gt('0.5') || (fraction.eq('0.5') && side === 'bid') ? floor.add(1) : floor).mul(tick);
}
