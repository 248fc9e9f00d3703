/**
 * The `cn` binary as a real process (client/cli/cn.mjs, the package's bin) against the real
 * service: login saves a session, tables and TSV and --json, order entry, quotes, an RFQ round
 * trip, settlement with a progress bar, statements and reconciliation as CSV, and the documented
 * exit codes (0 ok, 1 usage, 2 API rejection, 3 network or authentication, 4 breaks).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { runCn, type CliResult } from '../support/cli.js';

let t: TestService;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cn-home-'));

/** Runs `cn` with a clean environment: the test's server, and a config dir per user. */
function cn(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCn(args, { url: t.url, configDir: path.join(home, 'default'), env });
}

const as = (user: string) => ({ CN_CONFIG_DIR: path.join(home, user) });

beforeAll(async () => {
  t = await startTestService();
  await Promise.all(
    ['investor1', 'dealer1', 'dealer2', 'backoffice1'].map((user) => cn(['login', '--user', user, '--password', 'demo'], as(user))),
  );
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('cn (the binary)', () => {
  it('documents its commands and exit codes, and rejects bad usage with 1', async () => {
    const help = await cn(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Exit codes:');
    expect(help.out).toMatch(/2 {2}the API rejected the request/);
    expect(help.out).toContain('order <buy|sell> <note> <face> <price>');
    expect((await cn(['frobnicate'])).code).toBe(1);
    const bad = await cn(['order', 'hold', 'A-2', '100000', '99'], as('investor1'));
    expect(bad).toMatchObject({ code: 1 });
    expect(bad.err).toContain('the side is buy or sell');
  });

  it('logs in with CN_USER/CN_PASSWORD or a saved session, and fails authentication with 3', async () => {
    const saved = fs.statSync(path.join(home, 'investor1', 'session.json'));
    expect(saved.mode & 0o777).toBe(0o600);
    const who = await cn(['whoami', '--table'], as('investor1'));
    expect(who.out).toMatch(/party\s+Northbridge Asset Management/);
    const env = await cn(['business-date'], { CN_USER: 'dealer2', CN_PASSWORD: 'demo' });
    expect(env.out.trim()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((await cn(['notes'])).code).toBe(3);
    const wrong = await cn(['notes'], { CN_USER: 'investor1', CN_PASSWORD: 'wrong' });
    expect(wrong).toMatchObject({ code: 3 });
    expect(wrong.err).toContain('401 INVALID_CREDENTIALS');
    const down = await cn(['notes', '--url', 'http://127.0.0.1:9'], { CN_USER: 'investor1', CN_PASSWORD: 'demo' });
    expect(down.code).toBe(3);
    expect(down.err).toContain('cannot reach http://127.0.0.1:9');
  });

  it('quotes, shows the book and notes as a table, TSV and JSON, and trades', async () => {
    const quote = await cn(
      ['quote', 'A-2', '1,000,000', '99.5', '100.25', '1000000', 'Meridian/B', '500000', '98.75', '99.5', '500000'],
      as('dealer1'),
    );
    expect(quote.code, quote.err).toBe(0);
    const table = await cn(['notes', '--table'], as('investor1'));
    expect(table.out).toMatch(
      /Meridian\/A-2\s+US58953TAA97\s+A\s+5\.250%\s+30\/360-ISDA\s+2051-03-15\s+0\.98750000\s+1,000,000\s+99\.500\s+100\.250\s+1,000,000/,
    );
    const tsv = await cn(['book', 'US58953TAA97'], as('investor1'));
    expect(tsv.out.split('\n').slice(0, 3)).toEqual(['SIDE\tPRICE\tQUANTITY\tORDERS', 'ask\t100.25\t1000000\t1', 'bid\t99.5\t1000000\t1']);
    const json = JSON.parse((await cn(['book', 'A-2', '--json'], as('investor1'))).out) as { asks: { price: string }[] };
    expect(json.asks[0]!.price).toBe('100.25');

    const order = await cn(['order', 'buy', 'A-2', '250000', '100.25', '--tif', 'IOC', '--json'], as('investor1'));
    expect(order.code, order.err).toBe(0);
    const result = JSON.parse(order.out) as { order: { status: string }; fills: { netAmount: string; accruedInterest: string }[] };
    expect(result.order.status).toBe('filled');
    expect(result.fills[0]!.netAmount).toMatch(/^\d+\.\d{2}$/);
    const executions = await cn(['executions', '--table'], as('investor1'));
    expect(executions.out).toContain('Meridian/A-2');
    expect(executions.out).toMatch(/buy\s+100\.250\s+250,000\s+247,492\.19/);
    const rejected = await cn(['order', 'sell', 'C', '100000', '99'], as('investor1'));
    expect(rejected.code).toBe(2);
    expect(rejected.err).toContain('422 INSUFFICIENT_POSITION');
    const offTick = await cn(['order', 'buy', 'A-2', '100000', '99.3'], as('investor1'));
    expect(offTick).toMatchObject({ code: 2 });
    expect(offTick.err).toContain('OFF_TICK');

    const resting = JSON.parse((await cn(['order', 'buy', 'B', '100000', '97', '--json'], as('investor1'))).out) as {
      order: { id: string };
    };
    const replaced = await cn(['replace', resting.order.id, '--price', '97.5', '--table'], as('investor1'));
    expect(replaced.out).toMatch(/97\.500\s+100,000/);
    expect((await cn(['orders'], as('investor1'))).out).toContain(resting.order.id);
    expect((await cn(['cancel', resting.order.id], as('investor1'))).out).toContain('cancelled');
    expect((await cn(['pull-quotes'], as('dealer1'))).out).toContain('all quotes pulled');
    const balances = await cn(['balances', '--table'], as('investor1'));
    expect(balances.out).toMatch(/USD\s+50,000,000\.00/);
  }, 180_000); // 14 `cn` runs, each a fresh Node process: 26 s alone on the shared two cores, over 60 s under the full suite

  it('sends, answers and accepts an RFQ', async () => {
    const asked = await cn(['rfq', 'buy', 'B', '1000000', '--expires', '60'], as('investor1'));
    expect(asked.code, asked.err).toBe(0);
    const rfqId = asked.out.trim();
    expect(asked.err).toContain('sent to 2 dealer(s)');
    const inbox = await cn(['rfqs', '--status', 'open'], as('dealer1'));
    expect(inbox.out).toContain(rfqId);
    expect((await cn(['rfq-answer', rfqId, '99.75', '--valid', '30'], as('dealer1'))).code).toBe(0);
    expect((await cn(['rfq-answer', rfqId, '99.625'], as('dealer2'))).code).toBe(0);
    const accepted = await cn(['rfq-accept', rfqId, '--json'], as('investor1'));
    expect(accepted.code, accepted.err).toBe(0);
    expect(JSON.parse(accepted.out)).toMatchObject({ trade: { price: '99.625', quantity: '1000000', venue: 'rfq' } });
    // Nothing left to accept is a refusal by state (exit 2), not a usage error (1).
    const none = await cn(['rfq-accept', rfqId], as('investor1'));
    expect(none.code).toBe(2);
    expect(none.err).toContain('no open answer');
  });

  it('settles with a progress bar, exports statements and reconciles', async () => {
    const rolled = await cn(['roll'], as('backoffice1'));
    const date = /→ (\d{4}-\d{2}-\d{2})/.exec(rolled.out)![1]!;
    const settle = await cn(['settle', '--date', date], as('backoffice1'));
    expect(settle.code, settle.err).toBe(0);
    expect(settle.out).toMatch(new RegExp(`^run \\d+ ${date} gross: due 2, settled 2, failed 0`));
    expect(settle.err).toContain('100% 2/2');
    const list = await cn(['settlements', '--date', date], as('backoffice1'));
    // Names, not ids: the note and both parties by name; the ids stay as the last columns for scripts.
    expect(list.out.split('\n')[0]).toBe(
      'SETTLES\tNOTE\tSTATUS\tQUANTITY\tNET_AMOUNT\tBUYER\tSELLER\tFAILED_SIDE\tFAIL_AGE_BD\tFAIL_CHARGE\tTRADE_DATE\tTRADE_ID\tINSTRUCTION_ID',
    );
    expect(list.out.match(/\tsettled\t/g)).toHaveLength(2);
    expect(list.out).toMatch(/\tMeridian\/A-2\tsettled\t250000\t[\d.]+\tNorthbridge Asset Management\t/);
    expect(list.out).toMatch(/\tMeridian\/B\tsettled\t1000000\t[\d.]+\tNorthbridge Asset Management\t/);
    const byName = await cn(['settlements', '--date', date, '--party', 'northbridge', '--csv'], as('backoffice1'));
    expect(byName.code, byName.err).toBe(0);
    expect(byName.out.trim().split('\n')).toHaveLength(3);

    const dir = path.join(home, 'statements');
    const exported = await cn(['statements', '--date', date, '--out', dir], as('backoffice1'));
    expect(exported.code, exported.err).toBe(0);
    expect(exported.err).toContain('100% 4/4');
    const files = fs.readdirSync(dir);
    expect(files).toContain(`statement-Northbridge-Asset-Management-${date}.csv`);
    expect(fs.readFileSync(path.join(dir, files[0]!), 'utf8').split('\n')[0]).toBe(
      'section,reference,note_or_asset,side,quantity,amount,date,status,detail',
    );

    const recon = await cn(['recon'], as('backoffice1'));
    expect(recon).toMatchObject({ code: 0 });
    expect(recon.out).toContain('the books agree');
    expect((await cn(['recon', '--csv'], as('backoffice1'))).out.trim()).toBe('kind,entity,expected,actual,difference,message');
    expect((await cn(['recon'], as('investor1'))).code).toBe(2);
  });

  it('prints positions, statements and RFQ answers with names, decimals aligned, and CSV', async () => {
    // investor1 holds the demo's 5,000,000 A-2 bought at 100 and bought 250,000 more at 100.25 (the
    // IOC above), all settled: by hand, current face 5,250,000 × 0.9875 = 5,184,375.00; average cost
    // (5,000,000 × 100 + 250,000 × 100.25) / 5,250,000 = 100.01190476…; marked at the last trade,
    // 100.25: value 5,184,375 × 1.0025 = 5,197,335.94 and unrealized (100.25 − 100.0119047…)% of
    // 5,184,375 = 12,343.75; nothing sold, so no realized P&L.
    const table = await cn(['positions', '--table'], as('investor1'));
    expect(table.code, table.err).toBe(0);
    const lines = table.out.split('\n');
    const a2 = lines.find((l) => l.startsWith('Meridian/A-2'))!;
    expect(a2).toMatch(
      /^Meridian\/A-2\s+5,250,000\s+0\.98750000\s+5,184,375\.00\s+100\.250\s+last\s+5,197,335\.94\s+[\d,]+\.\d{2}\s+100\.0119047\d*\s+12,343\.75\s+0\.00\s/,
    );
    expect(lines.some((l) => l.startsWith('Meridian/B '))).toBe(true);
    expect(table.out).toMatch(/^total market value [\d,]+\.\d{2}, accrued/m);
    const csv = await cn(['positions', '--csv'], as('investor1'));
    const [header, ...rows] = csv.out.trim().split('\n');
    expect(header).toBe(
      'NOTE,ORIGINAL_FACE,FACTOR,CURRENT_FACE,MARK,SOURCE,MARKET_VALUE,ACCRUED,AVG_COST,UNREALIZED,REALIZED,PENDING_FACE,PENDING_CASH',
    );
    // Exact values, without separators.
    const a2Row = rows.find((r) => r.startsWith('Meridian/A-2,'))!.split(',');
    expect(a2Row.slice(0, 6)).toEqual(['Meridian/A-2', '5250000', '0.9875', '5184375', '100.25', 'last']);
    expect(a2Row[9]).toBe('12343.75');
    // The back office names the party by name.
    const other = await cn(['positions', '--party', 'Northbridge Asset Management', '--csv'], as('backoffice1'));
    expect(other.out).toBe(csv.out);

    const statement = await cn(['statement', '--table'], as('investor1'));
    expect(statement.code, statement.err).toBe(0);
    expect(statement.out).toMatch(/^Statement of Northbridge Asset Management for \d{4}-\d{2}-\d{2}$/m);
    expect(statement.out).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\s+(buy|sell)/);

    // An RFQ answered while the investor waits: the dealers by name.
    const waiting = cn(['rfq', 'sell', 'B', '100000', '--expires', '30', '--wait', '--table'], as('investor1'));
    let rfqId: string | undefined;
    for (let i = 0; i < 40 && !rfqId; i++) {
      const open = JSON.parse((await cn(['rfqs', '--status', 'open', '--json'], as('dealer1'))).out) as { id: string; side: string }[];
      rfqId = open.find((r) => r.side === 'sell')?.id;
    }
    expect(rfqId).toBeDefined();
    expect((await cn(['rfq-answer', rfqId!, '99.5'], as('dealer1'))).code).toBe(0);
    expect((await cn(['rfq-answer', rfqId!, '99.375'], as('dealer2'))).code).toBe(0);
    const answers = await waiting;
    expect(answers.code, answers.err).toBe(0);
    const dealers = JSON.parse((await cn(['parties', '--json'], as('backoffice1'))).out) as { name: string; kind: string }[];
    for (const dealer of dealers.filter((p) => p.kind === 'dealer')) {
      expect(answers.out).toContain(dealer.name);
      expect(answers.err).toContain(`answer from ${dealer.name}`);
    }
  }, 180_000);
});
