/**
 * A party's look-through exposure report as the API serves it: holdings on trade date, marked
 * (mid, else last trade, else model, else par — each holding says which), broken down by one
 * dimension; and its CSV form.
 */
import type { Knex } from 'knex';
import { Rejection } from '../core/rejections.js';
import { Decimal } from '../domain/decimal.js';
import { obligorIndex } from './obligors.js';
import { runScenario } from './scenario.js';
import type { Sequencer } from '../sequencer/sequencer.js';
import { exposureReport, exposureToWire, type Dimension } from './exposure.js';
import { dealLookThrough, marks, noteTerms, tradeDatePositions, valueHoldings, type ModelPrice } from './look-through.js';

/**
 * The projection engine's base-scenario price, when it is plugged in (issue 17). Until then no
 * note has a model price and unmarked notes are valued at par, which the response says.
 */
export const NO_MODEL: ModelPrice = () => null;

export async function partyExposures(
  knex: Knex,
  sequencer: Sequencer | null,
  partyId: string,
  by: Dimension,
  model: ModelPrice = NO_MODEL,
) {
  const positions = await tradeDatePositions(knex, partyId);
  const terms = await noteTerms(knex);
  const noteMarks = await marks(knex, sequencer, [...positions.keys()], model);
  const holdings = valueHoldings(positions, terms, noteMarks);
  const report = exposureToWire(exposureReport(holdings, await dealLookThrough(knex), by));
  return {
    partyId,
    by,
    exposures: report.rows,
    totalFace: report.totalFace,
    totalMarketValue: report.totalMarketValue,
    largestSharePercent: report.largestSharePercent,
    herfindahl: report.herfindahl,
    holdings: holdings.map((h) => {
      const mark = noteMarks.get(h.noteId)!;
      return {
        noteId: h.noteId,
        dealId: h.dealId,
        originalFace: positions.get(h.noteId)!.toFixed(),
        face: h.face.toFixed(2),
        marketValue: h.marketValue.toFixed(2),
        markPrice: mark.price.toFixed(),
        markSource: mark.source,
      };
    }),
  };
}

function field(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function exposuresCsv(report: Awaited<ReturnType<typeof partyExposures>>): string {
  const lines = report.exposures.map((e) => [report.by, e.key, e.name, e.face, e.marketValue, e.cashFlowSharePercent].map(field).join(','));
  return ['by,key,name,face,marketValue,cashFlowSharePercent', ...lines].join('\n') + '\n';
}

/** A contagion scenario on the party's holdings (the approximation until the projection engine lands). */
export async function partyScenario(
  knex: Knex,
  sequencer: Sequencer | null,
  partyId: string,
  request: { defaults: { obligorId: string; month: number; recoveryPercent: string }[]; gpuValueShockPercent?: string | undefined },
) {
  const obligors = await obligorIndex(knex);
  const defaults = request.defaults.map((d) => {
    const obligor = obligors.get(d.obligorId);
    if (!obligor) throw new Rejection('OBLIGOR_NOT_FOUND', `obligor ${d.obligorId} does not exist`, { obligorId: d.obligorId });
    return { obligorKey: obligor.ultimateParentId, month: d.month, recoveryPercent: new Decimal(d.recoveryPercent) };
  });
  const positions = await tradeDatePositions(knex, partyId);
  const noteMarks = await marks(knex, sequencer, [...positions.keys()]);
  const holdings = valueHoldings(positions, await noteTerms(knex), noteMarks);
  const result = runScenario(holdings, await dealLookThrough(knex), defaults);
  const assumptions = [
    'a default applies to the whole ultimate obligor group of the company named',
    ...(request.gpuValueShockPercent !== undefined
      ? [`GPU value shock of ${request.gpuValueShockPercent}% recorded but not applied (needs the projection engine)`]
      : []),
  ];
  return { partyId, ...result, assumptions };
}
