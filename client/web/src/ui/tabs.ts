/**
 * Tabs: one job per tab, the URL hash naming the tab shown (`/backoffice#fails`), so a tab can be
 * linked to and survives a reload. A tab's content is built the first time it is shown and kept
 * (its state stays when another tab is looked at). ARIA tablist/tab/tabpanel, arrow keys move.
 */
import { append, type Child, h, type Scope } from './dom.js';

export interface Tab {
  /** The hash that selects it, and the `data-tab` of its button: lower case, no spaces. */
  id: string;
  label: string;
  /** Builds the tab's content, once. */
  render: () => Child;
  /** Called when the tab is shown again after its content was built (e.g. to re-read its data). */
  onShow?: () => void;
}

export function tabs(list: readonly Tab[], scope: Scope, options: { testid: string; label: string }): HTMLElement {
  const path = location.pathname;
  const buttons = new Map<string, HTMLButtonElement>();
  const panels = new Map<string, HTMLElement>();
  const built = new Set<string>();
  const bar = h('div', { class: 'tabs', role: 'tablist', 'aria-label': options.label, testid: options.testid });
  const body = h('div', { class: 'tab-panels' });

  const show = (id: string, focus = false) => {
    const chosen = list.find((t) => t.id === id) ?? list[0];
    if (!chosen) return;
    for (const tab of list) {
      const on = tab === chosen;
      const button = buttons.get(tab.id)!;
      button.setAttribute('aria-selected', String(on));
      button.tabIndex = on ? 0 : -1;
      button.classList.toggle('on', on);
      panels.get(tab.id)!.hidden = !on;
    }
    if (!built.has(chosen.id)) {
      built.add(chosen.id);
      append(panels.get(chosen.id)!, [chosen.render()]);
    } else chosen.onShow?.();
    if (focus) buttons.get(chosen.id)!.focus();
    // Only while the page is still the one the tabs were built for (the user may have moved on).
    if (location.pathname === path && location.hash.slice(1) !== chosen.id) history.replaceState(history.state, '', `#${chosen.id}`);
  };

  for (const tab of list) {
    const button = h(
      'button',
      {
        type: 'button',
        role: 'tab',
        id: `tab-${tab.id}`,
        'aria-controls': `tabpanel-${tab.id}`,
        'data-tab': tab.id,
        testid: `tab-${tab.id}`,
        onclick: () => show(tab.id),
      },
      tab.label,
    );
    button.addEventListener('keydown', (event) => {
      const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
      if (step === 0) return;
      const at = list.indexOf(tab);
      show(list[(at + step + list.length) % list.length]!.id, true);
    });
    buttons.set(tab.id, button);
    bar.append(button);
    const tabPanel = h('div', {
      role: 'tabpanel',
      id: `tabpanel-${tab.id}`,
      'aria-labelledby': `tab-${tab.id}`,
      testid: `tabpanel-${tab.id}`,
      class: 'stack',
    });
    panels.set(tab.id, tabPanel);
    body.append(tabPanel);
  }
  const onHash = () => show(location.hash.slice(1));
  window.addEventListener('hashchange', onHash);
  scope.add(() => window.removeEventListener('hashchange', onHash));
  show(location.hash.slice(1));
  return h('div', { class: 'tabbed' }, bar, body);
}
