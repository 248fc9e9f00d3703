/**
 * The dealer desk: the quote grid across every note (mass quote, pull all), incoming RFQs with
 * countdowns, an answer box and a pass with a reason, the inventory and risk view (current face,
 * value, DV01, the day's P&L by note), cash and positions (pushed on every hold change), the RFQ
 * history with its outcome statistics, and the dealer's fills and open orders.
 */
import type { AppContext } from '../app/context.js';
import { fillsPanel, openOrdersPanel } from '../components/orders.js';
import { quoteGrid } from '../components/quote-grid.js';
import { rfqInbox } from '../components/rfq-inbox.js';
import { positionsPanel } from '../components/positions.js';
import { rfqHistoryPanel } from '../components/rfq-history.js';
import { h, type Scope } from '../ui/dom.js';
import { balancesPanel } from './markets.js';

export function dealerView(app: AppContext, scope: Scope): HTMLElement {
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'page-title' },
      h('h1', {}, 'Dealer desk'),
      h(
        'span',
        { class: 'sub' },
        'Two-sided quotes are firm liquidity in the book; a mass quote replaces yours on every note sent, atomically.',
      ),
    ),
    // The quote grid across the full width (every column, inputs wide enough for a 1/128 price);
    // below it the fills and orders beside the RFQs and cash, so neither half of the page is empty.
    h(
      'div',
      { class: 'stack' },
      quoteGrid(app, scope),
      h(
        'div',
        { class: 'grid dealer-grid' },
        h('div', { class: 'stack' }, fillsPanel(app, scope), openOrdersPanel(app, scope)),
        h('div', { class: 'stack' }, rfqInbox(app, scope), balancesPanel(app, scope)),
      ),
    ),
    // Full width below: the inventory's ten columns and the RFQ history do not fit a half.
    h('div', { class: 'stack mt' }, positionsPanel(app, scope, 'dealer'), rfqHistoryPanel(app, scope)),
  );
}
