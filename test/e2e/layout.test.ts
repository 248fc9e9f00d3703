/**
 * Layout at 1440×900 (a laptop desk screen), checked by measuring the page in a real browser, with
 * screenshots saved: the dealer desk shows every column of the quote grid and the fills, the ask
 * input shows a 1/128 price in full, and the right half of the page is used; the markets page does
 * not spread the positions across the full width nor clip the notes table; the chart's last price
 * is written in its header, not on the price axis. The order ticket is disabled while the live link
 * is reconnecting and enabled again once it is live.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { newClOrdId } from '../../client/sdk/index.js';
import { noteIds, startE2E, type E2E } from './support.js';

const DESK = { width: 1440, height: 900 };
let e: E2E;
let notes: Record<string, string>;

beforeAll(async () => {
  e = await startE2E();
  const [dealer, investor] = await Promise.all([e.sdk('dealer1'), e.sdk('investor1')]);
  notes = await noteIds(investor);
  await dealer.putQuotes([
    { noteId: notes['A-2']!, bidPrice: '99.5', bidSize: '1000000', askPrice: '99.9921875', askSize: '1000000' },
    { noteId: notes.B!, bidPrice: '98.75', bidSize: '1000000', askPrice: '99.5', askSize: '1000000' },
  ]);
  await investor.placeOrder({
    clOrdId: newClOrdId('layout'),
    noteId: notes['A-2']!,
    side: 'buy',
    type: 'limit',
    price: '99.9921875',
    quantity: '250000',
    timeInForce: 'IOC',
  });
});
afterAll(async () => e?.close());

type Box = { x: number; y: number; width: number; height: number };
async function box(locator: Locator): Promise<Box> {
  const b = await locator.boundingBox();
  if (!b) throw new Error('element not rendered');
  return b;
}
/** Whether the element's content is wider than its box (clipped, or only seen by scrolling). */
function overflows(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el.scrollWidth > el.clientWidth + 1);
}
async function within(inner: Locator, outer: Locator): Promise<void> {
  const [i, o] = [await box(inner), await box(outer)];
  expect(i.x).toBeGreaterThanOrEqual(o.x - 1);
  expect(i.x + i.width).toBeLessThanOrEqual(o.x + o.width + 1);
}

async function open(user: string, path: string, ready: string): Promise<Page> {
  const page = await e.login(user, DESK);
  await page.goto(`${e.t.url}${path}`);
  await page.getByTestId(ready).first().waitFor();
  await page.getByTestId('link-status').filter({ hasText: 'Live' }).waitFor();
  return page;
}

describe('layout at 1440×900', () => {
  it('dealer desk: every quote-grid and fills column shows, the ask shows 99.9921875 in full, both halves used', async () => {
    const page = await open('dealer1', '/dealer', 'quote-grid');
    const grid = page.getByTestId('quote-grid-panel');
    await expect.poll(() => page.getByTestId('q-ask-A-2').inputValue()).toBe('99.9921875');
    await page.getByTestId('fills').locator('tbody tr[data-key]').first().waitFor();
    await within(grid.locator('th', { hasText: 'My live quote' }), grid);
    expect(await overflows(grid.locator('.hscroll'))).toBe(false);
    await within(page.getByTestId('q-live-A-2'), grid);
    // The input is as wide as its text: nothing of the price is scrolled out of view.
    expect(await overflows(page.getByTestId('q-ask-A-2'))).toBe(false);
    const fills = page.getByTestId('fills-panel');
    await within(fills.locator('th', { hasText: 'Venue' }), fills);
    expect(await overflows(fills.locator('.scroll'))).toBe(false);
    // Below the grid: fills and orders on the left, RFQs and cash on the right half.
    const [rfqs, cash, left] = [
      await box(page.getByTestId('rfq-inbox-panel')),
      await box(page.getByTestId('balances-panel')),
      await box(fills),
    ];
    expect(rfqs.x).toBeGreaterThan(DESK.width / 2);
    expect(cash.x).toBeGreaterThan(DESK.width / 2);
    expect(Math.abs(rfqs.y - left.y)).toBeLessThan(2);
    await e.shot(page, 'layout-dealer-1440');
  });

  it('markets: the notes table is not clipped; positions take half the width or less, the tape the rest', async () => {
    const page = await open('investor1', '/', 'notes-table');
    await page.getByTestId('market-tape').locator('tbody tr[data-key]').first().waitFor();
    expect(await overflows(page.getByTestId('notes-panel').locator('.scroll'))).toBe(false);
    const [cash, tape] = [await box(page.getByTestId('balances-panel')), await box(page.getByTestId('market-tape-panel'))];
    expect(cash.width).toBeLessThanOrEqual(DESK.width / 2);
    expect(tape.x).toBeGreaterThan(cash.x + cash.width);
    expect(Math.abs(tape.y - cash.y)).toBeLessThan(2);
    expect(tape.x + tape.width).toBeGreaterThan(DESK.width - 30);
    expect(await page.getByTestId('market-tape').textContent()).toContain('99.9921875');
    await e.shot(page, 'layout-markets-1440');
  });

  it('note page: the last price is in the chart header; the ticket pauses while reconnecting', async () => {
    const page = await open('investor1', `/notes/${notes['A-2']}`, 'ticket');
    await expect.poll(() => page.getByTestId('chart-last').textContent()).toBe('Last 99.9921875');
    await page.getByTestId('ticket-price').fill('99.5');
    await page.getByTestId('ticket-face').fill('100000');
    const submit = page.getByTestId('ticket-submit');
    expect(await submit.isEnabled()).toBe(true);
    expect(await page.getByTestId('ticket-paused').isVisible()).toBe(false);
    await e.shot(page, 'layout-note-1440');

    e.cutWebSockets(2000);
    await expect.poll(() => page.getByTestId('link-status').textContent()).toContain('Reconnecting');
    expect(await submit.isDisabled()).toBe(true);
    expect(await page.getByTestId('ticket-paused').textContent()).toContain('Orders paused');
    // Enter does not send it either.
    await page.getByTestId('ticket-face').press('Enter');
    expect(await page.getByTestId('ticket-result').count()).toBe(0);
    await e.shot(page, 'layout-note-reconnecting');

    await expect.poll(() => page.getByTestId('link-status').textContent(), { timeout: 15_000 }).toBe('Live');
    await expect.poll(() => submit.isEnabled()).toBe(true);
    expect(await page.getByTestId('ticket-paused').isVisible()).toBe(false);
  });
});
