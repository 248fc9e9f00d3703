/**
 * The desk in the browser, at 1440×900 (screenshots under test/artifacts/e2e/desk-*.png):
 * - investor: the Positions screen (marks with their source, totals equal to the API's figures
 *   summed independently, CSV download), the My trades blotter (trade date, factor, venue, settlement
 *   status; filters; CSV of the rows shown) and the own statement download;
 * - dealer: the inventory and risk view (DV01 and day's P&L by note, totals), the Cash and positions
 *   panel following quote holds with no fill (the private balances channel), an RFQ passed with a
 *   reason from the inbox, and the RFQ history with its outcome statistics;
 * - no screen shows a UUID as text: parties and notes by name.
 */
import fs from 'node:fs';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComputeNotesClient, Position } from '../../client/sdk/index.js';
import { Decimal } from '../../server/domain/decimal.js';
import { DEMO_PASSWORD } from '../support/service.js';
import { noteIds, startE2E, type E2E } from './support.js';

const VIEWPORT = { width: 1440, height: 900 };
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

let e: E2E;
let investor: Page;
let dealer: Page;
let sdk: Record<string, ComputeNotesClient>;
let notes: Record<string, string>;
const trades: Record<string, string> = {};

async function downloaded(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const pending: Promise<Download> = page.waitForEvent('download');
  await click();
  const download = await pending;
  const file = await download.path();
  return { name: download.suggestedFilename(), text: fs.readFileSync(file!, 'utf8') };
}

/** Text cells of a table body, row by row. */
async function cells(page: Page, testid: string): Promise<string[][]> {
  return page
    .getByTestId(testid)
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) => [...row.querySelectorAll('td')].map((td) => (td.textContent ?? '').replace(/\u2007/g, '').trim())),
    );
}

/** "1,234.56" as the API's "1234.56". */
const plain = (text: string) => text.replace(/,/g, '');

beforeAll(async () => {
  e = await startE2E();
  sdk = Object.fromEntries(await Promise.all(['investor1', 'dealer1', 'dealer2'].map(async (u) => [u, await e.sdk(u)] as const)));
  notes = await noteIds(sdk.investor1!);
  // A book trade: investor1 lifts dealer2's offer of A-2.
  await sdk.dealer2!.placeOrder({
    clOrdId: 'desk-1',
    noteId: notes['A-2']!,
    side: 'sell',
    type: 'limit',
    price: '100.5',
    quantity: '300000',
  });
  trades.book = (
    await sdk.investor1!.placeOrder({
      clOrdId: 'desk-2',
      noteId: notes['A-2']!,
      side: 'buy',
      type: 'limit',
      price: '100.5',
      quantity: '300000',
      timeInForce: 'IOC',
    })
  ).fills[0]!.tradeId;
  // A quote trade: dealer1 quotes B two-sided, investor1 lifts the offer; dealer1 then pulls.
  await sdk.dealer1!.putQuotes([{ noteId: notes.B!, bidPrice: '99', bidSize: '1000000', askPrice: '101', askSize: '1000000' }]);
  trades.quote = (
    await sdk.investor1!.placeOrder({
      clOrdId: 'desk-3',
      noteId: notes.B!,
      side: 'buy',
      type: 'limit',
      price: '101',
      quantity: '200000',
      timeInForce: 'IOC',
    })
  ).fills[0]!.tradeId;
  await sdk.dealer1!.pullQuotes();
  [investor, dealer] = await Promise.all([e.login('investor1', VIEWPORT), e.login('dealer1', VIEWPORT)]);
});
afterAll(async () => e?.close());

describe('investor: positions', () => {
  it('shows every position with its mark source, totals that sum the API figures, and a CSV of the rows', async () => {
    await investor.getByTestId('nav-positions').click();
    const table = investor.getByTestId('positions-table');
    await expect.poll(() => table.locator('tbody tr[data-key]').count()).toBeGreaterThanOrEqual(2);
    const api: Position[] = await sdk.investor1!.positions();
    const rows = await cells(investor, 'positions-table');
    expect(rows).toHaveLength(api.length);
    // Every mark says where it came from.
    const sources = await table.getByTestId('mark-source').allTextContents();
    expect(sources.every((s) => ['mid', 'last', 'model'].includes(s))).toBe(true);
    const b = api.find((p) => p.noteId === notes.B)!;
    expect(b).toMatchObject({ markSource: 'last', markPrice: '101', originalFace: '200000', pendingFace: '200000' });
    // Totals row, summed here independently from the API's rows.
    const sum = (field: keyof Position) => api.reduce((s, p) => s.add((p[field] as string) ?? '0'), new Decimal(0));
    const total = async (field: string) =>
      plain((await investor.getByTestId('positions-totals').locator(`[data-total="${field}"]`).textContent()) ?? '');
    expect(await total('marketValue')).toBe(sum('marketValue').toFixed(2));
    expect(await total('accruedInterest')).toBe(sum('accruedInterest').toFixed(2));
    expect(await total('pendingCash')).toBe(sum('pendingCash').toFixed(2));
    expect(await total('currentFace')).toBe(sum('currentFace').toFixed(0));
    await e.shot(investor, 'desk-investor-positions');

    const csv = await downloaded(investor, () => investor.getByTestId('positions-csv').click());
    expect(csv.name).toMatch(/^positions-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe(
      'note,noteId,originalFace,factor,currentFace,markPrice,markSource,marketValue,accruedInterest,averageCost,unrealizedPnl,realizedPnl,pendingFace,pendingCash,modifiedDuration,dv01,previousClose,previousCloseSource,dayPnl',
    );
    expect(lines).toHaveLength(api.length + 1);
    const bLine = lines.find((l) => l.includes(notes.B!))!.split(',');
    expect(bLine.slice(1, 8)).toEqual([b.noteId, b.originalFace, b.factor, b.currentFace, b.markPrice, b.markSource, b.marketValue]);
  });
});

describe('investor: blotter and statement', () => {
  it('lists trades with trade date, factor, venue and settlement status, and filters them', async () => {
    await investor.getByTestId('nav-my-trades').click();
    const table = investor.getByTestId('trades');
    await expect.poll(() => table.locator('tbody tr[data-key]').count()).toBe(2);
    const header = await table.locator('thead th').allTextContents();
    for (const label of ['Trade date', 'Factor', 'Principal', 'Accrued', 'Net amount', 'Settles', 'Settlement', 'Venue'])
      expect(header).toContain(label);
    const rows = await cells(investor, 'trades');
    const venue = header.indexOf('Venue');
    expect(rows.map((r) => r[venue]).sort()).toEqual(['Book', 'Dealer quote']);
    expect(rows.map((r) => r[header.indexOf('Settlement')])).toEqual(['pending', 'pending']);
    const executions = await sdk.investor1!.executions();
    const quote = executions.find((x) => x.tradeId === trades.quote)!;
    const quoteRow = rows.find((r) => r[venue] === 'Dealer quote')!;
    expect(quoteRow[header.indexOf('Trade date')]).toBe(quote.tradeDate);
    expect(quoteRow[header.indexOf('Factor')]).toBe(new Decimal(quote.factor).toFixed(8));
    expect(plain(quoteRow[header.indexOf('Net amount')]!)).toBe(quote.netAmount);

    // Filters: side, note, settlement status, trade-date range; each by its label.
    await investor.getByLabel('Side').selectOption('sell');
    await expect.poll(() => table.locator('tbody td.empty').count()).toBe(1);
    await investor.getByLabel('Side').selectOption('buy');
    await investor.getByLabel('Note').selectOption(notes.B!);
    await expect.poll(() => table.locator('tbody tr[data-key]').count()).toBe(1);
    await investor.getByLabel('Settlement').selectOption('settled');
    await expect.poll(() => table.locator('tbody td.empty').count()).toBe(1);
    await investor.getByLabel('Settlement').selectOption('pending');
    await expect.poll(() => table.locator('tbody tr[data-key]').count()).toBe(1);
    await investor.getByLabel('Trade date from').fill('2099-01-01');
    await investor.getByLabel('Trade date from').dispatchEvent('change');
    await expect.poll(() => table.locator('tbody td.empty').count()).toBe(1);
    await investor.getByLabel('Trade date from').fill(quote.tradeDate);
    await investor.getByLabel('Trade date to').fill(quote.tradeDate);
    await investor.getByLabel('Trade date to').dispatchEvent('change');
    await expect.poll(() => table.locator('tbody tr[data-key]').count()).toBe(1);
    await investor.getByLabel('Trade date from').fill('12/09/2026');
    await investor.getByLabel('Trade date from').dispatchEvent('change');
    await expect.poll(() => investor.getByTestId('blotter-filter-error').textContent()).toContain('YYYY-MM-DD');
    await investor.getByLabel('Trade date from').fill(quote.tradeDate);
    await investor.getByLabel('Trade date from').dispatchEvent('change');
    await e.shot(investor, 'desk-investor-blotter');

    // CSV of the rows shown: the one B trade.
    const csv = await downloaded(investor, () => investor.getByTestId('trades-csv').click());
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe(
      'trade_id,executed_at,trade_date,settlement_date,note,note_id,side,price,face,factor,principal,accrued_interest,net_amount,venue,liquidity,settlement_status,settled_date',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]!.split(',')).toEqual([
      quote.tradeId,
      quote.executedAt,
      quote.tradeDate,
      quote.settlementDate,
      'Meridian 2026-1 B',
      notes.B,
      'buy',
      quote.price,
      quote.quantity,
      quote.factor,
      quote.principal,
      quote.accruedInterest,
      quote.netAmount,
      'quote',
      'taker',
      'pending',
      '',
    ]);
    await investor.getByTestId('blotter-clear').click();
    await expect.poll(() => table.locator('tbody tr[data-key]').count()).toBe(2);
  });

  it('downloads its own statement for the day as CSV and JSON', async () => {
    const date = await investor.getByLabel('Statement date').inputValue();
    expect(date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const csv = await downloaded(investor, () => investor.getByTestId('own-statement-csv').click());
    expect(csv.name).toMatch(new RegExp(`^statement-[\\w-]+-${date}\\.csv$`));
    expect(csv.text.split('\n')[0]!.trim()).toBe('section,reference,note_or_asset,side,quantity,amount,date,status,detail');
    expect(csv.text).toContain(trades.quote);
    // The same as the API gives the owner.
    expect(csv.text).toBe(await sdk.investor1!.statementCsv({ date }));
    const json = await downloaded(investor, () => investor.getByTestId('own-statement-json').click());
    const statement = JSON.parse(json.text);
    expect(statement.date).toBe(date);
    expect(statement.trades.map((t: { tradeId: string }) => t.tradeId).sort()).toEqual([trades.book, trades.quote].sort());
    await expect.poll(() => investor.getByTestId('own-statement-result').textContent()).toContain('2 trades');
  });
});

describe('dealer desk', () => {
  it('shows the inventory with DV01 and the day’s P&L by note, totals summed from the API', async () => {
    if (!dealer.url().endsWith('/dealer')) await dealer.getByTestId('nav-dealer-desk').click();
    const table = dealer.getByTestId('inventory-table');
    await expect.poll(() => table.locator('tbody tr[data-key]').count()).toBeGreaterThan(0);
    const api = await sdk.dealer1!.positions();
    const header = await table.locator('thead th').allTextContents();
    expect(header).toEqual(['Note', 'Current face', 'Mark', 'Value', 'Mod dur', 'DV01', 'Prev close', 'Day P&L', 'Unrealized', 'Realized']);
    await expect.poll(async () => (await cells(dealer, 'inventory-table')).length).toBe(api.length);
    const rows = await cells(dealer, 'inventory-table');
    for (const p of api.filter((x) => !new Decimal(x.currentFace).isZero())) {
      expect(p.dv01).not.toBeNull();
      const row = rows.find((r) => r[1] === new Decimal(p.currentFace).toFixed(0).replace(/\B(?=(\d{3})+(?!\d))/g, ','))!;
      expect(row, p.noteId).toBeDefined();
    }
    const dv01 = api.reduce((s, p) => s.add(p.dv01 ?? '0'), new Decimal(0));
    const dayPnl = api.reduce((s, p) => s.add(p.dayPnl), new Decimal(0));
    const total = async (field: string) =>
      plain((await dealer.getByTestId('inventory-totals').locator(`[data-total="${field}"]`).textContent()) ?? '');
    expect(await total('dv01')).toBe(dv01.toFixed(2));
    expect(await total('dayPnl')).toBe(dayPnl.toFixed(2));
    // dealer1 sold B at 101 today from its quote (previous close: none before today → model).
    const b = api.find((p) => p.noteId === notes.B)!;
    expect(b.previousCloseSource).toBe('model');
  });

  it('refreshes Cash and positions when a quote opens and releases a hold, with no fill', async () => {
    const usdHeld = async () => {
      const rows = await cells(dealer, 'balances-table');
      return plain(rows.find((r) => r[0] === 'USD cash')![2]!);
    };
    await expect.poll(usdHeld).toBe((await sdk.dealer1!.balances()).find((b) => b.asset === 'USD')!.held);
    const before = await usdHeld();
    // A bid on C holds cash for it: the panel follows without any trade.
    await sdk.dealer1!.putQuotes([{ noteId: notes.C!, bidPrice: '95', bidSize: '500000', askSize: '0' }]);
    const expected = (await sdk.dealer1!.balances()).find((b) => b.asset === 'USD')!.held;
    expect(new Decimal(expected).gt(before)).toBe(true);
    await expect.poll(usdHeld, { timeout: 5000 }).toBe(expected);
    await e.shot(dealer, 'desk-dealer-hold');
    await sdk.dealer1!.pullQuotes(notes.C!);
    await expect.poll(usdHeld, { timeout: 5000 }).toBe(before);
  });

  it('passes on an RFQ with a reason from the inbox, and shows it in the RFQ history with the stats', async () => {
    const declinedBefore = (await sdk.dealer1!.rfqStatistics())[0]?.declined ?? 0;
    const login = await e.t.http.post('/api/v1/auth/token').send({ username: 'dealer1', password: DEMO_PASSWORD });
    const rfq = await sdk.investor1!.createRfq({
      noteId: notes['A-2']!,
      side: 'buy',
      quantity: '500000',
      dealerPartyIds: [login.body.user.partyId],
      // Short: a decline counts in rfq-statistics once the RFQ has ended (here, expired).
      expiresInSeconds: 6,
    });
    const row = dealer.locator(`[data-testid="rfq-inbox"] tr[data-rfq="${rfq.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    await row.getByTestId('rfq-decline-reason').fill('No axe in A-2 today');
    await row.getByTestId('rfq-decline').click();
    await expect.poll(() => row.getByTestId('rfq-my-answer').textContent(), { timeout: 10_000 }).toContain('declined');
    const history = dealer.getByTestId('rfq-history');
    const historyRow = history.locator(`tr[data-key="${rfq.id}"]`);
    await expect
      .poll(
        () =>
          historyRow
            .getByTestId('rfq-outcome')
            .textContent({ timeout: 1000 })
            .catch(() => null),
        { timeout: 10_000 },
      )
      .toBe('declined');
    expect(await historyRow.getByTestId('rfq-reason').textContent()).toBe('No axe in A-2 today');
    await e.shot(dealer, 'desk-dealer-desk');
    // Once it expires, the history and the stats count the decline.
    await expect
      .poll(
        async () =>
          Number(
            await dealer
              .getByTestId('rfq-stat-declined')
              .textContent({ timeout: 1000 })
              .catch(() => null),
          ),
        { timeout: 20_000 },
      )
      .toBe(declinedBefore + 1);
    expect(await historyRow.getByTestId('rfq-outcome').textContent()).toBe('declined');
    expect(Number(await dealer.getByTestId('rfq-stat-received').textContent())).toBeGreaterThanOrEqual(1);
    // The API agrees with the screen.
    const seen = await sdk.dealer1!.rfq(rfq.id);
    expect(seen.responses[0]).toMatchObject({ status: 'declined', reason: 'No axe in A-2 today', price: null });
    await e.shot(dealer, 'desk-dealer-rfq-history');
  });
});

describe('dealer statement', () => {
  it('downloads the dealer’s own statement from My trades, the same as the API gives its owner', async () => {
    await dealer.getByTestId('nav-my-trades').click();
    await dealer.getByTestId('own-statement-panel').waitFor();
    const date = await dealer.getByLabel('Statement date').inputValue();
    const csv = await downloaded(dealer, () => dealer.getByTestId('own-statement-csv').click());
    expect(csv.name).toMatch(new RegExp(`^statement-Atlas-Securities-${date}\\.csv$`));
    expect(csv.text).toBe(await sdk.dealer1!.statementCsv({ date }));
    // dealer1's sale of B from its quote is on it.
    expect(csv.text).toContain(trades.quote);
  });
});

describe('names, not ids', () => {
  it('shows no UUID as text on the desk screens', async () => {
    for (const [page, paths] of [
      [investor, ['/positions', '/trades', '/rfq', '/']],
      [dealer, ['/dealer', '/positions', '/trades']],
    ] as const) {
      for (const path of paths) {
        await page.evaluate((p) => {
          history.pushState(null, '', p);
          dispatchEvent(new PopStateEvent('popstate'));
        }, path);
        await page.getByTestId('main').locator('h1').first().waitFor();
        await page.waitForTimeout(400);
        // What is shown (innerText), not the hidden attributes: links carry note ids in their href.
        // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text we mean
        const text = await page.getByTestId('main').innerText();
        expect(UUID.exec(text)?.[0] ?? null, `${path}`).toBeNull();
      }
    }
  });
});
