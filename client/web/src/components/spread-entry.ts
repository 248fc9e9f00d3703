/**
 * Prices entered as a spread (issue 17), shared by the dealer's quote grid and RFQ answers: a
 * Price / Spread toggle, the check of a typed spread (bp over the benchmark curve, signed, at most
 * 2 decimals), and the words for the price the server derived from it (base scenario, to the ARD,
 * nearest tick). The derivation is the server's; nothing is computed here.
 */
import type { SpreadPrice } from '../../../sdk/index.js';
import { h } from '../ui/dom.js';
import './pricing.css';

export type EntryMode = 'price' | 'spread';

const SPREAD = /^-?(0|[1-9]\d{0,4})(\.\d{1,2})?$/;

/** Null when `text` is a spread the server accepts, else why not. */
export function checkSpread(text: string): string | null {
  const clean = text.replace(/[\s_]/g, '').replace(/^\+/, '');
  if (clean === '') return 'Enter a spread in bp over the benchmark, e.g. 150.';
  if (!SPREAD.test(clean)) return `"${text}" is not a spread: bp with at most 2 decimals, e.g. 150 or -12.5.`;
  if (Math.abs(Number(clean)) > 10_000) return 'The spread must be within ±10,000 bp.';
  return null;
}

/** The spread as the API takes it ("+150" → "150"). */
export function spreadValue(text: string): string {
  return text.replace(/[\s_]/g, '').replace(/^\+/, '');
}

/** "bid +150 bp → 99.5078125 (yield 5.9% over UST 2026-12-07; base to the ARD, nearest tick)". */
export function derivedText(d: SpreadPrice): string {
  const bp = d.spreadBp.startsWith('-') ? d.spreadBp : `+${d.spreadBp}`;
  return `${d.side} ${bp} bp → ${d.price} (yield ${d.yieldPercent}% over ${d.curve.name} ${d.curve.date}; base to the ARD, nearest tick)`;
}

/** A two-button toggle "Price | Spread (bp)"; `onChange` is called with the new mode. */
export function entryModeToggle(testid: string, onChange: (mode: EntryMode) => void): { element: HTMLElement; mode(): EntryMode } {
  let mode: EntryMode = 'price';
  const button = (value: EntryMode, label: string) =>
    h('button', { type: 'button', testid: `${testid}-${value}`, 'aria-pressed': String(value === mode) }, label);
  const price = button('price', 'Price');
  const spread = button('spread', 'Spread (bp)');
  const set = (next: EntryMode) => {
    mode = next;
    price.setAttribute('aria-pressed', String(next === 'price'));
    spread.setAttribute('aria-pressed', String(next === 'spread'));
    price.classList.toggle('on', next === 'price');
    spread.classList.toggle('on', next === 'spread');
    onChange(next);
  };
  price.classList.add('on');
  price.addEventListener('click', () => set('price'));
  spread.addEventListener('click', () => set('spread'));
  return {
    element: h('div', { class: 'seg entry-mode', role: 'group', 'aria-label': 'Enter as', testid }, price, spread),
    mode: () => mode,
  };
}
