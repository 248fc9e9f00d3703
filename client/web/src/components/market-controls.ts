/**
 * The operator's market controls: each note's trading status with halt and resume, its price band
 * (half-width in points around the reference price) with the band now in force, and each dealer's
 * credit line with what its buys use of it. Operators only: these endpoints answer everyone else 403.
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
  return panel(
    'Market controls',
    h('div', {}, table, h('h3', { class: 'subhead' }, 'Dealer credit lines (USD)'), creditLines(app, message), message.element),
    {
      flush: true,
      testid: 'market-controls-panel',
    },
  );
}

/** Each dealer's credit line, used and available (from its balances), and a box to set it (0 removes it). */
function creditLines(app: AppContext, message: MessageSlot): HTMLElement {
  const dealers = [...app.parties.values()].filter((p) => p.kind === 'dealer');
  const rows = dealers.map((dealer) => {
    const slug = dealer.name.split(' ')[0]!.toLowerCase();
    const now = h('td', { class: 'num', testid: `cl-line-${slug}` });
    const used = h('td', { class: 'num', testid: `cl-used-${slug}` });
    const amount = h('input', {
      class: 'num',
      inputmode: 'decimal',
      placeholder: 'USD',
      'aria-label': `Credit line of ${dealer.name}, USD`,
      testid: `cl-amount-${slug}`,
    });
    const set = h('button', { class: 'small', testid: `cl-set-${slug}` }, 'Set line');
    const show = (line: string | undefined, use: string | undefined) => {
      replace(now, line === undefined ? h('span', { class: 'muted' }, 'none') : fmt.cash(line));
      replace(used, use === undefined ? '' : fmt.cash(use));
    };
    const load = async () => {
      const usd = (await app.client.balances({ partyId: dealer.id }).catch(() => [])).find((b) => b.asset === 'USD');
      show(usd?.creditLine, usd?.creditUsed);
    };
    set.addEventListener(
      'click',
      () =>
        void withBusy(set, message, async () => {
          const saved = await app.client.setCreditLine(dealer.id, fmt.cleanNumberInput(amount.value));
          show(saved.creditLine, saved.creditUsed);
          message.ok(`${dealer.name}: credit line ${fmt.cash(saved.creditLine)} (used ${fmt.cash(saved.creditUsed)}).`, 'cl-result');
        }),
    );
    void load();
    return h('tr', {}, h('td', {}, dealer.name), now, used, h('td', { class: 'band-width' }, amount), h('td', {}, set));
  });
  return h(
    'table',
    { testid: 'credit-lines' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'Dealer'),
        h('th', { class: 'num' }, 'Credit line'),
        h('th', { class: 'num' }, 'Used'),
        h('th', {}, 'New line'),
        h('th', {}, h('span', { class: 'visually-hidden' }, 'Action')),
      ),
    ),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { class: 'empty', colspan: '5' }, 'No dealers.'))),
  );
}
