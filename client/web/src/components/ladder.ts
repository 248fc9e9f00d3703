/**
 * The depth ladder of one note, live from the WebSocket book: asks above (best ask nearest the
 * spread), bids below, with size and order count per level and the spread in between. While the
 * link is down or the book awaits its fresh snapshot it is dimmed and says so; clicking a level
 * hands its price to the order ticket.
 */
import type { BookLevel, LocalBook, Note } from '../../../sdk/index.js';
import { Decimal } from '../money/domain.js';
import { h, panel, replace, type Child } from '../ui/dom.js';
import * as fmt from '../ui/format.js';
import { alignDecimals } from '../ui/table.js';

export const LADDER_LEVELS = 10;

export interface Ladder {
  element: HTMLElement;
  render(book: LocalBook | undefined, current: boolean): void;
}

export function ladder(note: Note, onPick: (price: string, side: 'buy' | 'sell') => void): Ladder {
  const tbody = h('tbody');
  const status = h('span', { class: 'muted', testid: 'ladder-status' });
  const table = h(
    'table',
    { class: 'ladder', testid: 'ladder' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { class: 'num', title: 'orders at the level' }, '#'),
        h('th', { class: 'num' }, 'Bid size'),
        h('th', { class: 'num' }, 'Price'),
        h('th', { class: 'num' }, 'Ask size'),
        h('th', { class: 'num', title: 'orders at the level' }, '#'),
      ),
    ),
    tbody,
  );
  const element = panel('Depth', table, { flush: true, testid: 'ladder-panel', tools: status });

  const row = (level: BookLevel, side: 'bid' | 'ask', priceText: Child) =>
    h(
      'tr',
      {
        class: 'clickable',
        'data-side': side,
        'data-price': level.price,
        onclick: () => onPick(level.price, side === 'ask' ? 'buy' : 'sell'),
      },
      h('td', { class: 'num muted' }, side === 'bid' ? String(level.orders) : ''),
      h('td', { class: 'num bid' }, side === 'bid' ? fmt.face(level.quantity) : ''),
      h('td', { class: `num ${side}` }, priceText),
      h('td', { class: 'num ask' }, side === 'ask' ? fmt.face(level.quantity) : ''),
      h('td', { class: 'num muted' }, side === 'ask' ? String(level.orders) : ''),
    );

  const render = (book: LocalBook | undefined, current: boolean) => {
    const asks = (book?.asks ?? []).slice(0, LADDER_LEVELS).reverse();
    const bids = (book?.bids ?? []).slice(0, LADDER_LEVELS);
    table.classList.toggle('stale', !current);
    element.classList.toggle('is-stale', !current);
    replace(status, current ? 'live' : h('span', { class: 'stale-note', testid: 'ladder-stale' }, 'Reconnecting — last known book'));
    const prices = alignDecimals([...asks, ...bids].map((l) => fmt.price(l.price, note)));
    const spread = book?.bestBid && book.bestAsk ? new Decimal(book.bestAsk.price).minus(book.bestBid.price) : null;
    replace(
      tbody,
      asks.length === 0
        ? h('tr', {}, h('td', { class: 'empty', colspan: '5' }, 'No offers'))
        : asks.map((l, i) => row(l, 'ask', prices[i])),
      h(
        'tr',
        { class: 'spread' },
        h('td', { colspan: '5' }, spread ? `Spread ${fmt.price(spread.toFixed(), note)}` : 'No two-sided market'),
      ),
      bids.length === 0
        ? h('tr', {}, h('td', { class: 'empty', colspan: '5' }, 'No bids'))
        : bids.map((l, i) => row(l, 'bid', prices[asks.length + i])),
    );
  };
  render(undefined, false);
  return { element, render };
}
