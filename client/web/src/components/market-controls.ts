/**
 * The operator's market controls: each note's trading status with halt and resume, and its price
 * band (half-width in points around the reference price) with the band now in force. Operators
 * only: these endpoints answer everyone else 403.
 */
import type { Note, PriceBand } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { h, panel, replace } from '../ui/dom.js';
import * as fmt from '../ui/format.js';
import { MessageSlot, withBusy } from '../ui/notice.js';

function bandText(band: PriceBand | null, note: Note): string {
  if (!band) return '';
  if (!band.low || !band.high) return `±${band.widthPoints} pt · no reference price yet`;
  return `±${band.widthPoints} pt · ${fmt.price(band.low, note, false)} – ${fmt.price(band.high, note, false)} (${band.referenceSource === 'mid' ? 'around the mid' : 'around the last trade'})`;
}

export function marketControlsPanel(app: AppContext): HTMLElement {
  const message = new MessageSlot();
  const rows = app.notes.map((original) => {
    let note = original;
    const label = app.noteLabel(note);
    const status = h('td', { testid: `mc-status-${note.className}` });
    const band = h('td', { class: 'muted', testid: `mc-band-${note.className}` });
    const toggle = h('button', { class: 'small', testid: `mc-toggle-${note.className}` });
    const width = h('input', {
      class: 'num',
      inputmode: 'decimal',
      placeholder: 'points',
      'aria-label': `Price band half-width of ${label}, points`,
      testid: `mc-width-${note.className}`,
    });
    const setBand = h('button', { class: 'small', testid: `mc-set-band-${note.className}` }, 'Set band');
    const showStatus = () => {
      const halted = note.status === 'halted';
      replace(status, h('span', { class: `pill ${halted ? 'failed' : 'open'}` }, halted ? 'Halted' : 'Trading'));
      toggle.textContent = halted ? `Resume ${note.className}` : `Halt ${note.className}`;
      toggle.className = halted ? 'small primary' : 'small danger';
    };
    const showBand = async () => {
      const current = await app.client.priceBand(note.id).catch(() => null);
      replace(band, bandText(current, note));
      if (current && !width.value) width.value = current.widthPoints;
    };
    toggle.addEventListener(
      'click',
      () =>
        void withBusy(toggle, message, async () => {
          const halted = note.status === 'halted';
          note = halted ? await app.client.resumeNote(note.id) : await app.client.haltNote(note.id);
          const index = app.notes.findIndex((n) => n.id === note.id);
          if (index >= 0) app.notes[index] = note;
          showStatus();
          message.ok(`${label}: trading ${halted ? 'resumed' : 'halted'}.`, 'mc-result');
        }),
    );
    setBand.addEventListener(
      'click',
      () =>
        void withBusy(setBand, message, async () => {
          const saved = await app.client.setPriceBand(note.id, fmt.cleanNumberInput(width.value));
          replace(band, bandText(saved, note));
          message.ok(`${label}: price band ±${saved.widthPoints} points.`, 'mc-result');
        }),
    );
    showStatus();
    void showBand();
    return h(
      'tr',
      {},
      h('td', {}, h('a', { href: `/notes/${note.id}` }, label)),
      status,
      h('td', {}, toggle),
      band,
      h('td', { class: 'band-width' }, width),
      h('td', {}, setBand),
    );
  });
  const table = h(
    'table',
    { testid: 'market-controls' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Note', 'Status', 'Trading', 'Price band in force', 'Half-width (pt)', ''].map((label) =>
          h('th', {}, label || h('span', { class: 'visually-hidden' }, 'Band action')),
        ),
      ),
    ),
    h('tbody', {}, rows),
  );
  return panel('Market controls', h('div', {}, table, message.element), {
    flush: true,
    testid: 'market-controls-panel',
  });
}
