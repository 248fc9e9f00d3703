/**
 * A company's relationships in the obligor register, both directions (tenant of a deal, sponsor,
 * GPU vendor, equity investor, lender, customer of another company), each with its source and
 * as-of date, and the operator's form to record one: the type, the deal or company it points at (one
 * list, deals and companies apart), leased MW and monthly rent for a tenancy, the source and the
 * as-of date (ISO). MW and rent go as typed (the API keeps them exact); its errors show under the
 * field they name.
 */
import type { Obligor, ObligorRelationship, ObligorRelationshipInput } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { field, h } from '../ui/dom.js';
import { isoDateInput } from '../ui/dates.js';
import { FieldErrors } from '../ui/field-errors.js';
import * as fmt from '../ui/format.js';
import { MessageSlot } from '../ui/notice.js';
import { dataTable } from '../ui/table.js';

const TYPES: readonly { value: ObligorRelationship['type']; label: string }[] = [
  { value: 'tenant_of', label: 'tenant of (deal)' },
  { value: 'sponsor_of', label: 'sponsor of (deal)' },
  { value: 'gpu_vendor_to', label: 'GPU vendor to (deal)' },
  { value: 'equity_investor_in', label: 'equity investor in' },
  { value: 'lender_to', label: 'lender to' },
  { value: 'customer_of', label: 'customer of (company)' },
];

export function relationshipsView(app: AppContext, obligor: Obligor, companies: () => readonly Obligor[]): HTMLElement {
  const table = dataTable<ObligorRelationship>({
    testid: 'relationships-table',
    empty: 'No relationships recorded.',
    rowKey: (r) => r.id,
    columns: [
      { label: 'Company', render: (r) => r.obligorName },
      { label: 'Relationship', render: (r) => TYPES.find((t) => t.value === r.type)?.label ?? r.type },
      { label: 'Deal or company', render: (r) => r.dealName ?? r.counterpartyName ?? '' },
      { label: 'Leased MW', num: true, render: (r) => r.leasedMw ?? '' },
      { label: 'Monthly rent', num: true, render: (r) => fmt.cash(r.monthlyRent) },
      { label: 'Source', render: (r) => r.source },
      { label: 'As of', render: (r) => r.asOf },
    ],
  });
  const loadError = new MessageSlot();
  const load = async () => {
    try {
      table.update((await app.client.obligor(obligor.id)).relationships);
      loadError.clear();
    } catch (error) {
      loadError.error(error, 'relationships-load-error');
    }
  };
  void load();
  return h(
    'div',
    {},
    h('h3', {}, `Relationships of ${obligor.name}`),
    loadError.element,
    h('div', { class: 'hscroll' }, table.element),
    relationshipForm(app, obligor, companies, load),
  );
}

function relationshipForm(
  app: AppContext,
  obligor: Obligor,
  companies: () => readonly Obligor[],
  reload: () => Promise<void>,
): HTMLElement {
  const type = h(
    'select',
    { testid: 'rel-type' },
    TYPES.map((t) => h('option', { value: t.value }, t.label)),
  );
  const target = h(
    'select',
    { testid: 'rel-target' },
    h(
      'optgroup',
      { label: 'Deals' },
      app.deals.map((d) => h('option', { value: `deal:${d.id}` }, d.name)),
    ),
    h(
      'optgroup',
      { label: 'Companies' },
      companies()
        .filter((c) => c.id !== obligor.id)
        .map((c) => h('option', { value: `company:${c.id}` }, c.name)),
    ),
  );
  const leasedMw = h('input', { class: 'num', inputmode: 'decimal', autocomplete: 'off', placeholder: 'tenancy only', testid: 'rel-mw' });
  const monthlyRent = h('input', {
    class: 'num',
    inputmode: 'decimal',
    autocomplete: 'off',
    placeholder: 'tenancy only',
    testid: 'rel-rent',
  });
  const source = h('input', { autocomplete: 'off', placeholder: 'e.g. 10-K 2026, lease schedule', testid: 'rel-source' });
  const asOf = isoDateInput(app.businessDate, { testid: 'rel-as-of' });
  const message = new MessageSlot();
  const errors = new FieldErrors(message, new Map([['DEAL_NOT_FOUND', 'dealId']]));
  const targetError = errors.slot('dealId', target, 'rel-error-target');
  errors.alias('counterpartyId', 'dealId');
  const add = h('button', { type: 'submit', testid: 'rel-add' }, 'Add relationship');
  const form = h(
    'form',
    { testid: 'rel-form' },
    h(
      'div',
      { class: 'row' },
      field('Relationship', type, errors.slot('type', type, 'rel-error-type')),
      field('Deal or company', target, targetError),
      field('Leased MW', leasedMw, errors.slot('leasedMw', leasedMw, 'rel-error-leasedMw')),
      field('Monthly rent (USD)', monthlyRent, errors.slot('monthlyRent', monthlyRent, 'rel-error-monthlyRent')),
    ),
    h(
      'div',
      { class: 'row' },
      field('Source', source, errors.slot('source', source, 'rel-error-source')),
      field('As of (YYYY-MM-DD)', asOf, errors.slot('asOf', asOf, 'rel-error-asOf')),
      h('div', { class: 'fit' }, add),
    ),
    message.element,
  );
  const input = (): ObligorRelationshipInput => {
    const [kind, id = ''] = target.value.split(':');
    const mw = fmt.cleanNumberInput(leasedMw.value);
    const rent = fmt.cleanNumberInput(monthlyRent.value);
    return {
      type: type.value as ObligorRelationship['type'],
      ...(kind === 'deal' ? { dealId: id } : { counterpartyId: id }),
      ...(mw ? { leasedMw: mw } : {}),
      ...(rent ? { monthlyRent: rent } : {}),
      source: source.value,
      asOf: asOf.value.trim(),
    };
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.clear();
    add.disabled = true;
    try {
      const added = await app.client.addObligorRelationship(obligor.id, input());
      message.ok(`Recorded: ${added.obligorName} ${added.type} ${added.dealName ?? added.counterpartyName ?? ''}.`, 'rel-result');
      await reload();
    } catch (error) {
      errors.show(error);
    } finally {
      add.disabled = false;
    }
  });
  return form;
}
