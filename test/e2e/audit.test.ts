/**
 * The back office's audit trail, settlement-run history and pre-roll checklist in a real browser
 * (issue 19), as backoffice1: an operator halted and resumed a note, the back office deposited
 * cash and ran settlement over a trade that fails (100,000 face of C at 98, nothing accrued:
 * 98,000.00). The trail lists the four actions newest first with the note and party by name,
 * filters by action, user and ISO dates (fields found by their labels), refuses a malformed date,
 * and exports exactly the API's rows as CSV; the run history shows the fail's amounts and a total;
 * the checklist names the open fail. A screenshot is saved under test/artifacts/e2e/.
 */
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/service.js';
import { noteIds, showTab, startE2E, type E2E } from './support.js';

let e: E2E;
let office: Page;
const BUSINESS_DATE = '2027-01-14';

beforeAll(async () => {
  e = await startE2E({ clock: new ManualClock(new Date('2027-01-14T12:00:00Z')) });
  const [operator, backoffice] = await Promise.all([e.sdk('operator1'), e.sdk('backoffice1')]);
  const notes = await noteIds(operator);
  await operator.haltNote(notes.B!);
  await operator.resumeNote(notes.B!);
  const parties = await backoffice.parties();
  const northbridge = parties.find((p) => p.name === 'Northbridge Asset Management')!.id;
  await backoffice.deposit({ partyId: northbridge, amount: '2500.00', reference: 'e2e-audit-1' });
  // Cedar Point (investor2) holds no C: the trade fails to deliver.
  const cedarPoint = parties.find((p) => p.name === 'Cedar Point Insurance')!.id;
  await e.t.database.knex('trades').insert({
    id: 'E2E-AUDIT-FAIL',
    note_id: notes.C!,
    price: '98',
    quantity: '100000',
    factor: '1',
    principal: '98000.00',
    accrued_interest: '0.00',
    net_amount: '98000.00',
    buyer_party_id: northbridge,
    seller_party_id: cedarPoint,
    maker_side: 'buy',
    venue: 'clob',
    trade_date: BUSINESS_DATE,
    settlement_date: BUSINESS_DATE,
    buyer_hold_reference: 'trade:E2E-AUDIT-FAIL:buyer',
    seller_hold_reference: 'trade:E2E-AUDIT-FAIL:seller',
    seq: 999_999_996,
    executed_at: new Date(),
  });
  await backoffice.runSettlement({ date: BUSINESS_DATE });
  office = await e.login('backoffice1', { width: 1440, height: 900 });
  // Each back-office job has its tab (issue 19): the trail has its own.
  await showTab(office, 'audit');
  await office.getByTestId('audit-panel').waitFor();
}, 180_000);
afterAll(async () => e?.close());

async function auditRows(): Promise<string[][]> {
  return office
    .getByTestId('audit-table')
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

describe('the audit trail in the back office', () => {
  it('lists the actions newest first, by user and role, with the note and party by name', async () => {
    await office.getByTestId('audit-table').locator('tbody tr').nth(3).waitFor();
    const rows = await auditRows();
    expect(rows.map((r) => r[3])).toEqual(['settlement.run', 'cash.deposit', 'note.resume', 'note.halt']);
    expect(rows[3]!.slice(1, 5)).toEqual(['operator1', 'operator', 'note.halt', 'Meridian 2026-1 B']);
    expect(rows[1]!.slice(1, 5)).toEqual(['backoffice1', 'backoffice', 'cash.deposit', 'Northbridge Asset Management']);
    expect(rows[1]![5]).toBe('amount: 2500.00 · reference: e2e-audit-1');
    expect(rows[0]![5]).toContain('failedAmount: 98000.00');
    // ISO instants in UTC: "2027-… hh:mm:ssZ" (the service's clock is manual, the database's is not: only the form is checked).
    for (const row of rows) expect(row[0]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/);
    await office.getByTestId('audit-panel').scrollIntoViewIfNeeded();
    await e.shot(office, 'audit-backoffice');
  });

  it('filters by action and user through fields found by their labels', async () => {
    await office.getByLabel('Action').selectOption('note.halt');
    await office.getByTestId('audit-apply').click();
    await expect.poll(async () => (await auditRows()).map((r) => r[3])).toEqual(['note.halt']);
    await office.getByLabel('Action').selectOption('');
    await office.getByLabel('User').fill('backoffice1');
    await office.getByTestId('audit-apply').click();
    await expect.poll(async () => (await auditRows()).map((r) => r[3])).toEqual(['settlement.run', 'cash.deposit']);
    await office.getByLabel('User').fill('');
  });

  it('takes ISO dates only: a malformed one is refused in the form, a range with nothing shows the empty state', async () => {
    await office.getByLabel('From (UTC date)').fill('12/09/2026');
    await office.getByTestId('audit-apply').click();
    await office.getByTestId('audit-error').waitFor();
    expect(await office.getByLabel('From (UTC date)').getAttribute('aria-invalid')).toBe('true');
    await office.getByLabel('From (UTC date)').fill('2000-01-01');
    await office.getByLabel('To (UTC date)').fill('2000-01-02');
    await office.getByTestId('audit-apply').click();
    await expect.poll(async () => office.getByTestId('audit-table').locator('td.empty').count()).toBe(1);
    await office.getByLabel('From (UTC date)').fill('');
    await office.getByLabel('To (UTC date)').fill('');
    await office.getByTestId('audit-apply').click();
    await expect.poll(async () => (await auditRows()).length).toBe(4);
  });

  it('exports every matching row as CSV, the same rows as the API', async () => {
    const [download] = await Promise.all([office.waitForEvent('download'), office.getByTestId('audit-csv').click()]);
    const text = fs.readFileSync((await download.path())!, 'utf8');
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,at,actor,role,action,entity,entity_name,details');
    const api = await (await e.sdk('operator1')).auditAll();
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(api.map((r) => r.id));
    expect(lines.find((l) => l.includes('note.halt'))).toContain('Meridian 2026-1 B');
  });
});

describe('the run history and the pre-roll checklist', () => {
  it("shows the run's counts and amounts and a total line; the dates are ISO", async () => {
    // The history's request is held: until it answers the table is busy and blank, never
    // "No settlement runs" (the empty state is for an answer with none).
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await office.route('**/api/v1/settlements/runs*', async (route) => {
      await held;
      await route.continue();
    });
    await showTab(office, 'runs');
    const table = office.getByTestId('runs-table');
    expect(await table.getAttribute('aria-busy')).toBe('true');
    expect(await table.locator('tbody tr').count()).toBe(0);
    release();
    await expect.poll(() => table.getAttribute('aria-busy')).toBeNull();
    await office.unroute('**/api/v1/settlements/runs*');
    expect(await office.getByLabel('to (date)').inputValue()).toBe(BUSINESS_DATE);
    // A run's row carries its key; before the history loads the body is blank (aria-busy).
    const row = office.getByTestId('runs-table').locator('tbody tr[data-key]').first();
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(1, 12)).toEqual([
      BUSINESS_DATE,
      'gross',
      'completed',
      '1',
      '0',
      '1',
      '0.00',
      '0',
      '98,000.00',
      '100,000',
      'backoffice1',
    ]);
    expect(await office.getByTestId('runs-total-failed').textContent()).toBe('98,000.00');
    expect(await office.getByTestId('runs-total-settled').textContent()).toBe('0.00');
  });

  it('names the open fail and says the day is not ready to roll', async () => {
    // The checklist sits with the roll it prepares for, in the End of day tab.
    await showTab(office, 'roll');
    const fails = office.getByTestId('checklist-open_fails');
    await fails.waitFor();
    expect(await fails.locator(':scope > td').nth(0).textContent()).toBe('open');
    expect(await fails.locator(':scope > td').nth(2).textContent()).toBe('1');
    expect(await fails.locator(':scope > td').nth(3).textContent()).toBe('98,000.00');
    expect(await office.getByTestId('checklist-instructions_due').locator(':scope > td').nth(0).textContent()).toBe('ok');
    expect(await office.getByTestId('checklist-summary').textContent()).toBe(`Open before rolling ${BUSINESS_DATE} to 2027-01-15:`);
    // The rows behind the count, one click away: the fail's instruction, its note by name.
    await fails.locator('summary').click();
    expect(await fails.locator('details tbody tr').count()).toBe(1);
    expect(await fails.locator('details tbody td').allTextContents()).toContain('98000.00');
  });
});
