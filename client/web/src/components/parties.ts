/**
 * Parties of the venue (investors, dealers, the back office, operators): every party with its kind,
 * trading eligibility and onboarding time. Operators onboard a party (name, kind, eligible or not)
 * and change a party's eligibility — the only edit the API offers (PATCH /parties/:id takes
 * `eligible`); a dealer's credit line is on the market controls tab. The back office reads the list
 * (the route table lets it list parties, not change them). API errors show under the field they
 * name; a name already taken (DUPLICATE_NAME) under the name.
 */
import type { Party } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { field, h, panel } from '../ui/dom.js';
import { FieldErrors } from '../ui/field-errors.js';
import * as fmt from '../ui/format.js';
import { MessageSlot, withBusy } from '../ui/notice.js';
import { dataTable } from '../ui/table.js';

const KINDS: readonly Party['kind'][] = ['investor', 'dealer', 'backoffice', 'operator'];

export function partiesPanel(app: AppContext, options: { edit: boolean }): HTMLElement {
  const message = new MessageSlot();
  const loadError = new MessageSlot();
  let load: () => Promise<void> = async () => undefined;

  const toggle = (party: Party): HTMLElement => {
    const button = h(
      'button',
      {
        class: party.eligible ? 'small danger' : 'small primary',
        testid: 'party-toggle',
        // The accessible name starts with the visible text (WCAG 2.5.3), then says whose it is.
        'aria-label': `${party.eligible ? 'Suspend trading' : 'Reinstate'}: ${party.name}`,
      },
      party.eligible ? 'Suspend trading' : 'Reinstate',
    );
    button.addEventListener(
      'click',
      () =>
        void withBusy(button, message, async () => {
          const saved = await app.client.setPartyEligibility(party.id, !party.eligible);
          message.ok(`${saved.name} is ${saved.eligible ? 'eligible to trade' : 'no longer eligible to trade'}.`, 'party-result');
          await load();
        }),
    );
    return button;
  };
  const table = dataTable<Party>({
    testid: 'parties-table',
    empty: 'No parties.',
    rowKey: (p) => p.id,
    columns: [
      { label: 'Name', render: (p) => p.name },
      { label: 'Kind', render: (p) => p.kind },
      {
        label: 'Trading',
        render: (p) =>
          h(
            'span',
            { class: `pill ${p.eligible ? 'open' : 'failed'}`, testid: 'party-eligible' },
            p.eligible ? 'Eligible' : 'Not eligible',
          ),
      },
      { label: 'Onboarded', render: (p) => fmt.dateTime(p.createdAt) },
      ...(options.edit ? [{ label: 'Change', render: toggle }] : []),
    ],
  });
  load = async () => {
    try {
      const parties = await app.client.parties();
      // The other tabs name parties from the app's map (statements, instructions): keep it current.
      for (const party of parties) app.parties.set(party.id, party);
      table.update(parties);
      loadError.clear();
    } catch (error) {
      loadError.error(error, 'parties-load-error');
    }
  };
  void load();
  return panel(
    'Parties',
    h(
      'div',
      {},
      options.edit ? [h('h3', {}, 'Onboard a party'), createForm(app, message, load)] : null,
      message.element,
      loadError.element,
      h('h3', {}, 'All parties'),
      h('div', { class: 'hscroll' }, table.element),
    ),
    { testid: 'parties-panel' },
  );
}

function createForm(app: AppContext, message: MessageSlot, reload: () => Promise<void>): HTMLElement {
  const name = h('input', { autocomplete: 'off', placeholder: 'legal name', testid: 'party-name' });
  const kind = h(
    'select',
    { testid: 'party-kind' },
    KINDS.map((k) => h('option', { value: k }, k)),
  );
  const eligible = h('input', { type: 'checkbox', checked: true, testid: 'party-eligible-input' });
  const formMessage = new MessageSlot();
  const errors = new FieldErrors(formMessage, new Map([['DUPLICATE_NAME', 'name']]));
  const save = h('button', { class: 'primary', type: 'submit', testid: 'party-create' }, 'Onboard party');
  const form = h(
    'form',
    { testid: 'party-form' },
    h(
      'div',
      { class: 'row' },
      field('Name', name, errors.slot('name', name, 'party-error-name')),
      field('Kind', kind, errors.slot('kind', kind, 'party-error-kind')),
      h('div', { class: 'fit' }, h('label', { class: 'check' }, eligible, ' Eligible to trade')),
      h('div', { class: 'fit' }, save),
    ),
    formMessage.element,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.clear();
    message.clear();
    save.disabled = true;
    try {
      const party = await app.client.createParty({ name: name.value, kind: kind.value as Party['kind'], eligible: eligible.checked });
      message.ok(`Onboarded ${party.name} (${party.kind}${party.eligible ? ', eligible to trade' : ''}).`, 'party-result');
      name.value = '';
      await reload();
    } catch (error) {
      errors.show(error);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}
