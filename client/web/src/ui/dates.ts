/**
 * Dates typed and shown in ISO form (2026-12-09) whatever the browser's locale: `<input type=date>`
 * renders its value in the locale's order (12/09/2026 in the US), so date fields are text inputs
 * with the ISO pattern, checked as the user types (a real calendar date, or the field is marked
 * invalid and its `onValid` handler is not called).
 */
import { type Attrs, h } from './dom.js';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$/;

/** Whether `text` is a calendar date written YYYY-MM-DD (2026-02-30 is not). */
export function isIsoDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** "2026-12-09 17:30" (or with a T) as a local time; null when it is not such a date and time. */
export function parseLocalDateTime(text: string): Date | null {
  const m = ISO_DATE_TIME.exec(text.trim());
  if (!m || !isIsoDate(`${m[1]}-${m[2]}-${m[3]}`)) return null;
  const [hour, minute] = [Number(m[4]), Number(m[5])];
  if (hour > 23 || minute > 59) return null;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), hour, minute);
}

/** A local date and time as "2026-12-09 17:30". */
export function localDateTime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`;
}

/**
 * A date field in ISO form: a text input with the pattern and a placeholder; `onValid` runs on a
 * change to a valid date (or to empty, when `optional`); an invalid entry is marked (red border,
 * aria-invalid, the expected form in its title) and ignored.
 */
export function isoDateInput(value: string, attrs: Attrs, onValid?: (value: string) => void, optional = false): HTMLInputElement {
  const input = h('input', {
    ...attrs,
    type: 'text',
    value,
    inputmode: 'numeric',
    pattern: '\\d{4}-\\d{2}-\\d{2}',
    placeholder: 'YYYY-MM-DD',
    maxlength: 10,
    autocomplete: 'off',
    class: `date ${attrs.class ?? ''}`.trim(),
  });
  const check = () => {
    const ok = isIsoDate(input.value.trim()) || (optional && input.value.trim() === '');
    input.classList.toggle('invalid', !ok);
    input.setAttribute('aria-invalid', String(!ok));
    input.title = ok ? '' : 'A date as YYYY-MM-DD, e.g. 2026-12-09';
    return ok;
  };
  input.addEventListener('input', () => void check());
  input.addEventListener('change', () => {
    input.value = input.value.trim();
    if (check()) onValid?.(input.value);
  });
  return input;
}
