/**
 * API errors shown next to the field they are about. A form names its fields by the API's own
 * field names (the body's keys, or a path parameter such as `date`); a VALIDATION_FAILED answer's
 * issues (`details.issues[].path`), a rejection's `details.field`, and the rejection codes a form
 * maps to a field (DUPLICATE_NAME → name) each land under that field, with the control marked
 * invalid. What names no field of the form goes to the form's message slot, so nothing the API
 * says is dropped. Messages are the API's words, set as text.
 */
import { ApiError } from '../../../sdk/index.js';
import { controlId, h } from './dom.js';
import type { MessageSlot } from './notice.js';

export class FieldErrors {
  private readonly slots = new Map<string, { error: HTMLElement; control: HTMLElement }>();

  /** `codeFields`: rejection codes that are about one field of this form (e.g. DUPLICATE_NAME → name). */
  constructor(
    private readonly message: MessageSlot,
    private readonly codeFields: ReadonlyMap<string, string> = new Map(),
  ) {}

  /** The error element for the API field `name`, tied to its control (aria-describedby). */
  slot(name: string, control: HTMLElement, testid: string): HTMLElement {
    const error = h('div', { class: 'field-error', testid, 'aria-live': 'polite' });
    control.setAttribute('aria-describedby', controlId(error));
    this.slots.set(name, { error, control });
    return error;
  }

  /** Messages about API field `name` go under the field `target` (one control for two API fields). */
  alias(name: string, target: string): void {
    const slot = this.slots.get(target);
    if (slot) this.slots.set(name, slot);
  }

  clear(): void {
    for (const { error, control } of this.slots.values()) {
      error.textContent = '';
      control.removeAttribute('aria-invalid');
      control.classList.remove('invalid');
    }
    this.message.clear();
  }

  /** A message of this form's own (a check before the request), under `name`. */
  set(name: string, text: string): void {
    const target = this.slots.get(name);
    if (!target) {
      this.message.error(new Error(text));
      return;
    }
    target.error.textContent = target.error.textContent ? `${target.error.textContent}; ${text}` : text;
    target.control.setAttribute('aria-invalid', 'true');
    target.control.classList.add('invalid');
  }

  /** Shows `error`: under each field it names, and in the message slot when it names none of them. */
  show(error: unknown): void {
    this.clear();
    if (!(error instanceof ApiError)) {
      this.message.error(error);
      return;
    }
    const placed = this.placeIssues(error) + this.placeField(error);
    if (placed === 0) this.message.error(error);
  }

  private placeIssues(error: ApiError): number {
    const issues = error.details.issues;
    if (!Array.isArray(issues)) return 0;
    const unplaced: string[] = [];
    let placed = 0;
    for (const issue of issues as { path?: unknown; message?: unknown }[]) {
      // The first path segment names the field ("ratePercent", or "parentId" of a nested path).
      const name = String(issue.path ?? '').split('.')[0] ?? '';
      if (this.slots.has(name)) {
        this.set(name, String(issue.message ?? ''));
        placed += 1;
      } else unplaced.push(`${name || '(body)'}: ${String(issue.message ?? '')}`);
    }
    // Issues about fields the form does not show are still said, once, above the form.
    if (placed > 0 && unplaced.length > 0) this.message.error(new Error(unplaced.join('; ')));
    return placed;
  }

  private placeField(error: ApiError): number {
    const field = typeof error.details.field === 'string' ? error.details.field : this.codeFields.get(error.code);
    if (!field || !this.slots.has(field) || Array.isArray(error.details.issues)) return 0;
    this.set(field, `${error.code}: ${error.message}`);
    return 1;
  }
}
