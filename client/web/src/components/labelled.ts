/**
 * Form fields whose `<label for>` names its input (screen readers and `getByLabel` find them), and
 * an ISO date field: a text input that takes and shows YYYY-MM-DD whatever the browser's locale
 * (a native date picker shows 12/09/2026 in en-US).
 */
import { h } from '../ui/dom.js';

let counter = 0;

/** A unique element id with a readable prefix. */
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** `<div><label for=id>label</label>input</div>`; gives the input an id when it has none. */
export function labelled(label: string, input: HTMLElement): HTMLElement {
  if (!input.id) input.id = uniqueId('field');
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A text field for a date as YYYY-MM-DD (empty allowed); `valid()` says whether it holds one or nothing. */
export function isoDateInput(attrs: { testid: string; value?: string; placeholder?: string }): HTMLInputElement & { valid(): boolean } {
  const input = h('input', {
    type: 'text',
    inputmode: 'numeric',
    pattern: '\\d{4}-\\d{2}-\\d{2}',
    placeholder: attrs.placeholder ?? 'YYYY-MM-DD',
    maxlength: '10',
    size: '11',
    autocomplete: 'off',
    class: 'date',
    testid: attrs.testid,
    value: attrs.value ?? '',
  }) as HTMLInputElement & { valid(): boolean };
  input.valid = () => {
    const value = input.value.trim();
    const ok = value === '' || (ISO_DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)));
    input.setAttribute('aria-invalid', ok ? 'false' : 'true');
    return ok;
  };
  return input;
}
