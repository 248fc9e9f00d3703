/**
 * The back office, one job per tab (the URL hash names the tab: `/backoffice#fails`): the
 * end-of-day roll of the business date, settlement runs with progress, settlement instructions by
 * date and state, fails, collections by the deal's calendar with their corrections, distributions
 * (run one for a payment date, the waterfall's result by class, the trustee reports), statements,
 * reconciliation breaks, and CSV downloads. With the on-chain registry on (back-office users only:
 * the registry's endpoints are theirs), each instruction's transfer on chain and the registry tab
 * (outbox, registry breaks and their repair). Reference data: the reference rate series, parties
 * and the obligor register.
 *
 * Each tab is shown only to the roles the route table lets call what it shows, so no tab of it
 * answers 403: operators get the roll, instructions, fails, collections and distributions (reading),
 * statements, the market controls (halt and resume, price bands, dealer credit lines) and the
 * reference data to edit (rates, parties, obligors: PUT/POST/PATCH are operator routes); the back
 * office reads the reference data and does the rest. Users who see only their own party (investors,
 * dealers) have no back office: the page says so and asks the API for nothing.
 */
import type { AppContext } from '../app/context.js';
import { reconciliationPanel, statementsPanel } from '../components/recon.js';
import { registryPanel } from '../components/registry.js';
import { collectionsPanel } from '../components/collections.js';
import { distributionsPanel } from '../components/distributions.js';
import { obligorsPanel } from '../components/obligors.js';
import { partiesPanel } from '../components/parties.js';
import { referenceRatesPanel } from '../components/reference-rates.js';
import { auditPanel } from '../components/audit.js';
import { checklistPanel, runHistoryPanel } from '../components/runs.js';
import { failsPanel, runPanel, settlementsPanel } from '../components/settlements.js';
import { marketControlsPanel } from '../components/market-controls.js';
import { h, panel, type Scope } from '../ui/dom.js';
import { infoAlert, MessageSlot } from '../ui/notice.js';
import { type Tab, tabs } from '../ui/tabs.js';

/** End of day, behind a second click: DAY orders expire and the business date moves on. */
function rollButton(app: AppContext, message: MessageSlot): HTMLElement {
  const button = h('button', { testid: 'roll-date' }, 'End of day: roll business date');
  let armed: ReturnType<typeof setTimeout> | null = null;
  button.addEventListener('click', async () => {
    if (!armed) {
      button.textContent = `Confirm: close ${app.businessDate}?`;
      button.classList.add('danger');
      armed = setTimeout(() => {
        armed = null;
        button.textContent = 'End of day: roll business date';
        button.classList.remove('danger');
      }, 5000);
      return;
    }
    clearTimeout(armed);
    armed = null;
    button.disabled = true;
    try {
      const result = await app.client.rollBusinessDate(app.businessDate);
      app.businessDate = result.businessDate;
      // Every panel defaults to the business date: redraw the page, with the outcome on top.
      app.flash = `Business date rolled from ${result.previousDate} to ${result.businessDate}; DAY orders expired.`;
      app.navigate('/backoffice');
    } catch (error) {
      message.error(error, 'roll-error');
    } finally {
      button.disabled = false;
      button.textContent = 'End of day: roll business date';
      button.classList.remove('danger');
    }
  });
  return button;
}

export async function backOfficeView(app: AppContext, scope: Scope): Promise<HTMLElement> {
  // The nav hides it from them; a typed or bookmarked URL gets a sentence, not a page of 403s.
  if (!app.seesAllParties)
    return h(
      'div',
      {},
      h('div', { class: 'page-title' }, h('h1', {}, 'Back office')),
      infoAlert('The back office is for back-office users and operators.', 'bo-not-yours'),
    );
  const backOffice = app.hasRole('backoffice');
  const operator = app.hasRole('operator');
  const [, registry] = await Promise.all([app.refreshBusinessDate(), backOffice ? app.client.registryStatus() : Promise.resolve(null)]);
  const onChain = registry !== null && registry.mode !== 'off';
  const message = new MessageSlot();
  if (app.flash) message.ok(app.flash, 'roll-result');
  app.flash = null;
  const instructions = settlementsPanel(app, onChain);
  const fails = failsPanel(app);
  // Built by their tabs when first shown; re-read when shown again (what one tab does changes the other's calendar).
  let collections: ReturnType<typeof collectionsPanel> | null = null;
  let distributions: ReturnType<typeof distributionsPanel> | null = null;
  const reloadSettlements = () => void Promise.all([instructions.reload(), fails.reload()]);
  // One entry per job; `when` false leaves the tab out for roles the API would refuse.
  const list: (Tab & { when: boolean })[] = [
    // The pre-roll checklist (issue 19) sits with the roll it prepares for.
    {
      id: 'roll',
      label: 'End of day',
      when: true,
      render: () => h('div', { class: 'stack' }, endOfDayPanel(app, message), checklistPanel(app)),
    },
    { id: 'settlement', label: 'Settlement run', when: backOffice, render: () => runPanel(app, reloadSettlements) },
    { id: 'runs', label: 'Run history', when: true, render: () => runHistoryPanel(app) },
    // Both are read when the page opens; shown again later, they re-read (a run or roll may have changed them).
    {
      id: 'instructions',
      label: 'Instructions',
      when: true,
      render: () => instructions.element,
      onShow: () => void instructions.reload(),
    },
    { id: 'fails', label: 'Fails', when: true, render: () => fails.element, onShow: () => void fails.reload() },
    // Listing collections is back office and operator; recording and correcting them, back office only.
    {
      id: 'collections',
      label: 'Collections',
      when: true,
      render: () => (collections = collectionsPanel(app, { record: backOffice })).element,
      onShow: () => collections?.reload(),
    },
    // Trustee reports are any user's; running a distribution is the back office's.
    {
      id: 'distributions',
      label: 'Distributions',
      when: true,
      render: () => (distributions = distributionsPanel(app, { run: backOffice })).element,
      onShow: () => distributions?.reload(),
    },
    { id: 'statements', label: 'Statements', when: true, render: () => statementsPanel(app) },
    { id: 'reconciliation', label: 'Reconciliation', when: backOffice, render: () => reconciliationPanel(app) },
    { id: 'registry', label: 'Registry', when: onChain, render: () => registryPanel(app, scope, registry!) },
    { id: 'market', label: 'Market controls', when: operator, render: () => marketControlsPanel(app) },
    // Reading these is open to the back office (and, for rates and obligors, any user); changing them is the operator's.
    { id: 'rates', label: 'Reference rates', when: true, render: () => referenceRatesPanel(app, { edit: operator }) },
    { id: 'parties', label: 'Parties', when: true, render: () => partiesPanel(app, { edit: operator }) },
    { id: 'obligors', label: 'Obligors', when: true, render: () => obligorsPanel(app, { edit: operator }) },
    { id: 'audit', label: 'Audit trail', when: true, render: () => auditPanel(app) },
  ];
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'page-title' },
      h('h1', {}, 'Back office'),
      h('span', { class: 'sub', testid: 'bo-date' }, `Business date ${app.businessDate}`),
    ),
    message.element,
    tabs(
      list.filter((t) => t.when),
      scope,
      { testid: 'bo-tabs', label: 'Back-office jobs' },
    ),
  );
}

/** The end-of-day roll with what it does; the outcome shows above the tabs after the page redraws. */
function endOfDayPanel(app: AppContext, message: MessageSlot): HTMLElement {
  return panel(
    'End of day',
    h(
      'div',
      {},
      h(
        'p',
        { class: 'muted' },
        `Closes business date ${app.businessDate}: DAY orders expire and the business date moves to the next business day. Click twice (the first click arms it for 5 seconds).`,
      ),
      h('div', { class: 'row' }, h('div', { class: 'fit' }, rollButton(app, message))),
    ),
    { testid: 'roll-panel' },
  );
}
