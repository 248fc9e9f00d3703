/**
 * The dealer's quote grid: one row per note with the market's best bid/ask, this dealer's bid and
 * ask (size and price) to send, and its live quote as the book holds it now (sizes shrink as they
 * fill). "Send quotes" replaces this dealer's quotes on every filled-in row in one atomic mass
 * quote, and pulls the live quote of every row the dealer cleared (an empty quote on that note, in
 * the same mass quote); "Pull all" removes them all. Rows are checked before anything is sent.
 * Bid and ask may be entered as spreads in bp (the Price / Spread toggle): the server derives each
 * price (base scenario, to the ARD, nearest tick) and the answer says which price it derived.
 */
import type { Note, QuoteInput } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import type { NoteQuotes } from '../live/feeds.js';
import { Decimal } from '../money/domain.js';
import { h, panel, replace, type Scope } from '../ui/dom.js';
import * as fmt from '../ui/format.js';
import { MessageSlot, withBusy } from '../ui/notice.js';
import { checkPrice } from './ticket-rules.js';
import { bandText, loadBand } from './price-band.js';
import { checkSpread, derivedText, entryModeToggle, spreadValue, type EntryMode } from './spread-entry.js';

interface GridRow {
  note: Note;
  bidSize: HTMLInputElement;
  bidPrice: HTMLInputElement;
  askPrice: HTMLInputElement;
  askSize: HTMLInputElement;
  market: HTMLElement;
  live: HTMLElement;
  /** The note's price band: quote prices outside it are refused (PRICE_OUTSIDE_BAND). */
  band: HTMLElement;
  error: HTMLElement;
  prefilled: boolean;
  /** The book holds a live quote of this dealer on the note (so clearing the row pulls it). */
  quoting: boolean;
}

function sizeProblem(note: Note, text: string, label: string): string | null {
  const size = fmt.cleanNumberInput(text);
  if (!fmt.isDecimalText(size)) return `${label}: "${text}" is not an amount.`;
  if (new Decimal(size).isZero()) return null;
  if (new Decimal(size).lt(note.minDenomination)) return `${label} must be 0 or at least ${fmt.face(note.minDenomination)}.`;
  if (!fmt.isMultiple(size, note.increment)) return `${label} must be a multiple of ${fmt.face(note.increment)}.`;
  return null;
}

/** The row as a quote, null when left blank, or the reason it cannot be sent. */
export function rowQuote(
  note: Note,
  values: { bidSize: string; bidPrice: string; askPrice: string; askSize: string },
  mode: EntryMode = 'price',
): QuoteInput | null | string {
  const v = Object.fromEntries(Object.entries(values).map(([k, x]) => [k, fmt.cleanNumberInput(x)])) as typeof values;
  if (!v.bidSize && !v.bidPrice && !v.askPrice && !v.askSize) return null;
  const problems: string[] = [];
  const hasBid = v.bidPrice !== '' || (v.bidSize !== '' && v.bidSize !== '0');
  const hasAsk = v.askPrice !== '' || (v.askSize !== '' && v.askSize !== '0');
  if (mode === 'spread') return spreadQuote(note, v, hasBid, hasAsk);
  if (hasBid) {
    const p = checkPrice(note, v.bidPrice);
    if (p) problems.push(`Bid: ${p}`);
    const s = sizeProblem(note, v.bidSize || '', 'Bid size');
    if (s) problems.push(s);
  }
  if (hasAsk) {
    const p = checkPrice(note, v.askPrice);
    if (p) problems.push(`Ask: ${p}`);
    const s = sizeProblem(note, v.askSize || '', 'Ask size');
    if (s) problems.push(s);
  }
  if (problems.length === 0 && hasBid && hasAsk && new Decimal(v.bidPrice).gte(v.askPrice)) problems.push('The bid must be below the ask.');
  if (problems.length > 0) return problems.join(' ');
  return {
    noteId: note.id,
    bidSize: hasBid ? v.bidSize : '0',
    ...(hasBid ? { bidPrice: v.bidPrice } : {}),
    askSize: hasAsk ? v.askSize : '0',
    ...(hasAsk ? { askPrice: v.askPrice } : {}),
  };
}

/** A row whose bid and ask are spreads in bp (the server derives the prices): a wider spread is a lower price. */
function spreadQuote(
  note: Note,
  v: { bidSize: string; bidPrice: string; askPrice: string; askSize: string },
  hasBid: boolean,
  hasAsk: boolean,
): QuoteInput | string {
  const problems: string[] = [];
  for (const [has, text, size, label] of [
    [hasBid, v.bidPrice, v.bidSize, 'Bid'],
    [hasAsk, v.askPrice, v.askSize, 'Ask'],
  ] as const) {
    if (!has) continue;
    const p = checkSpread(text);
    if (p) problems.push(`${label}: ${p}`);
    const s = sizeProblem(note, size || '', `${label} size`);
    if (s) problems.push(s);
  }
  if (problems.length === 0 && hasBid && hasAsk && new Decimal(spreadValue(v.bidPrice)).lte(spreadValue(v.askPrice)))
    problems.push('The bid spread must be wider than the ask spread.');
  if (problems.length > 0) return problems.join(' ');
  return {
    noteId: note.id,
    bidSize: hasBid ? v.bidSize : '0',
    ...(hasBid ? { bidSpreadBp: spreadValue(v.bidPrice) } : {}),
    askSize: hasAsk ? v.askSize : '0',
    ...(hasAsk ? { askSpreadBp: spreadValue(v.askPrice) } : {}),
  };
}

export function quoteGrid(app: AppContext, scope: Scope): HTMLElement {
  const partyId = app.session!.user.partyId;
  const message = new MessageSlot();
  const input = (testid: string, placeholder: string, label: string) =>
    h('input', { class: 'num', testid, placeholder, autocomplete: 'off', 'aria-label': label });
  const rows: GridRow[] = app.notes.map((note) => ({
    note,
    bidSize: input(`q-bid-size-${note.className}`, 'size', `${app.noteLabel(note)} bid size`),
    bidPrice: input(`q-bid-${note.className}`, 'bid', `${app.noteLabel(note)} bid`),
    askPrice: input(`q-ask-${note.className}`, 'ask', `${app.noteLabel(note)} ask`),
    askSize: input(`q-ask-size-${note.className}`, 'size', `${app.noteLabel(note)} ask size`),
    market: h('td', { class: 'num' }),
    live: h('td', { class: 'num', testid: `q-live-${note.className}` }),
    band: h('td', { class: 'num muted', testid: `q-band-${note.className}` }),
    error: h('div', { class: 'field-error' }),
    prefilled: false,
    quoting: false,
  }));

  // Bid and ask as prices, or as spreads in bp from which the server derives the prices (issue 17).
  const bidHead = h('th', { class: 'num' }, 'Bid');
  const askHead = h('th', { class: 'num' }, 'Ask');
  const entryMode = entryModeToggle('quote-entry-mode', (mode) => {
    bidHead.textContent = mode === 'spread' ? 'Bid (bp)' : 'Bid';
    askHead.textContent = mode === 'spread' ? 'Ask (bp)' : 'Ask';
    for (const row of rows) {
      row.bidPrice.value = '';
      row.askPrice.value = '';
      row.bidPrice.placeholder = mode === 'spread' ? 'bid bp' : 'bid';
      row.askPrice.placeholder = mode === 'spread' ? 'ask bp' : 'ask';
      row.error.textContent = '';
    }
  });
  const showLive = (row: GridRow, quotes: NoteQuotes | null) => {
    const best = quotes
      ? `${quotes.bestBid ? fmt.price(quotes.bestBid.price, row.note, false) : '—'} / ${quotes.bestAsk ? fmt.price(quotes.bestAsk.price, row.note, false) : '—'}`
      : '';
    replace(row.market, best);
    const mine = quotes?.quotes.find((q) => q.dealerPartyId === partyId);
    row.quoting = mine !== undefined && (mine.bidPrice !== null || mine.askPrice !== null);
    if (!mine) return replace(row.live, h('span', { class: 'muted' }, 'not quoting'));
    // A side entered as a spread shows it: its price floats with the curve (the server re-prices it).
    const spread = (bp: string | undefined) => (bp === undefined ? '' : ` (${bp.startsWith('-') ? bp : `+${bp}`} bp)`);
    replace(
      row.live,
      h(
        'span',
        { class: 'bid' },
        mine.bidPrice ? `${fmt.face(mine.bidSize)} @ ${fmt.price(mine.bidPrice, row.note, false)}${spread(mine.bidSpreadBp)}` : '—',
      ),
      ' / ',
      h(
        'span',
        { class: 'ask' },
        mine.askPrice ? `${fmt.price(mine.askPrice, row.note, false)}${spread(mine.askSpreadBp)} × ${fmt.face(mine.askSize)}` : '—',
      ),
    );
    // Prefilled once with the live prices, and only while the grid takes prices (not spreads).
    if (!row.prefilled && entryMode.mode() === 'price') {
      row.prefilled = true;
      row.bidPrice.value = mine.bidPrice ?? '';
      row.bidSize.value = mine.bidPrice ? mine.bidSize : '';
      row.askPrice.value = mine.askPrice ?? '';
      row.askSize.value = mine.askPrice ? mine.askSize : '';
    }
  };
  const showBands = async () => {
    for (const row of rows) {
      const band = await loadBand(app, row.note.id);
      replace(
        row.band,
        band?.low && band.high ? `${fmt.price(band.low, row.note, false)} – ${fmt.price(band.high, row.note, false)}` : 'none yet',
      );
      row.band.title = band ? bandText(band, row.note) : '';
    }
  };
  void showBands();
  for (const row of rows) scope.add(app.live!.watchQuotes(row.note.id, (quotes) => showLive(row, quotes)));

  const send = h('button', { class: 'primary', testid: 'mass-quote' }, 'Send quotes');
  const pull = h('button', { class: 'danger', testid: 'pull-all' }, 'Pull all');
  send.addEventListener('click', () => {
    const quotes: QuoteInput[] = [];
    let invalid = 0;
    let pulled = 0;
    for (const row of rows) {
      const result = rowQuote(
        row.note,
        {
          bidSize: row.bidSize.value,
          bidPrice: row.bidPrice.value,
          askPrice: row.askPrice.value,
          askSize: row.askSize.value,
        },
        entryMode.mode(),
      );
      row.error.textContent = typeof result === 'string' ? result : '';
      if (typeof result === 'string') invalid += 1;
      else if (result) quotes.push(result);
      else if (row.quoting) {
        // A cleared row whose quote is live: an empty quote on the note pulls it, atomically with the rest.
        quotes.push({ noteId: row.note.id, bidSize: '0', askSize: '0' });
        pulled += 1;
      }
    }
    if (invalid > 0)
      return message.error(new Error(`${invalid} row${invalid === 1 ? ' needs' : 's need'} fixing; nothing was sent.`), 'quote-error');
    if (quotes.length === 0) return message.error(new Error("Fill in at least one note's bid or ask."), 'quote-error');
    const quoting = quotes.length - pulled;
    void withBusy(send, message, async () => {
      const result = await app.client.putQuotes(quotes);
      const parts = [
        ...(quoting > 0 ? [`Quoting ${quoting} note${quoting === 1 ? '' : 's'}`] : []),
        ...(pulled > 0 ? [`pulled ${pulled} cleared quote${pulled === 1 ? '' : 's'}`] : []),
        ...(result.fills.length ? [`${result.fills.length} fill(s) on entry`] : []),
        ...(result.pricedFromSpread ?? []).map((d) => `${app.noteLabel(d.noteId)} ${derivedText(d)}`),
      ];
      const text = parts.join('; ');
      message.ok(`${text.charAt(0).toUpperCase()}${text.slice(1)}.`, 'quote-result');
    }).finally(() => void showBands());
  });
  pull.addEventListener(
    'click',
    () =>
      void withBusy(pull, message, async () => {
        await app.client.pullQuotes();
        message.ok('All quotes pulled.', 'quote-result');
      }),
  );

  const table = h(
    'table',
    { testid: 'quote-grid' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Note', 'Market bid / ask', 'Price band', 'Bid size', bidHead, askHead, 'Ask size', 'My live quote'].map((label, i) =>
          typeof label === 'string' ? h('th', { class: i === 0 ? undefined : 'num' }, label) : label,
        ),
      ),
    ),
    h(
      'tbody',
      {},
      rows.flatMap((row) => [
        h(
          'tr',
          { 'data-note': row.note.id },
          h('td', {}, h('a', { href: `/notes/${row.note.id}` }, app.noteLabel(row.note))),
          row.market,
          row.band,
          h('td', {}, row.bidSize),
          h('td', {}, row.bidPrice),
          h('td', {}, row.askPrice),
          h('td', {}, row.askSize),
          row.live,
        ),
        h('tr', { class: 'error-row' }, h('td', { colspan: '8' }, row.error)),
      ]),
    ),
  );
  return panel('Quote grid', h('div', {}, message.element, h('div', { class: 'hscroll' }, table)), {
    tools: [entryMode.element, send, pull],
    flush: true,
    testid: 'quote-grid-panel',
  });
}
