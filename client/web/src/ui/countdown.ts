/**
 * Countdowns to an instant ("0:42"), updated in place twice a second so the rows around them
 * (and any buttons or inputs in them) are never redrawn. Under 10 seconds they turn amber; at
 * zero they read "expired".
 */
import { h, type Scope } from './dom.js';

export function countdown(untilIso: string, testid?: string): HTMLElement {
  const element = h('span', { class: 'countdown', 'data-until': untilIso, testid });
  paint(element, Date.now());
  return element;
}

export function startCountdowns(root: HTMLElement, scope: Scope): void {
  scope.interval(() => {
    const now = Date.now();
    for (const element of root.querySelectorAll<HTMLElement>('[data-until]')) paint(element, now);
  }, 500);
}

function paint(element: HTMLElement, nowMs: number): void {
  const left = Math.max(0, Math.ceil((Date.parse(element.dataset.until ?? '') - nowMs) / 1000));
  element.textContent = left === 0 ? 'expired' : `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  element.classList.toggle('low', left < 10);
}
