/**
 * The on-chain registry in a real browser, on a service with the embedded chain: the back office
 * sees the registry panel (mode, contract, outbox), settles a day's trade and sees its transfer
 * on chain with the transaction hash (short, the full hash in its title, copyable) in the
 * settlement instructions and the outbox; the investor sees the same hash on its trade in "My
 * trades". A transfer recorded on chain outside settlement shows as registry breaks, and the back
 * office repairs it with the suggested forced transfer and a reason code, leaving only the
 * orphan event on record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newClOrdId, type ComputeNotesClient } from '../../client/sdk/index.js';
import { noteIdFromUuid, settlementRefFromKey } from '../../contracts/registry-client.js';
import { FAST, eventually } from '../registry/harness.js';
import { noteIds, showTab, startE2E, type E2E } from './support.js';

let e: E2E;
let office: Page;
let investorPage: Page;
let backoffice: ComputeNotesClient;
let notes: Record<string, string>;
let tradeId: string;
let txHash: string;

async function drained(): Promise<void> {
  await eventually(
    'the outbox to drain',
    async () => {
      const status = await backoffice.registryStatus();
      return status.connected && status.outbox.pending === 0;
    },
    20_000,
  );
}

beforeAll(async () => {
  e = await startE2E({ registry: { mode: 'embedded', tuning: FAST } });
  backoffice = await e.sdk('backoffice1');
  await drained();
  const [dealer, investor] = await Promise.all([e.sdk('dealer1'), e.sdk('investor1')]);
  notes = await noteIds(investor);
  await dealer.putQuotes([{ noteId: notes.B!, bidPrice: '98.75', bidSize: '1000000', askPrice: '99.5', askSize: '1000000' }]);
  const { fills } = await investor.placeOrder({
    clOrdId: newClOrdId('e2e-chain'),
    noteId: notes.B!,
    side: 'buy',
    type: 'limit',
    price: '99.5',
    quantity: '400000',
    timeInForce: 'IOC',
  });
  tradeId = fills[0]!.tradeId;
  [office, investorPage] = await Promise.all([e.login('backoffice1'), e.login('investor1')]);
});
afterAll(async () => e?.close());

describe('the on-chain registry in the browser', () => {
  it("shows the investor's trade before it settles, not on chain yet", async () => {
    await investorPage.getByTestId('nav-my-trades').click();
    const row = investorPage.getByTestId('trades').locator('tbody tr').first();
    await expect.poll(() => row.textContent()).toContain('BUY');
    expect(await row.textContent()).toContain('400,000');
    expect(await row.getByTestId('trade-settlement').textContent()).toBe('pending');
    // Not settled, so not on chain: a dash and no hash.
    expect(await row.getByTestId('tx-hash').count()).toBe(0);
    expect(await row.locator('td').last().textContent()).toBe('—');
  });

  it('shows the registry panel: mode, contract and outbox', async () => {
    await showTab(office, 'registry');
    const panel = office.getByTestId('registry-panel');
    await panel.waitFor();
    expect(await office.getByTestId('registry-mode').textContent()).toBe('embedded');
    const contract = (await backoffice.registryStatus()).contractAddress!;
    const shown = office.getByTestId('registry-contract');
    expect(await shown.getAttribute('title')).toBe(contract);
    expect(await shown.textContent()).toBe(`${contract.slice(0, 6)}…${contract.slice(-4)}`);
    expect(await office.getByTestId('registry-pending').textContent()).toBe('0');
    await expect.poll(() => office.getByTestId('registry-outbox').locator('tbody tr').count()).toBeGreaterThan(3);
    expect(await office.getByTestId('registry-outbox').textContent()).toContain('mint');
    await expect.poll(() => office.getByTestId('registry-clean').textContent()).toContain('No registry breaks');
  });

  it('settles the trade and shows its transfer on chain with the transaction hash', async () => {
    await showTab(office, 'roll');
    await office.getByTestId('roll-date').click();
    await office.getByTestId('roll-date').click();
    await expect.poll(() => office.getByTestId('roll-result').textContent()).toContain('Business date rolled');
    await showTab(office, 'settlement');
    await office.getByTestId('run-settlement').click();
    await expect.poll(() => office.getByTestId('run-result').textContent()).toContain('1 settled, 0 failed of 1 due');

    const settled = (await backoffice.settlements({ status: 'settled' })).find((s) => s.tradeId === tradeId)!;
    await showTab(office, 'instructions');
    const row = office.getByTestId('settlements').locator('tbody tr').first();
    await expect.poll(() => row.getByTestId('chain-status').textContent(), { timeout: 15_000 }).toBe('on chain');
    txHash = (await backoffice.settlements({ status: 'settled' })).find((s) => s.tradeId === tradeId)!.registry!.txHash!;
    expect(settled.status).toBe('settled');
    expect(txHash).toMatch(/^0x[0-9a-f]{64}$/);
    const hash = row.getByTestId('tx-hash');
    expect(await hash.getAttribute('title')).toBe(txHash);
    expect(await hash.textContent()).toBe(`${txHash.slice(0, 6)}…${txHash.slice(-4)}`);

    // The copy button puts the full hash on the clipboard.
    await office.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: e.t.url });
    await row.getByTestId('tx-hash-copy').click();
    await expect.poll(() => row.getByTestId('tx-hash-copy').textContent()).toBe('Copied');
    expect(await office.evaluate(() => navigator.clipboard.readText())).toBe(txHash);

    // The outbox lists the transfer, newest first, with the same transaction.
    await showTab(office, 'registry');
    const newest = office.getByTestId('registry-outbox').locator('tbody tr').first();
    await expect.poll(() => newest.getByTestId('outbox-tx').getAttribute('title'), { timeout: 10_000 }).toBe(txHash);
    expect(await newest.textContent()).toContain('transfer');
    expect(await newest.textContent()).toContain('400,000');
    await e.shot(office, 'registry-backoffice');
  });

  it('shows the investor the same transaction on its trade', async () => {
    const row = investorPage.getByTestId('trades').locator('tbody tr').first();
    await expect.poll(() => row.getByTestId('tx-hash').getAttribute('title'), { timeout: 15_000 }).toBe(txHash);
    expect(await row.getByTestId('chain-status').textContent()).toBe('on chain');
    expect(await row.getByTestId('trade-settlement').textContent()).toBe('settled');
    await e.shot(investorPage, 'registry-investor-trades');
  });

  it('lists a transfer made on chain outside settlement as breaks, and repairs it with a forced transfer and its reason', async () => {
    const chain = e.t.service.registry!.chain()!;
    const addresses = await backoffice.registryAddresses();
    const parties = await backoffice.parties();
    const partyOf = (prefix: string) => parties.find((p) => p.name.startsWith(prefix))!.id;
    const addressOf = (partyId: string) => addresses.find((a) => a.partyId === partyId)!.address;
    const [dealer2, investor2] = [partyOf('Harbor'), partyOf('Cedar')];
    const stray = settlementRefFromKey(`e2e-stray:${Date.now()}`);
    await (
      await chain.contract
        .connect(chain.registrar)
        .recordTransfer(noteIdFromUuid(notes.C!), addressOf(dealer2), addressOf(investor2), 1_200n, stray)
    ).wait();

    await office.getByTestId('registry-check').click();
    await expect.poll(() => office.getByTestId('registry-dirty').textContent()).toContain('3 registry breaks');
    const breaks = office.getByTestId('registry-breaks');
    expect(await breaks.textContent()).toContain('orphan event');
    expect(await breaks.getByTestId('repair-open').count()).toBe(1);
    await breaks.getByTestId('repair-open').click();
    const what = (await office.getByTestId('repair-what').textContent())!;
    expect(what).toContain('Move 1,200 of');
    expect(what).toContain('from Cedar Point Insurance to Harbor Capital Markets');
    expect(await office.getByTestId('repair-reason').locator('option').allTextContents()).toEqual([
      'RECONCILIATION_REPAIR',
      'LOST_KEY',
      'COMPROMISED_KEY',
      'COURT_ORDER',
      'ERRONEOUS_SETTLEMENT',
      'CORPORATE_ACTION',
    ]);
    await office.getByTestId('repair-reason').selectOption('ERRONEOUS_SETTLEMENT');
    await office.getByTestId('repair-note').fill('reverse a transfer recorded outside settlement');
    await e.shot(office, 'registry-repair-form');
    await office.getByTestId('repair-send').click();
    await expect.poll(() => office.getByTestId('repair-result').textContent()).toContain('Forced transfer queued as outbox row');
    // Once the repair is on chain the balances agree: only the orphan event stays listed.
    await expect.poll(() => office.getByTestId('registry-dirty').textContent(), { timeout: 20_000 }).toContain('1 registry break ');
    expect(await breaks.textContent()).toContain('orphan event');
    const [repair] = await backoffice.registryOutbox({ kind: 'forced_transfer', order: 'desc', limit: 1 });
    expect(repair).toMatchObject({
      status: 'published',
      reasonCode: 'ERRONEOUS_SETTLEMENT',
      reason: 'reverse a transfer recorded outside settlement',
      amount: '1200',
    });
    const newest = office.getByTestId('registry-outbox').locator('tbody tr').first();
    await expect.poll(() => newest.textContent(), { timeout: 10_000 }).toContain('ERRONEOUS_SETTLEMENT');
    expect(await office.getByTestId('repair-result').count()).toBe(1);
    await e.shot(office, 'registry-repaired');
  });
});
