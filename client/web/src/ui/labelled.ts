/**
 * Form fields whose label is tied to its input (`<label for>` and the input's id), so screen
 * readers and `getByLabel` find the field. Ids are unique per page load.
 */
import { h } from './dom.js';

let next = 0;

/** A fresh element id with a readable prefix. */
export function uniqueId(prefix: string): string {
  next += 1;
  return `${prefix}-${next}`;
}

/** A label and its input (the input gets an id when it has none). */
export function labelledField(label: string, input: HTMLElement, extra?: HTMLElement): HTMLElement {
  if (!input.id) input.id = uniqueId('field');
  return h('div', { class: 'desk-field' }, h('label', { for: input.id }, label), input, extra ?? null);
}
