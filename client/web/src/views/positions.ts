/**
 * Positions (investors and dealers): the full fixed-income position table — original and current
 * face, factor, the mark and its source, market value, accrued, average cost, realized and
 * unrealized P&L, pending face and cash — with totals and CSV; below it, the dealer's risk columns
 * (DV01, day's P&L) and the own daily statement download.
 *
 * Its own screen rather than a panel on Markets: the table is fourteen columns wide and Markets
 * already fills the width with the note list; a desk keeps positions open all day next to it.
 */
import type { AppContext } from '../app/context.js';
import { ownStatementPanel } from '../components/own-statement.js';
import { positionsPanel } from '../components/positions.js';
import { h, type Scope } from '../ui/dom.js';

export function positionsView(app: AppContext, scope: Scope): HTMLElement {
  return h(
    'div',
    { class: 'stack' },
    h(
      'div',
      { class: 'page-title' },
      h('h1', {}, 'Positions'),
      h(
        'span',
        { class: 'sub' },
        `${app.ownParty?.name ?? ''} · trade-date basis · prices in % of par · business date ${app.businessDate}`,
      ),
    ),
    positionsPanel(app, scope, 'investor'),
    h('div', { class: 'desk-grid' }, positionsPanel(app, scope, 'dealer', 'Risk: DV01 and the day’s P&L'), ownStatementPanel(app)),
  );
}
