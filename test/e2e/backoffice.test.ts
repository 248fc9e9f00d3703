/**
 * The back office in a real browser: after a day of trading (through the SDK), it rolls the
 * business date, runs settlement with progress, sees every instruction settled, records
 * collections (collections tab) and runs a distribution with its trustee report (distributions
 * tab), downloads a statement as CSV, and the reconciliation shows no breaks.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newClOrdId } from '../../client/sdk/index.js';
import { noteIds, showTab, startE2E, type E2E } from './support.js';
import { ManualClock } from '../support/service.js';

let e: E2E;
let office: Page;

beforeAll(async () => {
  // Business date 2027-01-14; the roll below reaches 2027-01-15, a payment date of Meridian (the 15th).
  e = await startE2E({ clock: new ManualClock(new Date('2027-01-14T12:00:00Z')) });
  const [dealer, investor1, investor2] = await Promise.all([e.sdk('dealer1'), e.sdk('investor1'), e.sdk('investor2')]);
  const notes = await noteIds(investor1);
  await dealer.putQuotes([
    { noteId: notes['A-2']!, bidPrice: '99.5', bidSize: '1000000', askPrice: '100.25', askSize: '1000000' },
    { noteId: notes.B!, bidPrice: '98.75', bidSize: '1000000', askPrice: '99.5', askSize: '1000000' },
  ]);
  await investor1.placeOrder({
    clOrdId: newClOrdId('e2e'),
    noteId: notes['A-2']!,
    side: 'buy',
    type: 'limit',
    price: '100.25',
    quantity: '300000',
    timeInForce: 'IOC',
  });
  await investor2.placeOrder({
    clOrdId: newClOrdId('e2e'),
    noteId: notes.B!,
    side: 'sell',
    type: 'limit',
    price: '98.75',
    quantity: '200000',
    timeInForce: 'IOC',
  });
  // The demo's trap tests the 3-month average DSCR: December's report (the 2027-01-15 collection
  // period's) is filed with the figures the form records below, or the distribution is refused.
  const backoffice = await e.sdk('backoffice1');
  const meridian = (await backoffice.deals()).find((d) => d.name.startsWith('Meridian'))!.id;
  const november = (await backoffice.performanceReports(meridian))[0]!.report;
  await backoffice.filePerformanceReport(meridian, {
    ...november,
    periodEnd: '2026-12-31',
    revenue: '9000000.00',
    operatingCosts: '2000000.00',
    powerCost: '0.00',
  });
  office = await e.login('backoffice1');
  await office.getByTestId('roll-panel').waitFor();
});
afterAll(async () => e?.close());

describe('back office in the browser', () => {
  it("rolls the business date and settles the day's trades", async () => {
    const before = (await office.getByTestId('bo-date').textContent())!;
    await office.getByTestId('roll-date').click();
    await expect.poll(() => office.getByTestId('roll-date').textContent()).toContain('Confirm');
    await office.getByTestId('roll-date').click();
    await expect.poll(() => office.getByTestId('roll-result').textContent()).toContain('Business date rolled');
    expect(await office.getByTestId('bo-date').textContent()).not.toBe(before);
    await showTab(office, 'instructions');
    await expect.poll(() => office.getByTestId('settlements').locator('tbody tr').count()).toBe(2);
    expect(await office.getByTestId('settlements').textContent()).toContain('pending');

    await showTab(office, 'settlement');
    await office.getByTestId('run-settlement').click();
    await expect.poll(() => office.getByTestId('run-result').textContent()).toContain('2 settled, 0 failed of 2 due');
    await showTab(office, 'instructions');
    await expect
      .poll(async () =>
        (await office.getByTestId('settlements').locator('tbody tr').allTextContents()).every((row) => row.includes('settled')),
      )
      .toBe(true);
    expect(await office.getByTestId('run-progress').textContent()).toContain('2 settled');
    await showTab(office, 'fails');
    expect(await office.getByTestId('fails').textContent()).toContain('No open fails');
  });

  it('records collections, runs the distribution and shows the trustee report', async () => {
    await showTab(office, 'collections');
    await office.getByTestId('servicing-deal').selectOption({ label: 'Meridian Compute ABS 2026-1' });
    // Payment dates are the deal's (the 15th); the collection period is derived and shown.
    await office.getByTestId('servicing-date').selectOption('2027-01-15');
    await expect.poll(() => office.getByTestId('coll-period').textContent()).toContain('Collection period 2026-12-01 to 2026-12-31');
    await office.getByTestId('coll-reference').fill('e2e-collections');
    await office.getByTestId('coll-revenue').fill('9000000');
    await office.getByTestId('coll-costs').fill('2000000');
    await office.getByTestId('coll-utilization').fill('91');
    await office.getByTestId('coll-uptime').fill('99.9');
    await office.getByTestId('coll-record').click();
    await expect.poll(() => office.getByTestId('coll-result').textContent()).toContain('net cash flow 7,000,000.00');
    // Distributions have their own tab, with their own deal and payment date.
    await showTab(office, 'distributions');
    await office.getByTestId('dist-deal').selectOption({ label: 'Meridian Compute ABS 2026-1' });
    await office.getByTestId('dist-date').selectOption('2027-01-15');
    await office.getByTestId('run-distribution').click();
    await expect.poll(() => office.getByTestId('distribution-result').textContent()).toContain('Distribution for');
    const report = office.getByTestId('trustee-report').first();
    await expect.poll(() => report.textContent()).toContain('A-2');
    // Interest only to the ARD: the factor stays; the trigger's working is shown.
    expect(await report.textContent()).toContain('Trigger dscr-cash-trap: dscrThreeMonthAverage');
  });

  it('downloads a statement as CSV', async () => {
    await showTab(office, 'statements');
    await office.getByTestId('statement-party').selectOption({ label: 'Northbridge Asset Management (investor)' });
    await office.getByTestId('statement-date').fill('');
    const date = await office.getByTestId('run-date').inputValue();
    await office.getByTestId('statement-date').fill(date);
    const [download] = await Promise.all([office.waitForEvent('download'), office.getByTestId('statement-csv').click()]);
    const text = fs.readFileSync((await download.path())!, 'utf8');
    expect(text.split('\n')[0]).toBe('section,reference,note_or_asset,side,quantity,amount,date,status,detail');
    expect(download.suggestedFilename()).toMatch(/^statement-Northbridge-Asset-Management-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(text).toContain(',interest,');
    expect(text).toContain(',principal,');

    // On screen: the day's distribution with interest and principal in columns of their own, and
    // the one ledger movement that paid both.
    await office.getByTestId('statement-show').click();
    await expect.poll(() => office.getByTestId('statement-of').textContent()).toBe(`Statement of Northbridge Asset Management for ${date}`);
    const row = office.getByTestId('statement-distributions').locator('tbody tr').first();
    await expect.poll(() => row.locator('td').count()).toBe(6);
    const [note, , face, interest, principal, paid] = await row.locator('td').allTextContents();
    expect(note).toBe('Meridian 2026-1 A-2');
    expect(face).toBe('5,000,000');
    const cents = (text: string | undefined) => Math.round(Number(text!.replace(/,/g, '')) * 100);
    expect(cents(interest)).toBeGreaterThan(0);
    expect(cents(interest) + cents(principal)).toBe(cents(paid));
    expect(await office.getByTestId('statement-movements').textContent()).toContain(paid!);
    await e.shot(office, 'backoffice-statement');
  });

  it('finds no reconciliation breaks', async () => {
    await showTab(office, 'reconciliation');
    await office.getByTestId('recon-run').click();
    await expect.poll(() => office.getByTestId('recon-clean').textContent()).toContain('No breaks');
    expect(await office.getByTestId('recon-breaks').textContent()).toContain('No breaks.');
    // The registry is off on this service: no registry panel, no on-chain column.
    expect(await office.getByTestId('registry-panel').count()).toBe(0);
    expect(await office.getByTestId('settlements').locator('th').allTextContents()).not.toContain('On chain');
    await e.shot(office, 'backoffice');
  });
});
