/**
 * TRACE dissemination caps: the largest trade size the public tape shows exactly, by the note's
 * TRACE category and credit rating, and the way a larger size is shown ("5MM+").
 *
 * Source: FINRA, "TRACE Reporting Timeframes and Transparency Protocols" (finra.org, Rules &
 * Guidance › Rulebooks › TRACE Reporting Timeframes), the "Transparency" column:
 * - Corporate Bond (Rule 6710(a)): caps of $5 million for Investment Grade (Rule 6710(h)) and
 *   $1 million for Non-Investment Grade (Rule 6710(i)); larger trades are disseminated as "5MM+"
 *   and "1MM+".
 * - Asset-Backed Securities (Rule 6710(cc), the disseminated securitized products): caps of
 *   $10 million for Investment Grade and $1 million for Non-Investment Grade ("10MM+", "1MM+").
 * - All other securitized products ("ABSX": CDO, CLO, CBO, private-label CMBS) are reported but
 *   not disseminated trade by trade. This venue still shows its own trades in them on its tape, so
 *   it applies the strictest cap of the table, $1 million, whatever the rating.
 *
 * Investment Grade (Rule 6710(h)) is a rating in one of the four highest generic categories of a
 * rating organisation: AAA…BBB- (S&P, Fitch, KBRA, DBRS style) or Aaa…Baa3 (Moody's). Anything
 * else, including an unrated note ("NR"), is treated as Non-Investment Grade: the smaller cap is
 * the one that never discloses too much.
 *
 * Pure: no I/O. Amounts are exact Decimals.
 */
import { Decimal } from '../domain/decimal.js';

export const TRACE_CATEGORIES = ['ABS', 'ABSX', 'CORP'] as const;
export type TraceCategory = (typeof TRACE_CATEGORIES)[number];

const MILLION = new Decimal(1_000_000);

/** Caps in USD of original face, [investment grade, non-investment grade]. */
const CAPS: Readonly<Record<TraceCategory, readonly [Decimal, Decimal]>> = {
  CORP: [MILLION.mul(5), MILLION],
  ABS: [MILLION.mul(10), MILLION],
  ABSX: [MILLION, MILLION],
};

const INVESTMENT_GRADE = /^(AAA|AA[+-]?|A[+-]?|BBB[+-]?|Aaa|Aa[123]|A[123]|Baa[123])$/;

/** True for a rating in one of the four highest generic categories (FINRA Rule 6710(h)). */
export function isInvestmentGrade(rating: string): boolean {
  // Agencies append outlooks or structured-finance suffixes ("A (sf)", "Baa2 (sf)"): the grade is the first word.
  const grade = rating.trim().split(/\s+/)[0] ?? '';
  return INVESTMENT_GRADE.test(grade);
}

/** The dissemination cap of a note of this category and rating. */
export function disseminationCapFor(category: TraceCategory, rating: string): Decimal {
  const [investmentGrade, nonInvestmentGrade] = CAPS[category];
  return isInvestmentGrade(rating) ? investmentGrade : nonInvestmentGrade;
}

/** A trade's size as the tape shows it: exact up to the cap, "<cap in millions>MM+" above it. */
export function disseminatedSize(quantity: Decimal, cap: Decimal): string {
  return quantity.gt(cap) ? `${cap.div(MILLION).toFixed()}MM+` : quantity.toFixed();
}
