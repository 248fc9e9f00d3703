/**
 * Credit use and fails where a user acts, in a real browser: a dealer whose buy used its credit
 * line sees the line and its use in its cash panel; once the purchase it has not paid for is due
 * and the day rolls, the back office's Fails panel shows it as a failure to pay (no TMPG charge).
 * Amounts as in test/settlement/credit-fails.test.ts: 9,908,122.40 bought with 5,000,000.00 cash,
 * 4,908,122.40 of the 10,000,000.00 line used, 5,091,877.60 left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newClOrdId } from '../../client/sdk/index.js';
import { noteIds, showTab, startE2E, type E2E } from './support.js';

let e: E2E;

beforeAll(async () => {
  e = await startE2E();
  const [operator, office, dealer1, dealer2] = await Promise.all([
    e.sdk('operator1'),
    e.sdk('backoffice1'),
    e.sdk('dealer1'),
    e.sdk('dealer2'),
  ]);
  const notes = await noteIds(dealer1);
  const dealer2Party = (await e.t.http.post('/api/v1/auth/token').send({ username: 'dealer2', password: 'demo' })).body.user
    .partyId as string;
  await operator.setCreditLine(dealer2Party, '10000000');
  await office.withdraw({ partyId: dealer2Party, amount: '20000000.00', reference: 'e2e-credit' });
  await dealer1.placeOrder({
    clOrdId: newClOrdId('e2e'),
    noteId: notes['A-2']!,
    side: 'sell',
    type: 'limit',
    price: '100',
    quantity: '10000000',
    timeInForce: 'GTC',
  });
  await dealer2.placeOrder({
    clOrdId: newClOrdId('e2e'),
    noteId: notes['A-2']!,
    side: 'buy',
    type: 'limit',
    price: '100',
    quantity: '10000000',
    timeInForce: 'IOC',
  });
});
afterAll(async () => e?.close());

describe('credit and fails in the browser', () => {
  it('the dealer sees its credit line and what its buys use of it', async () => {
    const dealer = await e.login('dealer2');
    await dealer.getByTestId('balances-panel').waitFor();
    await expect.poll(() => dealer.getByTestId('credit-line').textContent()).toContain('Credit line 10,000,000.00');
    const text = (await dealer.getByTestId('credit-line').textContent())!;
    expect(text).toContain('used 4,908,122.40');
    expect(text).toContain('available 5,091,877.60');
    await e.shot(dealer, 'dealer-credit-line');
  });

  it('the back office sees the unpaid purchase as a failure to pay once the day rolls past it', async () => {
    const office = await e.sdk('backoffice1');
    await office.rollBusinessDate();
    await office.rollBusinessDate();
    const page = await e.login('backoffice1');
    await showTab(page, 'fails');
    await expect.poll(() => page.getByTestId('fails').textContent()).toContain('buyer (fails to pay)');
    const row = (await page.getByTestId('fails').locator('tbody tr').first().textContent())!;
    expect(row).toContain('9,908,122.40');
    expect(row).toContain('0.00');
    await e.shot(page, 'backoffice-failure-to-pay');
  });
});
