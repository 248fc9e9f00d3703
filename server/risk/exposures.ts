/**
 * A party's look-through exposure report as the API serves it: holdings on trade date, marked
 * (mid, else last trade, else the base-scenario model price of server/risk/model-price.ts, else
 * par — each holding says which), broken down by one dimension; and its CSV form.
 */
import type { Knex } from 'knex';
import { csvField } from '../core/csv.js';
import type { Sequencer } from '../sequencer/sequencer.js';
import { exposureReport, exposureToWire, type Dimension } from './exposure.js';
import { dealLookThrough, marks, noteTerms, tradeDatePositions, valueHoldings, type ModelPrice } from './look-through.js';
import { projectionModel } from './model-price.js';

export async function partyExposures(
  knex: Knex,
  sequencer: Sequencer | null,
  partyId: string,
  by: Dimension,
  model: ModelPrice = projectionModel(knex),
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

export function exposuresCsv(report: Awaited<ReturnType<typeof partyExposures>>): string {
  const lines = report.exposures.map((e) =>
    [report.by, e.key, e.name, e.face, e.marketValue, e.cashFlowSharePercent].map(csvField).join(','),
  );
  return ['by,key,name,face,marketValue,cashFlowSharePercent', ...lines].join('\n') + '\n';
}
