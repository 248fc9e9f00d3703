/**
 * Long hex values (transaction hashes, contract and holder addresses) in tables: shortened to
 * their first and last characters, with the full value in the title (hover) and a button that
 * copies the full value, since people paste it into a block explorer or a ticket.
 */
import { h } from './dom.js';

/** "0x8f3a…c21d": enough of both ends to tell hashes apart at a glance. */
export function shortHex(value: string): string {
  return value.length > 14 ? `${value.slice(0, 6)}…${value.slice(-4)}` : value;
}

/** Copies text; the Clipboard API needs a secure context, so fall back to a selected textarea. */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Permission refused: try the old way below.
  }
  const area = h('textarea', { class: 'offscreen', readonly: true });
  area.value = text;
  document.body.appendChild(area);
  area.select();
  try {
    return document.execCommand('copy');
  } finally {
    area.remove();
  }
}

/** The shortened value (full value in its title and `data-value`) and a copy button. */
export function hexValue(value: string, testid = 'hash'): HTMLElement {
  const copy = h(
    'button',
    { class: 'small copy', type: 'button', title: 'Copy the full value', 'aria-label': `Copy ${value}`, testid: `${testid}-copy` },
    'Copy',
  );
  copy.addEventListener('click', async (event) => {
    // Inside clickable rows: copying must not also open the row.
    event.stopPropagation();
    const copied = await copyText(value);
    copy.textContent = copied ? 'Copied' : 'Select';
    setTimeout(() => (copy.textContent = 'Copy'), 1500);
  });
  return h('span', { class: 'hash' }, h('code', { title: value, 'data-value': value, testid }, shortHex(value)), copy);
}
