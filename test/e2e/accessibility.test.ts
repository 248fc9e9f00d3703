/**
 * Accessibility and layout of every screen in a real browser at 1440×900: axe-core (WCAG 2.x A/AA
 * and best practices) finds no serious or critical issue on the login page, markets, a note page,
 * the dealer desk, the RFQ panel, trades, surveillance, risk, every tab of the back office, and
 * the operator's view; each screen is saved as a screenshot. The check itself is shown to fail on a
 * page with an unlabelled input, and the login form's fields are found by their labels.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newClOrdId } from '../../client/sdk/index.js';
import { ARTIFACTS, accessibilityFindings, expectAccessible, noteIds, startE2E, type E2E } from './support.js';
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
    clOrdId: newClOrdId('a11y'),
    noteId: notes['A-2']!,
    side: 'buy',
    type: 'limit',
    price: '99.9921875',
    quantity: '250000',
    timeInForce: 'IOC',
  });
});
afterAll(async () => e?.close());

/** Goes to a path of the app (the session survives: it is kept in the tab) and waits for `ready`. */
async function visit(page: Page, path: string, ready: string): Promise<void> {
  await page.goto(`${e.t.url}${path}`);
  await page.getByTestId(ready).first().waitFor();
  await page.getByTestId('link-status').filter({ hasText: 'Live' }).waitFor();
}

/** Findings of the screens a test visits, reported together at its end (all at once, not the first only). */
const failures: string[] = [];
async function check(page: Page, screen: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}/a11y-${screen}.png`, fullPage: true });
  await expectAccessible(page, screen).catch((error: Error) => failures.push(error.message));
}
afterEach(() => {
  const found = failures.splice(0);
  expect(found.join('\n')).toBe('');
});

describe('accessibility of every screen', () => {
  it('the check fails on a page with an unlabelled input and an unnamed button', async () => {
    const page = await e.open();
    await page.getByTestId('login-username').waitFor();
    await page.evaluate(() => {
      const broken = document.createElement('div');
      broken.innerHTML = '<input type="text" data-testid="broken-input"><button data-testid="broken-button"></button>';
      document.body.appendChild(broken);
    });
    const rules = (await accessibilityFindings(page)).map((f) => f.rule);
    expect(rules).toContain('label');
    expect(rules).toContain('button-name');
    await expect(expectAccessible(page, 'broken login')).rejects.toThrow(/critical label/);
  });

  it('login: the fields are found by their labels; no serious findings', async () => {
    const page = await e.open();
    await page.setViewportSize(DESK);
    await page.getByLabel('Username').fill('investor1');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await check(page, 'login');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('link-status').filter({ hasText: 'Live' }).waitFor();
  });

  it('investor screens: markets, note page, RFQ, trades, surveillance, risk', async () => {
    const page = await e.login('investor1', DESK);
    await visit(page, '/', 'notes-table');
    await check(page, 'markets');
    await visit(page, `/notes/${notes['A-2']}`, 'tape');
    await check(page, 'note');
    await visit(page, '/rfq', 'rfq-form-panel');
    await check(page, 'rfq');
    await visit(page, '/trades', 'trades-panel');
    await check(page, 'trades');
    await visit(page, '/surveillance', 'surveillance-table');
    await check(page, 'surveillance');
    const deal = (await (await e.sdk('investor1')).deals())[0]!.id;
    await visit(page, `/surveillance/${deal}`, 'deal-history');
    await check(page, 'surveillance-deal');
    await visit(page, '/risk', 'exposure-table');
    await check(page, 'risk');
  });

  it('dealer desk, with an RFQ to answer; the investor sees it open', async () => {
    const dealerParty = (await (await e.sdk('dealer1')).dealers()).find((d) => d.name.startsWith('Atlas'))!.id;
    const investor = await e.sdk('investor2');
    await investor.createRfq({ noteId: notes.B!, side: 'buy', quantity: '500000', dealerPartyIds: [dealerParty], expiresInSeconds: 300 });
    const page = await e.login('dealer1', DESK);
    await visit(page, '/dealer', 'quote-grid');
    await page.getByTestId('rfq-row').first().waitFor();
    await check(page, 'dealer');
    const asker = await e.login('investor2', DESK);
    await visit(asker, '/rfq', 'rfq-block');
    await check(asker, 'rfq-open');
  });

  // Every tab gets an axe run: with the reference-data and split servicing tabs (12 for an operator,
  // ~42 s on a quiet PGlite run) the default 60 s left no room on a loaded machine.
  it('back office, every tab', { timeout: 120_000 }, async () => {
    const page = await e.login('backoffice1', DESK);
    await visit(page, '/backoffice', 'bo-tabs');
    for (const tab of await page.getByTestId('bo-tabs').getByRole('tab').all()) {
      const id = (await tab.getAttribute('data-tab'))!;
      await tab.click();
      await page.getByTestId(`tabpanel-${id}`).waitFor();
      // One job at a time, named in the URL.
      expect(await page.locator('[role=tabpanel]:visible').count()).toBe(1);
      expect(await tab.getAttribute('aria-selected')).toBe('true');
      expect(new URL(page.url()).hash).toBe(`#${id}`);
      await check(page, `backoffice-${id}`);
    }
    // The hash picks the tab when the page is opened (a link, a reload).
    await page.goto(`${e.t.url}/backoffice#fails`);
    await page.getByTestId('fails-panel').waitFor();
    expect(await page.getByTestId('tab-fails').getAttribute('aria-selected')).toBe('true');
    expect(await page.getByTestId('roll-panel').count()).toBe(0);
    expect(await page.locator('[role=tabpanel]:visible').count()).toBe(1);
  });

  it('operator: only what an operator may do, every screen and tab without a 403', { timeout: 120_000 }, async () => {
    const page = await e.login('operator1', DESK);
    const refused: string[] = [];
    page.on('response', (response) => {
      if (response.status() === 403) refused.push(`${response.request().method()} ${new URL(response.url()).pathname}`);
    });
    // The nav offers what roles.ts and the route table give an operator: no desk, RFQ or trades.
    await visit(page, '/backoffice', 'bo-tabs');
    const nav = await page.locator('nav a').allTextContents();
    expect(nav).toEqual(['Markets', 'Surveillance', 'Risk', 'Back office']);
    // No settlement run, reconciliation or registry (back office only); market controls are the operator's.
    const tabIds = await page
      .getByTestId('bo-tabs')
      .getByRole('tab')
      .evaluateAll((tabs) => tabs.map((t) => t.getAttribute('data-tab')));
    expect(tabIds).toEqual([
      'roll',
      'runs',
      'instructions',
      'fails',
      'collections',
      'distributions',
      'statements',
      'market',
      'rates',
      'parties',
      'obligors',
      'audit',
    ]);
    for (const id of tabIds) {
      await page.getByTestId(`tab-${id}`).click();
      await page.getByTestId(`tabpanel-${id}`).waitFor();
      await page.waitForLoadState('networkidle');
      await check(page, `operator-${id}`);
    }
    // Collections and distributions only read: no recording or distribution buttons.
    expect(await page.getByTestId('coll-record').count()).toBe(0);
    expect(await page.getByTestId('run-distribution').count()).toBe(0);
    // Halting and resuming a note works for the operator.
    await page.getByTestId('tab-market').click();
    await page.getByTestId('mc-toggle-A-2').click();
    await expect.poll(() => page.getByTestId('mc-status-A-2').textContent()).toBe('Halted');
    await page.getByTestId('mc-toggle-A-2').click();
    await expect.poll(() => page.getByTestId('mc-status-A-2').textContent()).toBe('Trading');
    // So does a dealer's credit line, read back through the API.
    await page.getByTestId('cl-amount-harbor').fill('5,000,000');
    await page.getByTestId('cl-set-harbor').click();
    await expect.poll(() => page.getByTestId('cl-line-harbor').textContent()).toBe('5,000,000.00');
    const harbor = (await (await e.sdk('operator1')).parties()).find((p) => p.name.startsWith('Harbor'))!.id;
    const usd = (await (await e.sdk('operator1')).balances({ partyId: harbor })).find((b) => b.asset === 'USD');
    expect(usd?.creditLine).toBe('5000000.00');
    await check(page, 'operator-market-controls');
    for (const [path, ready] of [
      ['/', 'notes-table'],
      [`/notes/${notes.B}`, 'tape'],
      ['/surveillance', 'surveillance-table'],
      ['/risk', 'exposure-table'],
    ] as const) {
      await visit(page, path, ready);
      await page.waitForLoadState('networkidle');
      await check(page, `operator${path.replace(/\/notes\/.*/, '/note').replace(/\//g, '-')}`);
    }
    expect(await page.locator('.alert.error').count()).toBe(0);
    expect(refused).toEqual([]);
  });
});
