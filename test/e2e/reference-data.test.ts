/**
 * The operator's reference-data tabs in a real browser against the real service: reference rates
 * (`/backoffice#rates`), parties (`#parties`) and the obligor register (`#obligors`). Each change is
 * made through the screen and read back through the API; each form shows an API validation error
 * under the field it names (and nothing changes); rates are shown exactly as the API holds them
 * (4.000001 stays 4.000001). The back office sees the same three tabs read only, and neither role
 * meets a 403; an investor has no back office. Every screen passes the accessibility check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ComputeNotesClient } from '../../client/sdk/index.js';
import { showTab, startE2E, type E2E } from './support.js';

let e: E2E;
let operator: ComputeNotesClient;
let page: Page;
const refused: string[] = [];

/** Records every response the API refused with 403 (a screen the role should not have been shown). */
function watch403(target: Page, into: string[]): void {
  target.on('response', (response) => {
    if (response.status() === 403) into.push(`${response.request().method()} ${new URL(response.url()).pathname}`);
  });
}

beforeAll(async () => {
  e = await startE2E();
  operator = await e.sdk('operator1');
  page = await e.login('operator1');
  watch403(page, refused);
});
afterAll(async () => e?.close());

describe("operator's reference data", () => {
  it('reference rates: bad date and bad rate shown by their fields; a set and a correction reach the API exactly', async () => {
    await page.goto(`${e.t.url}/backoffice#rates`);
    await page.getByTestId('rates-panel').waitFor();
    const before = await operator.referenceRates();
    const date = page.getByTestId('rate-date');
    const rate = page.getByTestId('rate-percent');

    await date.fill('');
    await rate.fill('4.25');
    await page.getByTestId('rate-save').click();
    await expect.poll(() => page.getByTestId('rate-error-date').textContent()).toContain('required');

    // Not a calendar day: the API's own words, under the date.
    await date.fill('2026-02-30');
    await page.getByTestId('rate-save').click();
    await expect.poll(() => page.getByTestId('rate-error-date').textContent()).toContain('is not a calendar date');
    expect(await page.getByTestId('rate-error-ratePercent').textContent()).toBe('');

    // A percentage above 100, then one with 7 decimals: under the rate, the date's error gone.
    await date.fill('2026-11-02');
    await rate.fill('150');
    await page.getByTestId('rate-save').click();
    await expect.poll(() => page.getByTestId('rate-error-ratePercent').textContent()).toContain('must be a percentage from 0 to 100');
    expect(await page.getByTestId('rate-error-date').textContent()).toBe('');
    expect(await rate.getAttribute('aria-invalid')).toBe('true');
    await e.shot(page, 'reference-rates-error');
    await rate.fill('4.3333333');
    await page.getByTestId('rate-save').click();
    await expect.poll(() => page.getByTestId('rate-error-ratePercent').textContent()).toContain('at most 6 decimal places');
    expect(await operator.referenceRates()).toEqual(before);

    await rate.fill('4.125');
    await page.getByTestId('rate-save').click();
    await expect
      .poll(() => page.getByTestId('rate-result').textContent())
      .toBe('Reference rate 4.125% in force from the close of 2026-11-02.');
    expect(await page.getByTestId('rate-error-ratePercent').textContent()).toBe('');
    expect(await operator.referenceRates()).toContainEqual({ date: '2026-11-02', ratePercent: '4.125' });

    // A correction of the same date, with a figure a float would not keep as typed.
    await rate.fill('4.000001');
    await page.getByTestId('rate-save').click();
    await expect.poll(() => page.getByTestId('rate-result').textContent()).toContain('4.000001%');
    const after = await operator.referenceRates();
    expect(after.filter((r) => r.date === '2026-11-02')).toEqual([{ date: '2026-11-02', ratePercent: '4.000001' }]);
    const row = page.getByTestId('rates-table').locator('tr[data-key="2026-11-02"]');
    await expect.poll(async () => (await row.locator('td').allTextContents())[1]?.trim()).toBe('4.000001');
    await e.shot(page, 'reference-rates');
  });

  it('parties: a missing name and a taken name by the field; onboarding and eligibility reach the API', async () => {
    await showTab(page, 'parties');
    await page.getByTestId('parties-table').locator('tbody tr', { hasText: 'Atlas' }).first().waitFor();
    const count = (await operator.parties()).length;

    await page.getByTestId('party-name').fill('   ');
    await page.getByTestId('party-create').click();
    await expect.poll(() => page.getByTestId('party-error-name').textContent()).not.toBe('');
    expect(await operator.parties()).toHaveLength(count);

    await page.getByTestId('party-name').fill('Keystone Capital LLC');
    await page.getByTestId('party-kind').selectOption('dealer');
    await page.getByTestId('party-eligible-input').uncheck();
    await page.getByTestId('party-create').click();
    await expect.poll(() => page.getByTestId('party-result').textContent()).toContain('Onboarded Keystone Capital LLC (dealer)');
    expect(await page.getByTestId('party-error-name').textContent()).toBe('');
    const keystone = (await operator.parties()).find((p) => p.name === 'Keystone Capital LLC');
    expect(keystone).toMatchObject({ kind: 'dealer', eligible: false });
    const row = page.getByTestId('parties-table').locator(`tr[data-key="${keystone!.id}"]`);
    await expect.poll(() => row.getByTestId('party-eligible').textContent()).toBe('Not eligible');

    // The same name again: DUPLICATE_NAME, under the name.
    await page.getByTestId('party-name').fill('Keystone Capital LLC');
    await page.getByTestId('party-create').click();
    await expect.poll(() => page.getByTestId('party-error-name').textContent()).toContain('DUPLICATE_NAME');
    expect(await operator.parties()).toHaveLength(count + 1);

    await row.getByTestId('party-toggle').click();
    await expect.poll(() => row.getByTestId('party-eligible').textContent()).toBe('Eligible');
    expect((await operator.party(keystone!.id)).eligible).toBe(true);
    await e.shot(page, 'parties');
  });

  it('obligors: create under a parent, a cycle refused by the parent field, edit, and a relationship', async () => {
    await showTab(page, 'obligors');
    const register = await operator.obligors();
    const idOf = (name: string) => register.find((o) => o.name === name)!.id;
    const holdings = idOf('Hyperscale Holdings Inc.');
    await page.getByTestId('obligors-table').locator(`tr[data-key="${holdings}"]`).waitFor();

    // A missing sector: the API's message under Sector, nothing created.
    await page.getByTestId('obligor-name').fill('Keystone Compute Corp.');
    await page.getByTestId('obligor-parent').selectOption({ label: 'Hyperscale Holdings Inc.' });
    await page.getByTestId('obligor-rating').fill('BBB');
    await page.getByTestId('obligor-save').click();
    await expect.poll(() => page.getByTestId('obligor-error-sector').textContent()).not.toBe('');
    expect(await operator.obligors()).toHaveLength(register.length);
    await e.shot(page, 'obligors-error');

    await page.getByTestId('obligor-sector').fill('neocloud');
    await page.getByTestId('obligor-save').click();
    await expect.poll(() => page.getByTestId('obligor-result').textContent()).toContain('Added Keystone Compute Corp.');
    const created = (await operator.obligors()).find((o) => o.name === 'Keystone Compute Corp.');
    expect(created).toMatchObject({
      parentId: holdings,
      ultimateParentName: 'Hyperscale Holdings Inc.',
      rating: 'BBB',
      sector: 'neocloud',
    });
    const createdRow = page.getByTestId('obligors-table').locator(`tr[data-key="${created!.id}"]`);
    await expect.poll(() => createdRow.textContent()).toContain('Hyperscale Holdings Inc.');

    // Hyperscale Holdings under its own subsidiary would be a cycle: OBLIGOR_CYCLE under the parent.
    await page.getByTestId('obligors-table').locator(`tr[data-key="${holdings}"]`).getByTestId('obligor-edit').click();
    await expect.poll(() => page.getByTestId('obligor-form-title').textContent()).toBe('Edit Hyperscale Holdings Inc.');
    await page.getByTestId('obligor-parent').selectOption({ label: 'Keystone Compute Corp.' });
    await page.getByTestId('obligor-save').click();
    await expect.poll(() => page.getByTestId('obligor-error-parentId').textContent()).toContain('OBLIGOR_CYCLE');
    expect((await operator.obligor(holdings)).parentId).toBeNull();
    await page.getByTestId('obligor-cancel').click();

    // Edit the new company: a new name and rating, and no parent (a top company: its own ultimate obligor).
    await createdRow.getByTestId('obligor-edit').click();
    await page.getByTestId('obligor-name').fill('Keystone Compute Holdings');
    await page.getByTestId('obligor-rating').fill('BBB+');
    await page.getByTestId('obligor-parent').selectOption({ label: '— none (top company) —' });
    await page.getByTestId('obligor-save').click();
    await expect.poll(() => page.getByTestId('obligor-result').textContent()).toContain('Saved Keystone Compute Holdings');
    expect(await operator.obligor(created!.id)).toMatchObject({
      name: 'Keystone Compute Holdings',
      rating: 'BBB+',
      parentId: null,
      ultimateParentName: 'Keystone Compute Holdings',
      sector: 'neocloud',
    });

    // A tenancy without its MW and rent is refused under Leased MW; a loan to the Meridian deal is recorded.
    await page.getByTestId('rel-type').selectOption('tenant_of');
    await page.getByTestId('rel-target').selectOption({ label: 'Meridian Compute ABS 2026-1' });
    await page.getByTestId('rel-source').fill('credit agreement (e2e)');
    await page.getByTestId('rel-as-of').fill('2026-11-30');
    await page.getByTestId('rel-add').click();
    await expect.poll(() => page.getByTestId('rel-error-leasedMw').textContent()).toContain('a tenancy needs leasedMw and monthlyRent');
    await page.getByTestId('rel-type').selectOption('lender_to');
    await page.getByTestId('rel-add').click();
    await expect.poll(() => page.getByTestId('rel-result').textContent()).toContain('lender_to Meridian Compute ABS 2026-1');
    const { relationships } = await operator.obligor(created!.id);
    expect(relationships).toEqual([
      expect.objectContaining({
        type: 'lender_to',
        dealName: 'Meridian Compute ABS 2026-1',
        source: 'credit agreement (e2e)',
        asOf: '2026-11-30',
      }),
    ]);
    await expect.poll(() => page.getByTestId('relationships-table').locator('tbody tr').first().textContent()).toContain('lender to');
    await e.shot(page, 'obligors');
    expect(refused).toEqual([]);
  });
});

describe('who sees the reference-data tabs', () => {
  it('the back office reads rates, parties and obligors: no forms, no 403', async () => {
    const office = await e.login('backoffice1');
    const officeRefused: string[] = [];
    watch403(office, officeRefused);
    for (const [tab, ready] of [
      ['rates', 'rates-table'],
      ['parties', 'parties-table'],
      ['obligors', 'obligors-table'],
    ] as const) {
      await showTab(office, tab);
      await office.getByTestId(ready).locator('tbody tr').first().waitFor();
      await office.waitForLoadState('networkidle');
      await e.shot(office, `${tab}-backoffice`);
    }
    // The rate the operator set above is there for the back office to read, as the API holds it.
    expect(await office.getByTestId('rates-table').textContent()).toContain('4.000001');
    for (const control of ['rate-form', 'party-form', 'party-toggle', 'obligor-form', 'obligor-edit'])
      expect(await office.getByTestId(control).count(), control).toBe(0);
    expect(officeRefused).toEqual([]);
  });

  it('an investor has no back office tab to open', async () => {
    const investor = await e.login('investor1');
    const investorRefused: string[] = [];
    watch403(investor, investorRefused);
    expect(await investor.locator('nav a').allTextContents()).not.toContain('Back office');
    await investor.goto(`${e.t.url}/backoffice#rates`);
    await investor.getByTestId('bo-not-yours').waitFor();
    expect(await investor.getByTestId('tab-rates').count()).toBe(0);
    await investor.waitForLoadState('networkidle');
    expect(investorRefused).toEqual([]);
  });
});
