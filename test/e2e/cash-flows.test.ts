/**
 * The note page's Cash flows tab and the price ↔ yield ↔ spread calculator in a real browser
 * (issue 17): the base scenario and a named stress (the stress breaches the cash trap and lowers
 * the junior class's yield at the same price), the CSV of the cash flows, saving an edited
 * scenario, and the calculator's round trip price → spread → price and price → yield → price.
 * Figures on screen are compared with the API's own answer for the same request. Screenshots at
 * 1440×900 under test/artifacts/e2e/.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Decimal } from '../../server/domain/decimal.js';
import type { ComputeNotesClient, Projection } from '../../client/sdk/index.js';
import { noteIds, startE2E, type E2E } from './support.js';

let e: E2E;
let page: Page;
let sdk: ComputeNotesClient;
let notes: Record<string, string>;
let dealId: string;

const VIEWPORT = { width: 1440, height: 900 };

beforeAll(async () => {
  e = await startE2E();
  sdk = await e.sdk('investor1');
  notes = await noteIds(sdk);
  dealId = (await sdk.deals()).find((d) => d.name.startsWith('Meridian'))!.id;
  page = await e.login('investor1', VIEWPORT);
});
afterAll(async () => e?.close());

const cellText = async (testid: string) => ((await page.getByTestId(testid).textContent()) ?? '').trim();

async function waitForScenario(name: string) {
  await expect.poll(() => page.getByTestId('cf-summary').textContent(), { timeout: 20_000 }).toContain(`Scenario ${name} `);
  await page.getByTestId('cf-classes').locator('tbody tr').first().waitFor();
}

describe('the Cash flows tab', () => {
  let baseC: string;

  it('projects the base scenario: class table, chart, DSCR path, breaches, as the API answers', async () => {
    await page.goto(`${e.t.url}/notes/${notes['A-2']}`);
    await page.getByTestId('tab-cash-flows').click();
    await waitForScenario('base');
    expect(await page.getByTestId('tab-cash-flows').getAttribute('aria-selected')).toBe('true');
    expect(page.url()).toContain('tab=cash-flows');
    const dealNotes = (await sdk.notes()).filter((n) => n.dealId === dealId);
    const api = (await sdk.project({
      dealId,
      scenarioId: 'base',
      pricing: dealNotes.map((n) => ({ noteId: n.id, price: '100' })),
    })) as Projection;
    for (const c of api.classes) {
      expect(await cellText(`cf-yield-${c.className}`)).toBe(c.yieldPercent);
      expect(await cellText(`cf-spread-${c.className}`)).toBe(c.spreadBp ?? '—');
    }
    baseC = await cellText('cf-yield-C');
    expect(await page.getByTestId('cf-curve').textContent()).toMatch(/spreads over UST \d{4}-\d{2}-\d{2}/);
    expect(await page.getByTestId('cf-breach-dscr-cash-trap').textContent()).toContain('never breached');
    await page.getByTestId('cf-flow-canvas').locator('canvas').first().waitFor();
    await page.getByTestId('cf-dscr-chart').locator('canvas').first().waitFor();
    expect(await page.getByTestId('cf-dscr-chart').textContent()).toContain('cash trap 1.35');
    // The flows table: the A-2 class pays interest monthly and its balance at the ARD (ISO dates).
    const flows = (await page.getByTestId('cf-flows').textContent())!;
    expect(flows).toContain('2031-03-15');
    // Every editor input has a label tied to it.
    const unlabelled = await page
      .getByTestId('cf-editor')
      .evaluate((form) =>
        [...form.querySelectorAll('input, select, textarea')]
          .filter((el) => !form.querySelector(`label[for="${el.id}"]`))
          .map((el) => el.outerHTML),
      );
    expect(unlabelled).toEqual([]);
    await e.shot(page, 'cash-flows-base');
  });

  it('a stress breaches the cash trap and lowers the junior class yield at the same price', async () => {
    await page.getByTestId('cf-scenario').selectOption('utilization-70');
    await waitForScenario('utilization-70');
    expect(await page.getByTestId('cf-utilizationPercent').inputValue()).toBe('70');
    expect(await page.getByTestId('cf-rentChangePercent').inputValue()).toBe('-30');
    expect(await page.getByTestId('cf-breach-dscr-cash-trap').textContent()).toMatch(/first breached \d{4}-\d{2}-\d{2}/);
    const stressedC = await cellText('cf-yield-C');
    expect(new Decimal(stressedC).lt(baseC)).toBe(true);
    await page.getByTestId('cf-chart-class').selectOption({ label: 'C' });
    await e.shot(page, 'cash-flows-stress');
  });

  it('exports the cash flows as CSV', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('cf-csv').click()]);
    expect(download.suggestedFilename()).toBe('cash-flows-Meridian-Compute-ABS-2026-1-utilization-70.csv');
    const lines = fs
      .readFileSync((await download.path())!, 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toBe(
      'date,class,interest,principal,balance,interestShortfall,deferredInterest,writedown,revenue,netOperatingIncome,dscr,trappedCash,reserve,cashTrap',
    );
    const api = (await sdk.project({ dealId, scenarioId: 'utilization-70' })) as Projection;
    expect(lines).toHaveLength(1 + api.classes.reduce((n, c) => n + c.cashFlows.length, 0));
    const first = api.classes[0]!.cashFlows[0]!;
    expect(lines[1]).toMatch(new RegExp(`^${first.date},A-2,${first.interest},${first.principal},${first.balance},`));
  });

  it('edits a driver, runs it and saves it as a scenario of its own', async () => {
    await page.getByTestId('cf-utilizationPercent').fill('1:80, 13:60');
    await page.getByTestId('cf-save-name').fill('slow-decline');
    await page.getByTestId('cf-save').click();
    await page.getByTestId('cf-saved').waitFor();
    expect(await page.getByTestId('cf-scenario').inputValue()).toBe('slow-decline');
    const saved = await sdk.dealScenarios(dealId);
    expect(saved.saved.find((s) => s.name === 'slow-decline')?.scenario.utilizationPercent).toEqual([
      { fromMonth: 1, value: '80' },
      { fromMonth: 13, value: '60' },
    ]);
    await page.getByTestId('cf-run').click();
    await waitForScenario('slow-decline');
    // A bad driver is explained before anything is sent.
    await page.getByTestId('cf-pue').fill('abc');
    await page.getByTestId('cf-run').click();
    expect(await page.getByTestId('cf-editor-error').textContent()).toContain('PUE');
  });
});

describe('the price ↔ yield ↔ spread calculator', () => {
  it('derives yield and spread from a price and back', async () => {
    await page.goto(`${e.t.url}/notes/${notes['A-2']}?tab=cash-flows`);
    await page.getByTestId('tab-trading').click();
    const price = page.getByTestId('calc-price');
    const yieldField = page.getByTestId('calc-yield');
    const spread = page.getByTestId('calc-spread');
    await price.fill('97');
    await expect.poll(() => spread.inputValue(), { timeout: 20_000 }).toMatch(/^-?\d+\.\d$/);
    const y = await yieldField.inputValue();
    const s = await spread.inputValue();
    const analytics = await sdk.noteAnalytics(notes['A-2']!, '97');
    expect(y).toBe(analytics.yieldToArdPercent);
    expect(s).toBe(analytics.spreadBp);
    expect(await page.getByTestId('calc-curve').textContent()).toMatch(/^spread over UST \d{4}-\d{2}-\d{2}$/);
    await e.shot(page, 'price-calculator');

    // Spread → price: the spread is shown to 0.1 bp, so the price comes back within 0.05 bp × duration (< 0.01).
    await spread.fill(s);
    await spread.press('Enter');
    await expect.poll(() => price.inputValue(), { timeout: 20_000 }).not.toBe('97');
    expect(new Decimal(await price.inputValue()).sub(97).abs().lt('0.01')).toBe(true);
    // Yield → price: the yield is shown to 4 places (1e-4 % × duration < 0.001).
    await yieldField.fill(y);
    await yieldField.press('Enter');
    await expect.poll(async () => new Decimal(await price.inputValue()).sub(97).abs().lt('0.001'), { timeout: 20_000 }).toBe(true);
  });
});

describe('dealer quotes and RFQ answers entered as a spread', () => {
  let dealer: Page;
  /** A spread near the market: A-2's spread at its band's reference price (or par). */
  const marketSpread = async () => {
    const band = await sdk.priceBand(notes['A-2']!);
    return new Decimal((await sdk.noteAnalytics(notes['A-2']!, band.reference ?? '100')).spreadBp);
  };

  beforeAll(async () => {
    dealer = await e.login('dealer1', VIEWPORT);
  });

  it('answers an RFQ as a spread and shows the derived price', async () => {
    const rfq = await sdk.createRfq({ noteId: notes['A-2']!, side: 'buy', quantity: '1000000', expiresInSeconds: 300 });
    const row = dealer.locator(`tr[data-rfq="${rfq.id}"]`);
    await row.waitFor();
    await dealer.getByTestId('rfq-entry-mode-spread').click();
    const spread = (await marketSpread()).add('2.5').toFixed(1);
    await row.getByTestId('rfq-answer-price').fill(spread);
    await row.getByTestId('rfq-answer-send').click();
    await expect.poll(() => row.getByTestId('rfq-answer-derived').textContent(), { timeout: 20_000 }).toContain('→');
    const answered = (await sdk.rfq(rfq.id)).responses[0]!;
    const derived = (await row.getByTestId('rfq-answer-derived').textContent())!;
    const shown = new Decimal(spread).toFixed(); // as the API writes it ("141.0" → "141")
    expect(derived).toContain(`ask +${shown} bp → ${answered.price} `);
    expect(derived).toMatch(/over UST \d{4}-\d{2}-\d{2}; base to the ARD, nearest tick/);
    expect(answered.spreadBp).toBe(shown);
    await expect.poll(() => row.getByTestId('rfq-my-answer').textContent()).toContain(`(+${shown} bp)`);
    await e.shot(dealer, 'rfq-answer-spread');
  });

  it('quotes bid and ask as spreads from the quote grid; the book holds the derived prices', async () => {
    await dealer.getByTestId('quote-entry-mode-spread').click();
    const base = await marketSpread();
    await dealer.getByTestId('q-bid-size-A-2').fill('500,000');
    await dealer.getByTestId('q-bid-A-2').fill(base.add('8').toFixed(1));
    await dealer.getByTestId('q-ask-A-2').fill(base.sub('8').toFixed(1));
    await dealer.getByTestId('q-ask-size-A-2').fill('500,000');
    await dealer.getByTestId('mass-quote').click();
    const result = dealer.getByTestId('quote-result');
    await expect.poll(() => result.textContent(), { timeout: 20_000 }).toContain('bid +');
    const text = (await result.textContent())!;
    const bid = /bid \+[\d.]+ bp → ([\d.]+)/.exec(text)![1]!;
    const ask = /ask \+[\d.]+ bp → ([\d.]+)/.exec(text)![1]!;
    // The grid keeps showing the spreads typed (never the live prices) while it takes spreads.
    expect(await dealer.getByTestId('q-bid-A-2').inputValue()).toBe(base.add('8').toFixed(1));
    const dealerSdk = await e.sdk('dealer1');
    const live = (await dealerSdk.quotes()).find((q) => q.noteId === notes['A-2']);
    expect(new Decimal(live!.bid!.price).eq(bid)).toBe(true);
    expect(new Decimal(live!.ask!.price).eq(ask)).toBe(true);
    await e.shot(dealer, 'quote-grid-spread');
  });
});
