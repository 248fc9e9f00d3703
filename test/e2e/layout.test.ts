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
import { ARTIFACTS, noteIds, startE2E, type E2E } from './support.js';
import { DEMO_PASSWORD } from '../support/service.js';

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
    // The badge and the ticket follow the same link state, not in the same frame: wait for both.
    await expect.poll(() => submit.isDisabled()).toBe(true);
    await expect.poll(() => page.getByTestId('ticket-paused').textContent()).toContain('Orders paused');
    // Enter does not send it either.
    await page.getByTestId('ticket-face').press('Enter');
    expect(await page.getByTestId('ticket-result').count()).toBe(0);
    await e.shot(page, 'layout-note-reconnecting');

    await expect.poll(() => page.getByTestId('link-status').textContent(), { timeout: 15_000 }).toBe('Live');
    await expect.poll(() => submit.isEnabled()).toBe(true);
    expect(await page.getByTestId('ticket-paused').isVisible()).toBe(false);
  });

  it('dates are typed and shown as ISO in a US-English browser; a US-style date is refused, not read', async () => {
    const context = await e.browser.newContext({ viewport: DESK, locale: 'en-US', timezoneId: 'America/New_York' });
    try {
      const page = await context.newPage();
      await page.goto(e.t.url);
      await page.getByLabel('Username').fill('backoffice1');
      await page.getByLabel('Password').fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByTestId('link-status').filter({ hasText: 'Live' }).waitFor();
      await page.goto(`${e.t.url}/backoffice#instructions`);
      const date = page.getByTestId('settlements-date');
      await date.waitFor();
      const businessDate = (await page.getByTestId('bo-date').textContent())!.replace('Business date ', '');
      expect(businessDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      // A text input shows its value as it is: no locale rendering (12/07/2026) in between.
      expect(await date.getAttribute('type')).toBe('text');
      expect(await date.inputValue()).toBe(businessDate);

      const asked: string[] = [];
      page.on('request', (r) => r.url().includes('/api/v1/settlements?') && asked.push(new URL(r.url()).searchParams.get('date') ?? ''));
      await date.fill('12/09/2026');
      await date.press('Enter');
      await date.blur();
      expect(await date.getAttribute('aria-invalid')).toBe('true');
      expect(asked).toEqual([]);
      await date.fill('2026-12-09');
      await date.press('Enter');
      await date.blur();
      expect(await date.getAttribute('aria-invalid')).toBe('false');
      await expect.poll(() => asked).toEqual(['2026-12-09']);
      await page.screenshot({ path: `${ARTIFACTS}/layout-iso-dates-en-US.png` });
    } finally {
      await context.close();
    }
  });

  it("the ticket's good-till-date expiry is ISO text in local time", async () => {
    const page = await open('investor1', `/notes/${notes.B}`, 'ticket');
    await page.getByTestId('ticket-tif').selectOption('GTD');
    const expiry = page.getByLabel(/Expires at/);
    expect(await expiry.getAttribute('type')).not.toBe('datetime-local');
    await page.getByTestId('ticket-price').fill('98');
    await page.getByTestId('ticket-face').fill('100000');
    await expiry.fill('12/09/2030 5:00 PM');
    await page.getByTestId('ticket-submit').click();
    await expect.poll(() => page.getByTestId('error-expireAt').textContent()).toContain('YYYY-MM-DD HH:MM');
    await expiry.fill('2030-12-09 17:00');
    await page.getByTestId('ticket-submit').click();
    await expect.poll(() => page.getByTestId('ticket-result').textContent()).toContain('Order working');
    const [order] = await (await e.sdk('investor1')).orders({ status: 'open', noteId: notes.B! });
    // 17:00 in the browser's time zone, sent as an instant.
    const local = await page.evaluate(() => new Date(2030, 11, 9, 17, 0).toISOString());
    expect(Date.parse(order!.expireAt!)).toBe(Date.parse(local));
  });
});
