/**
 * Collections and distributions, each on its own back-office tab (`/backoffice#collections`,
 * `/backoffice#distributions`), in a real browser against the real service. The back office
 * records the Meridian deal's collections for the 2027-01-15 payment date — a missing utilization
 * is refused and the API's message shows under that field, with nothing recorded — then corrects
 * them (a second version with a reason), each checked through the API; on the distributions tab
 * a run for a date without collections is refused (NO_COLLECTIONS shown, nothing paid), then it
 * runs the distribution and the screen's waterfall steps and class figures (interest, principal,
 * balance after) are the API's trustee report, figure for figure. An operator sees both tabs read
 * only and no 403; an investor has no back office at all (no tab, no request refused). Every screen
 * passes the accessibility check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ComputeNotesClient } from '../../client/sdk/index.js';
import { showTab, startE2E, type E2E } from './support.js';
import { ManualClock } from '../support/service.js';

const DEAL = 'Meridian Compute ABS 2026-1';
const PAYMENT_DATE = '2027-01-15';

let e: E2E;
let office: Page;
let backoffice: ComputeNotesClient;
let meridian: string;

/** "1234567.80" → "1,234,567.80": the web app's cash format, written out here from the string (no number). */
function cash(amount: string): string {
  const [whole = '0', fraction = '00'] = amount.split('.');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction.padEnd(2, '0')}`;
}

/** Every request the page made that the API answered 403 (a tab the role may not use). */
function refusals(page: Page): string[] {
  const refused: string[] = [];
  page.on('response', (response) => {
    if (response.status() === 403) refused.push(`${response.request().method()} ${new URL(response.url()).pathname}`);
  });
  return refused;
}

beforeAll(async () => {
  // Business date 2027-01-14, rolled below to 2027-01-15: a payment date of Meridian (the 15th).
  e = await startE2E({ clock: new ManualClock(new Date('2027-01-14T12:00:00Z')) });
  backoffice = await e.sdk('backoffice1');
  meridian = (await backoffice.deals()).find((d) => d.name === DEAL)!.id;
  // The deal's cash trap tests the 3-month average DSCR: December's report (this period's) carries
  // the figures recorded below, or the distribution is refused (as in backoffice.test.ts).
  const november = (await backoffice.performanceReports(meridian))[0]!.report;
  await backoffice.filePerformanceReport(meridian, {
    ...november,
    periodEnd: '2026-12-31',
    revenue: '9000000.00',
    operatingCosts: '2000000.00',
    powerCost: '0.00',
  });
  await backoffice.rollBusinessDate('2027-01-14');
  office = await e.login('backoffice1');
});
afterAll(async () => e?.close());

describe('collections and distributions on their own tabs', () => {
  it('collections: a refused entry shows its error by the field; a recording and its correction reach the API', async () => {
    const refused = refusals(office);
    await office.goto(`${e.t.url}/backoffice#collections`);
    await office.getByTestId('collections-panel').waitFor();
    expect(await office.getByTestId('tab-collections').getAttribute('aria-selected')).toBe('true');
    // One job per tab: the distributions tab is not built until it is shown.
    expect(await office.getByTestId('distributions-panel').count()).toBe(0);
    expect(await office.getByTestId('tab-collections').textContent()).toBe('Collections');

    await office.getByTestId('servicing-deal').selectOption({ label: DEAL });
    await office.getByTestId('servicing-date').selectOption(PAYMENT_DATE);
    await expect.poll(() => office.getByTestId('coll-period').textContent()).toBe('Collection period 2026-12-01 to 2026-12-31');
    const calendarRow = office.getByTestId('coll-calendar').locator(`tr[data-key="${PAYMENT_DATE}"]`);
    await expect.poll(() => calendarRow.textContent()).toContain('not recorded');

    // Revenue given, utilization left empty: the API refuses; its words sit under Utilization %.
    await office.getByTestId('coll-reference').fill('e2e-dec');
    await office.getByTestId('coll-revenue').fill('9,000,000');
    await office.getByTestId('coll-costs').fill('2000000');
    await office.getByTestId('coll-uptime').fill('99.9');
    await office.getByTestId('coll-record').click();
    await expect.poll(() => office.getByTestId('coll-error-utilization').textContent()).not.toBe('');
    expect(await office.getByTestId('coll-utilization').getAttribute('aria-invalid')).toBe('true');
    expect(await office.getByTestId('coll-error-revenue').textContent()).toBe('');
    expect(await backoffice.collections(meridian, PAYMENT_DATE)).toEqual([]);
    await e.shot(office, 'servicing-collections-error');

    await office.getByTestId('coll-utilization').fill('91');
    await office.getByTestId('coll-record').click();
    await expect.poll(() => office.getByTestId('coll-result').textContent()).toContain('net cash flow 7,000,000.00');
    expect(await office.getByTestId('coll-error-utilization').textContent()).toBe('');
    const [recorded] = await backoffice.collections(meridian, PAYMENT_DATE);
    expect(recorded).toMatchObject({
      reference: 'e2e-dec',
      version: 1,
      status: 'active',
      revenue: '9000000.00',
      netCashFlow: '7000000.00',
    });

    // The correction: power cost split out of the same operating costs, with the trustee's reason.
    await office.getByTestId('coll-power').fill('250000');
    await office.getByTestId('coll-reason').fill('trustee restated the power cost');
    await office.getByTestId('coll-correct').click();
    await expect.poll(() => office.getByTestId('coll-result').textContent()).toContain('(version 2)');
    const versions = await backoffice.collections(meridian, PAYMENT_DATE);
    expect(versions.map((c) => [c.version, c.status])).toEqual([
      [1, 'superseded'],
      [2, 'active'],
    ]);
    expect(versions[1]).toMatchObject({ powerCost: '250000.00', reason: 'trustee restated the power cost', netCashFlow: '7000000.00' });
    // On screen: the calendar names the active version and counts the correction; both versions listed.
    await expect.poll(() => calendarRow.textContent()).toContain('e2e-dec v2');
    await expect.poll(() => office.getByTestId('coll-versions').locator('tbody tr').count()).toBe(2);
    expect(await office.getByTestId('coll-versions').textContent()).toContain('trustee restated the power cost');
    await e.shot(office, 'servicing-collections');
    expect(refused).toEqual([]);
  });

  it('distributions: the run for the payment date, its waterfall and classes as the API reports them', async () => {
    await showTab(office, 'distributions');
    expect(new URL(office.url()).hash).toBe('#distributions');
    expect(await office.getByTestId('collections-panel').isVisible()).toBe(false);
    await office.getByTestId('dist-deal').selectOption({ label: DEAL });
    // The previous payment date has no collections: the API refuses, the tab says why, nothing is paid.
    await office.getByTestId('dist-date').selectOption('2026-12-15');
    await office.getByTestId('run-distribution').click();
    const refusal = office.getByTestId('distributions-panel').getByTestId('error');
    await expect.poll(() => refusal.textContent()).toContain('NO_COLLECTIONS');
    expect(await refusal.textContent()).toContain('no collections are recorded for 2026-12-15');
    expect(await backoffice.trusteeReports(meridian)).toEqual([]);
    await e.shot(office, 'servicing-distributions-refused');

    await office.getByTestId('dist-date').selectOption(PAYMENT_DATE);
    await expect.poll(() => office.getByTestId('distribution-report').textContent()).toContain(`No distribution for ${PAYMENT_DATE} yet`);

    await office.getByTestId('run-distribution').click();
    await expect.poll(() => office.getByTestId('distribution-result').textContent()).toContain(`Distribution for ${PAYMENT_DATE} paid`);
    const [report] = await backoffice.trusteeReports(meridian, PAYMENT_DATE);
    expect(report).toBeDefined();
    const shown = office.getByTestId('distribution-report');
    await expect.poll(() => shown.getByTestId('trustee-classes').locator('tbody tr').count()).toBe(report!.classes.length);
    // Each class row carries the API's interest paid, principal paid and balance after, exactly.
    for (const c of report!.classes) {
      const row = shown.getByTestId('trustee-classes').locator('tbody tr', { hasText: c.className }).first();
      const cells = await row.locator('td').allTextContents();
      expect(cells[0]).toBe(c.className);
      expect(cells[2]).toBe(cash(c.interestPaid));
      expect(cells[4]).toBe(cash(c.principalPaid));
      expect(cells[6]).toBe(cash(c.balanceAfter));
    }
    expect(await shown.getByTestId('waterfall-steps').locator('tbody tr').count()).toBe(report!.steps.length);
    expect(await shown.textContent()).toContain('Trigger dscr-cash-trap');
    // The calendar now says so, and the deal's report list has the date.
    await expect.poll(() => office.getByTestId('dist-period').textContent()).toContain('distributed');
    expect(await office.getByTestId('trustee-reports').locator(`tr[data-key="${PAYMENT_DATE}"]`).count()).toBe(1);
    await e.shot(office, 'servicing-distributions');

    // Back on collections, the calendar row is marked distributed once re-read.
    await showTab(office, 'collections');
    await office.getByTestId('servicing-date').selectOption(PAYMENT_DATE);
    await expect.poll(() => office.getByTestId('coll-calendar').locator(`tr[data-key="${PAYMENT_DATE}"]`).textContent()).toMatch(/yes$/);
  });

  it('an operator reads both tabs: no recording, no run, no 403', async () => {
    const page = await e.login('operator1');
    const refused = refusals(page);
    await page.goto(`${e.t.url}/backoffice#collections`);
    await page.getByTestId('collections-panel').waitFor();
    await page.getByTestId('servicing-deal').selectOption({ label: DEAL });
    await page.getByTestId('servicing-date').selectOption(PAYMENT_DATE);
    await expect.poll(() => page.getByTestId('coll-versions').locator('tbody tr').count()).toBe(2);
    expect(await page.getByTestId('coll-record').count()).toBe(0);
    expect(await page.getByTestId('coll-correct').count()).toBe(0);
    await page.waitForLoadState('networkidle');
    await e.shot(page, 'servicing-collections-operator');

    await showTab(page, 'distributions');
    await page.getByTestId('dist-deal').selectOption({ label: DEAL });
    await page.getByTestId('dist-date').selectOption(PAYMENT_DATE);
    await expect.poll(() => page.getByTestId('distribution-report').getByTestId('trustee-classes').count()).toBe(1);
    expect(await page.getByTestId('run-distribution').count()).toBe(0);
    await page.waitForLoadState('networkidle');
    await e.shot(page, 'servicing-distributions-operator');
    expect(refused).toEqual([]);
  });

  it('an investor has no back office: no link, and the address says so without asking the API', async () => {
    const page = await e.login('investor1');
    const refused = refusals(page);
    expect(await page.locator('nav a').allTextContents()).not.toContain('Back office');
    await page.goto(`${e.t.url}/backoffice#distributions`);
    await page.getByTestId('bo-not-yours').waitFor();
    expect(await page.getByTestId('bo-tabs').count()).toBe(0);
    await page.waitForLoadState('networkidle');
    await e.shot(page, 'servicing-investor');
    expect(refused).toEqual([]);
  });
});
