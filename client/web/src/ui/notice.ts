/**
 * How the app tells people things: inline alerts (an API rejection shows its code and the API's
 * own message, validation failures list each field), and short toasts for live events (fills,
 * RFQ answers). Messages are text nodes, never HTML.
 */
import { ApiError } from '../../../sdk/index.js';
import { h, replace } from './dom.js';

/** The words to show for any failure: the API's code and message, or the error's message. */
export function describeError(error: unknown): { code: string; message: string; lines: string[] } {
  if (error instanceof ApiError) {
    if (error.isNetworkError)
      return { code: 'NETWORK', message: 'The exchange cannot be reached. Check your connection and try again.', lines: [] };
    return { code: error.code, message: error.message, lines: error.issues };
  }
  return { code: 'ERROR', message: error instanceof Error ? error.message : String(error), lines: [] };
}

export function errorAlert(error: unknown, testid = 'error'): HTMLElement {
  const { code, message, lines } = describeError(error);
  return h(
    'div',
    { class: 'alert error', role: 'alert', testid },
    h('code', {}, code),
    message,
    lines.length > 0
      ? h(
          'ul',
          {},
          lines.map((line) => h('li', {}, line)),
        )
      : null,
  );
}

export function okAlert(message: string, testid = 'ok'): HTMLElement {
  return h('div', { class: 'alert ok', role: 'status', testid }, message);
}

export function infoAlert(message: string, testid = 'info'): HTMLElement {
  return h('div', { class: 'alert info', testid }, message);
}

/** A slot that shows one message at a time. */
export class MessageSlot {
  readonly element = h('div', { class: 'slot' });

  error(error: unknown, testid?: string): void {
    replace(this.element, errorAlert(error, testid));
  }

  ok(message: string, testid?: string): void {
    replace(this.element, okAlert(message, testid));
  }

  info(message: string, testid?: string): void {
    replace(this.element, infoAlert(message, testid));
  }

  clear(): void {
    replace(this.element);
  }
}

let toastRoot: HTMLElement | null = null;

export function toast(message: string, kind: 'info' | 'ok' | 'error' = 'info', ttlMs = 5000): void {
  if (!toastRoot) {
    toastRoot = h('div', { class: 'toasts', testid: 'toasts' });
    document.body.appendChild(toastRoot);
  }
  const item = h('div', { class: `toast ${kind}` }, message);
  toastRoot.appendChild(item);
  setTimeout(() => item.remove(), ttlMs);
}

/** Runs an action while its button is disabled; the slot shows the failure, if any. */
export async function withBusy<T>(button: HTMLButtonElement, slot: MessageSlot | null, action: () => Promise<T>): Promise<T | undefined> {
  button.disabled = true;
  slot?.clear();
  try {
    return await action();
  } catch (error) {
    if (slot) slot.error(error);
    else toast(`${describeError(error).code}: ${describeError(error).message}`, 'error');
    return undefined;
  } finally {
    button.disabled = false;
  }
}
