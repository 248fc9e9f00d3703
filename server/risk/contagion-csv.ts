/**
 * A contagion scenario's holdings, and a total line, as CSV (header first, LF rows).
 *
 * Guarantees: fields with a comma, quote or line break are quoted, and a leading formula character
 * is neutralised (spreadsheet injection) except in numbers. Must never: compute a figure (it
 * writes the scenario's answer as it is).
 */
import { csvField } from '../core/csv.js';
import type { partyScenario } from './contagion.js';

/** The scenario's holdings (and a total line) as CSV. */
export function scenarioCsv(result: Awaited<ReturnType<typeof partyScenario>>): string {
  const header =
    'noteId,dealName,face,markPrice,markSource,baseValue,stressedValue,lossPercent,baseYieldPercent,yieldChangeBp,firstTriggerBreach';
  const lines = result.holdings.map((h) =>
    [
      h.noteId,
      h.dealName ?? '',
      h.face,
      h.markPrice,
      h.markSource,
      h.baseValue,
      h.stressedValue,
      h.lossPercent,
      h.baseYieldPercent ?? '',
      h.yieldChangeBp ?? '',
      h.triggerBreaches.map((b) => `${b.name} ${b.firstDate}`).join('; '),
    ]
      .map(csvField)
      .join(','),
  );
  const total = ['total', '', '', '', '', result.total.baseValue, result.total.stressedValue, result.total.lossPercent, '', '', ''].join(
    ',',
  );
  return [header, ...lines, total].join('\n') + '\n';
}
