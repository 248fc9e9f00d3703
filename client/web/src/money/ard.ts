/**
 * Yield and spread to the ARD under the base scenario (GET /api/v1/notes/:id/analytics), for the
 * markets screen and the order ticket: asked once per note and price, cached, and `onReady` called
 * when an answer arrives so the caller can redraw. The server projects the deal through its own
 * waterfall; nothing is computed here.
 */
import type { AppContext } from '../app/context.js';

export interface ArdFigures {
  yieldToArdPercent: string | null;
  spreadBp: string | null;
  yieldToMaturityPercent: string | null;
}

const cache = new Map<string, ArdFigures | 'pending' | 'failed'>();

export function ardFigures(app: AppContext, noteId: string, price: string, onReady: () => void): ArdFigures | undefined {
  const key = `${noteId}@${price}`;
  const known = cache.get(key);
  if (known === 'pending' || known === 'failed') return undefined;
  if (known) return known;
  cache.set(key, 'pending');
  app.client.noteAnalytics(noteId, price).then(
    (a) => {
      cache.set(key, {
        yieldToArdPercent: a.yieldToArdPercent ?? null,
        spreadBp: a.spreadBp ?? null,
        yieldToMaturityPercent: a.yieldToMaturityPercent ?? null,
      });
      onReady();
    },
    () => {
      cache.set(key, 'failed');
    },
  );
  return undefined;
}

/** "6.596% / +272 bp" style label parts. */
export function spreadLabel(bp: string | null | undefined): string {
  if (bp === null || bp === undefined) return '';
  return `${bp.startsWith('-') ? '' : '+'}${bp} bp`;
}
