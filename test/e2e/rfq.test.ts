/**
 * An RFQ round trip between two browser sessions: the investor asks for a price, both dealers see
 * the request arrive with a countdown, each answers from its inbox, the investor watches the
 * answers arrive, accepts the best, and every screen shows the outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startE2E, type E2E } from './support.js';

let e: E2E;
let investor: Page;
let dealer1: Page;
let dealer2: Page;

beforeAll(async () => {
  e = await startE2E();
  [investor, dealer1, dealer2] = await Promise.all([e.login('investor1'), e.login('dealer1'), e.login('dealer2')]);
  await investor.getByTestId('nav-rfq').click();
  await investor.getByTestId('rfq-form-panel').waitFor();
});
afterAll(async () => e?.close());

async function answer(dealer: Page, price: string): Promise<void> {
  const row = dealer.getByTestId('rfq-inbox').locator('tr[data-rfq]').first();
  await row.waitFor();
  expect(await row.textContent()).toContain('Investor buys');
  expect(await row.getByTestId('rfq-countdown').textContent()).toMatch(/^[01]:\d\d$/);
  await row.getByTestId('rfq-answer-price').fill(price);
  await row.getByTestId('rfq-answer-send').click();
  await expect.poll(() => row.getByTestId('rfq-my-answer').textContent()).toContain(price);
}

describe('RFQ in the browser', () => {
  it('checks the request before sending it', async () => {
    await investor.getByTestId('rfq-face').fill('12345');
    await investor.getByTestId('rfq-submit').click();
    await expect.poll(() => investor.getByTestId('rfq-face-error').textContent()).toContain('at least 100,000');
  });

  it('goes from request to answers to a trade between two sessions', async () => {
    await investor.getByTestId('rfq-note').selectOption({ label: 'Meridian 2026-1 B (US58953TAB70)' });
    await investor.getByTestId('rfq-face').fill('1,000,000');
    await investor.getByTestId('rfq-submit').click();
    // The dealers asked, by name.
    await expect
      .poll(() => investor.getByTestId('rfq-sent').textContent())
      .toMatch(/^Asked (Atlas Securities, Harbor Capital Markets|Harbor Capital Markets, Atlas Securities) for a price\.$/);
    const block = investor.getByTestId('rfq-block').first();
    await expect.poll(() => block.textContent()).toContain('Waiting for dealers to answer');

    await answer(dealer1, '99.75');
    await expect.poll(() => block.getByTestId('rfq-answers').locator('tbody tr').count()).toBe(1);
    await answer(dealer2, '99.625');
    await expect.poll(() => block.getByTestId('rfq-answers').locator('tbody tr').count()).toBe(2);
    // Buying: the lowest price is best; it is marked and offered first.
    expect(await block.getByTestId('rfq-answers').locator('tr.best').textContent()).toContain('99.625');
    // Dealers by name, not by a shortened id.
    expect(await block.getByTestId('rfq-answers').locator('tr.best').textContent()).toContain('Harbor Capital Markets');
    expect(await block.getByTestId('rfq-answers').textContent()).toContain('Atlas Securities');
    await e.shot(investor, 'rfq-investor-answers');
    await e.shot(dealer2, 'rfq-dealer-inbox');

    await block.getByTestId('rfq-accept-best').click();
    await expect.poll(() => investor.getByTestId('rfq-done').textContent()).toContain('Done: bought 1,000,000 at 99.625');
    await expect.poll(() => investor.getByTestId('rfq-block').first().getByTestId('rfq-status').textContent()).toBe('done');
    // A done RFQ shows the trade's own net amount on the accepted answer (never one recomputed at a
    // later settlement date), and none on the answer that did not trade.
    const tradeNet = /net ([\d,]+\.\d\d)/.exec((await investor.getByTestId('rfq-done').textContent()) ?? '')![1]!;
    const rows = investor.getByTestId('rfq-block').first().getByTestId('rfq-answers').locator('tbody tr');
    await expect.poll(async () => (await rows.allTextContents()).map((text) => text.includes(tradeNet))).toEqual([true, false]);

    const row2 = dealer2.getByTestId('rfq-inbox').locator('tr[data-rfq]').first();
    await expect.poll(() => row2.textContent()).toContain('accepted');
    await expect.poll(() => dealer2.getByTestId('fills').locator('tbody tr').first().textContent()).toContain('RFQ');
    const row1 = dealer1.getByTestId('rfq-inbox').locator('tr[data-rfq]').first();
    await expect.poll(() => row1.textContent()).toContain('not chosen');
    await e.shot(investor, 'rfq-investor-done');
  });
});
