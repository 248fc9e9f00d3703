/**
 * The obligor register (the companies behind the deals' look-through risk): every company with its
 * parent, its ultimate obligor (the top of the parent chain), rating and sector. Operators add a
 * company and edit one — name, parent (or none: a top company), rating, sector; only the fields
 * changed are sent — and, while editing, see its relationships and add one
 * (obligor-relationships.ts). Others read. API errors show under the field they name: a name
 * already taken under the name, a parent that would make a cycle under the parent.
 */
import type { Obligor, ObligorPatch } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { field, h, panel, replace } from '../ui/dom.js';
import { FieldErrors } from '../ui/field-errors.js';
import { MessageSlot } from '../ui/notice.js';
import { dataTable } from '../ui/table.js';
import { relationshipsView } from './obligor-relationships.js';

export function obligorsPanel(app: AppContext, options: { edit: boolean }): HTMLElement {
  const loadError = new MessageSlot();
  let obligors: Obligor[] = [];
  const nameOf = (id: string | null) => (id ? (obligors.find((o) => o.id === id)?.name ?? id) : '');
  const form = options.edit
    ? obligorForm(
        app,
        () => obligors,
        () => load(),
      )
    : null;
  const table = dataTable<Obligor>({
    testid: 'obligors-table',
    empty: 'No companies in the register.',
    rowKey: (o) => o.id,
    columns: [
      { label: 'Company', render: (o) => o.name },
      { label: 'Parent', render: (o) => nameOf(o.parentId) },
      { label: 'Ultimate obligor', render: (o) => o.ultimateParentName },
      { label: 'Rating', render: (o) => o.rating },
      { label: 'Sector', render: (o) => o.sector },
      ...(form
        ? [
            {
              label: 'Change',
              render: (o: Obligor) =>
                h(
                  'button',
                  { class: 'small', testid: 'obligor-edit', 'aria-label': `Edit ${o.name}`, onclick: () => form.edit(o) },
                  'Edit',
                ),
            },
          ]
        : []),
    ],
  });
  const load = async () => {
    try {
      obligors = await app.client.obligors();
      table.update(obligors);
      form?.refresh();
      loadError.clear();
    } catch (error) {
      loadError.error(error, 'obligors-load-error');
    }
  };
  void load();
  return panel(
    'Obligors',
    h('div', {}, form?.element ?? null, loadError.element, h('h3', {}, 'The register'), h('div', { class: 'hscroll' }, table.element)),
    {
      testid: 'obligors-panel',
    },
  );
}

interface ObligorForm {
  element: HTMLElement;
  edit(obligor: Obligor): void;
  /** Re-reads the parent choices from the register (after it is read again), keeping the choice. */
  refresh(): void;
}

function obligorForm(app: AppContext, list: () => readonly Obligor[], reload: () => Promise<void>): ObligorForm {
  const heading = h('h3', { testid: 'obligor-form-title' }, 'Add a company');
  const name = h('input', { autocomplete: 'off', testid: 'obligor-name' });
  const parent = h('select', { testid: 'obligor-parent' });
  const rating = h('input', { autocomplete: 'off', placeholder: 'NR', testid: 'obligor-rating' });
  const sector = h('input', { autocomplete: 'off', placeholder: 'e.g. AI cloud', testid: 'obligor-sector' });
  const message = new MessageSlot();
  const errors = new FieldErrors(
    message,
    new Map([
      ['DUPLICATE_NAME', 'name'],
      ['OBLIGOR_CYCLE', 'parentId'],
      ['OBLIGOR_NOT_FOUND', 'parentId'],
    ]),
  );
  const save = h('button', { class: 'primary', type: 'submit', testid: 'obligor-save' }, 'Add company');
  const cancel = h('button', { type: 'button', testid: 'obligor-cancel', hidden: true }, 'Cancel');
  const related = h('div', { testid: 'obligor-relationships' });
  let editing: Obligor | null = null;

  /** The parent choices: none, or any other company (the API refuses one that would make a cycle). */
  const fillParents = (selected: string | null) => {
    replace(
      parent,
      h('option', { value: '' }, '— none (top company) —'),
      ...list()
        .filter((o) => o.id !== editing?.id)
        .map((o) => h('option', { value: o.id }, o.name)),
    );
    parent.value = selected ?? '';
  };
  const reset = () => {
    editing = null;
    heading.textContent = 'Add a company';
    save.textContent = 'Add company';
    cancel.hidden = true;
    for (const input of [name, rating, sector]) input.value = '';
    fillParents(null);
    replace(related);
    errors.clear();
  };
  const edit = (obligor: Obligor) => {
    editing = obligor;
    heading.textContent = `Edit ${obligor.name}`;
    save.textContent = 'Save changes';
    cancel.hidden = false;
    name.value = obligor.name;
    rating.value = obligor.rating;
    sector.value = obligor.sector;
    fillParents(obligor.parentId);
    errors.clear();
    replace(related, relationshipsView(app, obligor, list));
    name.focus();
  };
  /** Only what changed: the audit trail then says what the operator changed. */
  const patchOf = (was: Obligor): ObligorPatch => {
    const patch: ObligorPatch = {};
    if (name.value.trim() !== was.name) patch.name = name.value;
    if ((parent.value || null) !== was.parentId) patch.parentId = parent.value || null;
    if (rating.value.trim() !== was.rating) patch.rating = rating.value;
    if (sector.value.trim() !== was.sector) patch.sector = sector.value;
    return patch;
  };
  const submit = async () => {
    if (!editing) {
      const created = await app.client.createObligor({
        name: name.value,
        sector: sector.value,
        ...(parent.value ? { parentId: parent.value } : {}),
        ...(rating.value.trim() ? { rating: rating.value } : {}),
      });
      await reload();
      reset();
      message.ok(`Added ${created.name} (ultimate obligor ${created.ultimateParentName}).`, 'obligor-result');
      return;
    }
    const patch = patchOf(editing);
    if (Object.keys(patch).length === 0) return message.info('Nothing changed.', 'obligor-result');
    const saved = await app.client.updateObligor(editing.id, patch);
    await reload();
    edit(saved);
    message.ok(`Saved ${saved.name} (ultimate obligor ${saved.ultimateParentName}).`, 'obligor-result');
  };

  const form = h(
    'form',
    { testid: 'obligor-form' },
    heading,
    h(
      'div',
      { class: 'row' },
      field('Name', name, errors.slot('name', name, 'obligor-error-name')),
      field('Parent company', parent, errors.slot('parentId', parent, 'obligor-error-parentId')),
      field('Rating', rating, errors.slot('rating', rating, 'obligor-error-rating')),
      field('Sector', sector, errors.slot('sector', sector, 'obligor-error-sector')),
      h('div', { class: 'fit' }, save),
      h('div', { class: 'fit' }, cancel),
    ),
    message.element,
  );
  // The relationships' own form sits after this one, not in it (a form in a form would submit both).
  const element = h('div', {}, form, related);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.clear();
    save.disabled = true;
    try {
      await submit();
    } catch (error) {
      errors.show(error);
    } finally {
      save.disabled = false;
    }
  });
  cancel.addEventListener('click', reset);
  return { element, edit, refresh: () => fillParents(parent.value || null) };
}
