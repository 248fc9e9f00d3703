/**
 * The back office: the end-of-day roll of the business date, settlement instructions by date and
 * state, settlement runs with progress, fails, distributions and trustee reports, reconciliation
 * breaks, and CSV downloads of instructions, breaks and statements. With the on-chain registry on
 * (back-office users only: the registry's endpoints are theirs), each instruction's transfer on
 * chain and the registry panel (outbox, registry breaks and their repair).
 */
import type { AppContext } from '../app/context.js';
import { reconciliationPanel, statementsPanel } from '../components/recon.js';
import { registryPanel } from '../components/registry.js';
import { servicingPanel } from '../components/servicing.js';
import { auditPanel } from '../components/audit.js';
import { checklistPanel, runHistoryPanel } from '../components/runs.js';
import { failsPanel, runPanel, settlementsPanel } from '../components/settlements.js';
import { h, type Scope } from '../ui/dom.js';
import { MessageSlot } from '../ui/notice.js';

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
  const [, registry] = await Promise.all([
    app.refreshBusinessDate(),
    app.hasRole('backoffice') ? app.client.registryStatus() : Promise.resolve(null),
  ]);
  const onChain = registry !== null && registry.mode !== 'off';
  const message = new MessageSlot();
  if (app.flash) message.ok(app.flash, 'roll-result');
  app.flash = null;
  const instructions = settlementsPanel(app, onChain);
  const fails = failsPanel(app);
  const run = runPanel(app, () => void Promise.all([instructions.reload(), fails.reload()]));
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'page-title' },
      h('h1', {}, 'Back office'),
      h('span', { class: 'sub', testid: 'bo-date' }, `Business date ${app.businessDate}`),
      h('span', { class: 'spacer' }),
      rollButton(app, message),
    ),
    message.element,
    h(
      'div',
      { class: 'stack' },
      h('div', { class: 'grid two' }, run, reconciliationPanel(app)),
      instructions.element,
      onChain ? registryPanel(app, scope, registry) : null,
      h('div', { class: 'grid two' }, fails.element, statementsPanel(app)),
      servicingPanel(app),
      // Issue 19: the pre-roll checklist, the run history with totals, and the audit trail.
      checklistPanel(app),
      runHistoryPanel(app),
      auditPanel(app),
    ),
  );
}
