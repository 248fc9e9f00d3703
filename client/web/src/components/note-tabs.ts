/**
 * The note page's tabs: Trading (the existing page) and Cash flows (cash-flows.ts, built when first
 * shown). The tab is kept in the URL's ?tab= so a link opens it.
 */
import type { Deal, Note } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { h, type Scope } from '../ui/dom.js';
import { cashFlowsTab } from './cash-flows.js';

export function noteTabs(app: AppContext, scope: Scope, note: Note, deal: Deal, trading: HTMLElement): HTMLElement {
  const cash = cashFlowsTab(app, scope, note, deal);
  const tabs = [
    { id: 'trading', label: 'Trading', element: trading },
    { id: 'cash-flows', label: 'Cash flows', element: cash.element },
  ];
  const buttons = tabs.map((t) =>
    h('button', { type: 'button', role: 'tab', id: `tab-${t.id}`, 'aria-controls': `tabpanel-${t.id}`, testid: `tab-${t.id}` }, t.label),
  );
  const panels = tabs.map((t) => h('div', { role: 'tabpanel', id: `tabpanel-${t.id}`, 'aria-labelledby': `tab-${t.id}` }, t.element));
  const select = (id: string) => {
    tabs.forEach((t, i) => {
      const on = t.id === id;
      buttons[i]!.setAttribute('aria-selected', String(on));
      buttons[i]!.classList.toggle('on', on);
      panels[i]!.hidden = !on;
    });
    if (id === 'cash-flows') cash.show();
    const url = new URL(location.href);
    if (id === 'trading') url.searchParams.delete('tab');
    else url.searchParams.set('tab', id);
    history.replaceState(history.state, '', url);
  };
  buttons.forEach((b, i) => b.addEventListener('click', () => select(tabs[i]!.id)));
  select(new URLSearchParams(location.search).get('tab') === 'cash-flows' ? 'cash-flows' : 'trading');
  return h('div', {}, h('div', { class: 'cf-tabs', role: 'tablist', 'aria-label': 'Note page' }, buttons), panels);
}
