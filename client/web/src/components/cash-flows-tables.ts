/**
 * The Cash flows tab's tables, built from a projection: the class table (WAL, price, yield,
 * spread, Z-spread, duration, convexity, loss), the triggers' first breach dates, and one class's
 * cash flows on the payment dates with a flow.
 *
 * Every figure is the API's decimal string as it came (cash through fmt.cash); nothing is computed
 * here. Each function returns a new element; the tab puts it in place.
 */
import type { ProjectedClass, Projection } from '../../../sdk/index.js';
import { h } from '../ui/dom.js';
import * as fmt from '../ui/format.js';

/** One row per class; the row of the page's own note (`noteId`) is marked. */
export function classTable(projection: Projection, noteId: string): HTMLElement {
  const cell = (v: string | null, testid?: string) => h('td', { class: 'num', testid }, v ?? '—');
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Class', 'WAL (yrs)', 'Price', 'Yield to ARD (%)', 'Spread (bp)', 'Z-spread (bp)', 'Mod. duration', 'Convexity', 'Loss (%)'].map(
          (label, i) => h('th', { class: i === 0 ? undefined : 'num', scope: 'col' }, label),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      projection.classes.map((c) =>
        h(
          'tr',
          { 'data-class': c.className, class: c.noteId === noteId ? 'best' : undefined },
          h('th', { scope: 'row' }, c.className),
          cell(c.walYears),
          cell(c.price),
          cell(c.yieldPercent, `cf-yield-${c.className}`),
          cell(c.spreadBp, `cf-spread-${c.className}`),
          cell(c.zSpreadBp),
          cell(c.modifiedDuration),
          cell(c.convexity),
          cell(c.lossPercent, `cf-loss-${c.className}`),
        ),
      ),
    ),
  );
}

/** Each trigger's first breach date under the scenario, or that it never breached. */
export function breachList(projection: Projection): HTMLElement {
  return projection.triggerBreaches.length === 0
    ? h('p', { class: 'muted' }, 'The waterfall has no triggers.')
    : h(
        'ul',
        { class: 'cf-breaches' },
        projection.triggerBreaches.map((b) =>
          h(
            'li',
            { testid: `cf-breach-${b.name}` },
            h('b', {}, b.name),
            ': ',
            b.firstDate ? h('span', { class: 'neg' }, `first breached ${b.firstDate}`) : h('span', { class: 'pos' }, 'never breached'),
          ),
        ),
      );
}

/** The class's cash flows: the first date, then the dates with interest or principal paid, an interest shortfall or a write-down. */
export function flowTable(c: ProjectedClass): HTMLElement {
  const rows = c.cashFlows.filter(
    (f, i) => i === 0 || f.interest !== '0.00' || f.principal !== '0.00' || f.writedown !== '0.00' || f.interestShortfall !== '0.00',
  );
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Date', 'Interest', 'Principal', 'Balance', 'Interest shortfall', 'Deferred interest', 'Write-down'].map((label, i) =>
          h('th', { class: i === 0 ? undefined : 'num', scope: 'col' }, label),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((f) =>
        h(
          'tr',
          {},
          h('td', {}, f.date),
          h('td', { class: 'num' }, fmt.cash(f.interest)),
          h('td', { class: 'num' }, fmt.cash(f.principal)),
          h('td', { class: 'num' }, fmt.cash(f.balance)),
          h('td', { class: 'num' }, fmt.cash(f.interestShortfall)),
          h('td', { class: 'num' }, fmt.cash(f.deferredInterest)),
          h('td', { class: 'num' }, fmt.cash(f.writedown)),
        ),
      ),
    ),
  );
}
