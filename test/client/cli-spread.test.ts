/**
 * `cn rfq-answer … --spread` and `cn quote … --spread` as a real process against the real service:
 * the dealer types spreads in bp, the server derives the prices (base scenario, to the ARD, nearest
 * tick) and the CLI shows them; the derived price equals the projection API's own price at that
 * spread rounded to the nearest tick.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../server/domain/decimal.js';
import { startTestService, type TestService } from '../support/service.js';
import { runCn, type CliResult } from '../support/cli.js';

const TICK = new Decimal('0.0078125');
let t: TestService;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cn-spread-'));
let notes: Record<string, string>;
let dealId: string;

function cn(args: string[]): Promise<CliResult> {
  return runCn(args, { url: t.url, configDir: home });
}

const auth = async (username: string) => ({ authorization: `Bearer ${await t.token(username)}` });

/** The projection API's price of A-2 at a spread, to the nearest tick (no exact half tick occurs at these spreads). */
async function apiPriceAt(spreadBp: string): Promise<string> {
  const res = await t.http
    .post('/api/v1/projections')
    .set(await auth('investor1'))
    .send({ dealId, pricing: [{ noteId: notes['A-2'], spreadBp }] });
  return new Decimal(res.body.classes[0].price).div(TICK).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).mul(TICK).toFixed();
}

/** A spread near A-2's market: its spread at the price band's reference (or par). */
async function marketSpread(): Promise<Decimal> {
  const band = (await t.http.get(`/api/v1/notes/${notes['A-2']}/price-band`).set(await auth('investor1'))).body;
  const a = (await t.http.get(`/api/v1/notes/${notes['A-2']}/analytics?price=${band.reference ?? '100'}`).set(await auth('investor1')))
    .body;
  return new Decimal(a.spreadBp);
}

beforeAll(async () => {
  t = await startTestService();
  notes = Object.fromEntries(
    (await t.http.get('/api/v1/notes').set(await auth('investor1'))).body.map((n: { className: string; id: string }) => [
      n.className,
      n.id,
    ]),
  );
  dealId = (await t.http.get('/api/v1/deals').set(await auth('investor1'))).body.find((d: { name: string }) =>
    d.name.startsWith('Meridian'),
  ).id;
  expect((await cn(['login', '--user', 'dealer1', '--password', 'demo'])).code).toBe(0);
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('cn … --spread', () => {
  it('answers an RFQ at a spread and prints the derived price', async () => {
    const rfq = (
      await t.http
        .post('/api/v1/rfqs')
        .set(await auth('investor1'))
        .send({ noteId: notes['A-2'], side: 'buy', quantity: '1000000', expiresInSeconds: 300 })
    ).body;
    const spread = (await marketSpread()).add('1.3').toFixed(1).replace(/\.0$/, '');
    const json = await cn(['rfq-answer', rfq.id, spread, '--spread', '--json']);
    expect(json.code).toBe(0);
    const answer = JSON.parse(json.out);
    expect(answer.pricedFromSpread).toMatchObject({ side: 'ask', spreadBp: spread, curve: { name: 'UST' } });
    expect(answer.price).toBe(await apiPriceAt(spread));
    const text = await cn(['rfq-answer', rfq.id, spread, '--spread']);
    expect(text.code).toBe(0);
    expect(text.err).toContain(`ask at +${spread} bp over UST`);
    expect(text.out).toContain('answered');
    const bad = await cn(['rfq-answer', rfq.id, '1e2', '--spread']);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('spread in bp');
  });

  it('quotes bid and ask as spreads', async () => {
    const base = await marketSpread();
    const bid = base.add('5').toFixed(1).replace(/\.0$/, '');
    const ask = base.sub('5').toFixed(1).replace(/\.0$/, '');
    const res = await cn(['quote', 'A-2', '500000', bid, ask, '500000', '--spread']);
    expect(res.code).toBe(0);
    expect(res.err).toContain(`bid +${bid} bp over UST`);
    expect(res.err).toContain(`→ ${await apiPriceAt(bid)} (yield`);
    expect(res.err).toContain(`→ ${await apiPriceAt(ask)} (yield`);
  });
});
