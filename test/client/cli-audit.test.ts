/**
 * `cn audit`, `cn runs` and `cn checklist` as the real binary against the real service, and the
 * SDK's audit paging: an operator halts a note and the back office moves cash, runs settlement over
 * a fail made on purpose; the trail shows them by name (table), exactly (--json, --csv), filtered;
 * the run history shows the fail's 98,000.00 and a total; the checklist names what is open.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComputeNotesClient } from '../../client/sdk/index.js';
import { DEMO_PASSWORD, startTestService, type TestService } from '../support/service.js';
import { runCn, type CliResult } from '../support/cli.js';

let t: TestService;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cn-audit-home-'));
let noteB = '';
let businessDate = '';

function cn(args: string[], user: string): Promise<CliResult> {
  return runCn(args, { url: t.url, configDir: path.join(home, user) });
}

async function client(username: string): Promise<ComputeNotesClient> {
  const c = new ComputeNotesClient({ baseUrl: t.url });
  await c.login(username, DEMO_PASSWORD);
  return c;
}

beforeAll(async () => {
  t = await startTestService();
  await Promise.all(['investor1', 'backoffice1', 'operator1'].map((user) => cn(['login', '--user', user, '--password', 'demo'], user)));
  const operator = await client('operator1');
  const backoffice = await client('backoffice1');
  const notes = await operator.notes();
  noteB = notes.find((n) => n.className === 'B')!.id;
  const noteC = notes.find((n) => n.className === 'C')!.id;
  businessDate = (await backoffice.businessDate()).businessDate;
  const parties = await backoffice.parties();
  const party = (name: string) => parties.find((p) => p.name.startsWith(name))!.id;
  await operator.haltNote(noteB);
  await operator.resumeNote(noteB);
  await backoffice.deposit({ partyId: party('Northbridge'), amount: '1234.50', reference: 'cli-audit-1' });
  // A trade whose seller has no C: it fails. 100,000 face at 98 with no accrued = 98,000.00.
  const partyOf = async (username: string) =>
    (await new ComputeNotesClient({ baseUrl: t.url }).login(username, DEMO_PASSWORD)).user.partyId;
  const investor1 = await partyOf('investor1');
  const investor2 = await partyOf('investor2');
  await t.database.knex('trades').insert({
    id: 'CLI-AUDIT-FAIL',
    note_id: noteC,
    price: '98',
    quantity: '100000',
    factor: '1',
    principal: '98000.00',
    accrued_interest: '0.00',
    net_amount: '98000.00',
    buyer_party_id: investor1,
    seller_party_id: investor2,
    maker_side: 'buy',
    venue: 'clob',
    trade_date: businessDate,
    settlement_date: businessDate,
    buyer_hold_reference: 'trade:CLI-AUDIT-FAIL:buyer',
    seller_hold_reference: 'trade:CLI-AUDIT-FAIL:seller',
    seq: 999_999_997,
    executed_at: new Date(),
  });
  await backoffice.runSettlement({ date: businessDate });
}, 120_000);
afterAll(async () => {
  await t?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('cn audit', () => {
  it('prints the trail newest first with names: the note as Deal/Class, the party by name', async () => {
    const result = await cn(['audit', '--table'], 'backoffice1');
    expect(result.code, result.err).toBe(0);
    const lines = result.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^AT\s+ACTOR\s+ROLE\s+ACTION\s+ENTITY\s+DETAILS$/);
    const body = lines.slice(2);
    expect(body.map((l) => l.split(/\s{2,}/)[3])).toEqual(['settlement.run', 'cash.deposit', 'note.resume', 'note.halt']);
    expect(body[3]).toMatch(/operator1\s+operator\s+note\.halt\s+note Meridian\/B\s+wasHalted=false/);
    expect(body[1]).toMatch(
      /backoffice1\s+backoffice\s+cash\.deposit\s+party Northbridge Asset Management\s+amount=1234\.50 reference=cli-audit-1/,
    );
    expect(body[0]).toContain('failedAmount=98000.00');
  });

  it('--json is the API rows; --action and --actor filter; --csv has the raw entity and its name', async () => {
    const json = JSON.parse((await cn(['audit', '--json', '--action', 'note.halt'], 'operator1')).out);
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ actor: 'operator1', role: 'operator', action: 'note.halt', entity: `note:${noteB}` });
    const byActor = JSON.parse((await cn(['audit', '--json', '--actor', 'operator1'], 'backoffice1')).out);
    expect(byActor.map((r: { action: string }) => r.action)).toEqual(['note.resume', 'note.halt']);
    const csv = (await cn(['audit', '--csv', '--actor', 'operator1'], 'backoffice1')).out.trimEnd().split('\r\n');
    expect(csv[0]).toBe('id,at,actor,role,action,entity,entityName,details');
    expect(csv).toHaveLength(3);
    expect(csv[2]).toContain(`,operator1,operator,note.halt,note:${noteB},note Meridian/B,"{""wasHalted"":false}"`);
    const none = await cn(['audit', '--from', '2000-01-01', '--to', '2000-01-02', '--table'], 'backoffice1');
    expect(none.out.trim()).toBe('no audit rows');
  });

  it('refuses bad usage with 1 and an investor with 2 (403)', async () => {
    expect((await cn(['audit', '--action', 'note.delete'], 'backoffice1')).code).toBe(1);
    expect((await cn(['audit', '--from', 'yesterday'], 'backoffice1')).code).toBe(1);
    const investor = await cn(['audit'], 'investor1');
    expect(investor.code).toBe(2);
    expect(investor.err).toContain('403 FORBIDDEN');
  });
});

describe('cn runs and cn checklist', () => {
  it('shows the run with its amounts and a total line', async () => {
    const result = await cn(['runs', '--table'], 'backoffice1');
    expect(result.code, result.err).toBe(0);
    const lines = result.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^RUN\s+DATE\s+MODE\s+STATUS\s+DUE\s+SETTLED\s+FAILED\s+SETTLED_AMOUNT\s+SETTLED_FACE\s+FAILED_AMOUNT\s+FAILED_FACE\s+BY\s+STARTED$/,
    );
    expect(lines[2]).toMatch(
      new RegExp(
        `^\\d+\\s+${businessDate}\\s+gross\\s+completed\\s+1\\s+0\\s+1\\s+0\\.00\\s+0\\s+98,000\\.00\\s+100,000\\s+backoffice1\\s`,
      ),
    );
    expect(lines[3]).toMatch(/^TOTAL\s+1\s+0\s+1\s+0\.00\s+0\s+98,000\.00\s+100,000$/);
    const csv = (await cn(['runs', '--csv', '--from', businessDate, '--to', businessDate], 'backoffice1')).out.trimEnd().split('\r\n');
    expect(csv[0]).toBe('run,date,mode,status,due,settled,failed,settledAmount,settledFace,failedAmount,failedFace,by,startedAt');
    expect(csv[1]).toMatch(new RegExp(`^\\d+,${businessDate},gross,completed,1,0,1,0\\.00,0,98000\\.00,100000,backoffice1,`));
    expect((await cn(['runs', '--from', '2027-01-02', '--to', '2027-01-01'], 'backoffice1')).code).toBe(1);
  });

  it('lists the open items before the roll', async () => {
    const result = await cn(['checklist', '--table'], 'operator1');
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain(`business date ${businessDate} → `);
    expect(result.out).toMatch(/no\s+Open fails \(retried by the next run\)\s+1\s+98,000\.00/);
    expect(result.out).toMatch(/yes\s+Settlement instructions due and not yet run\s+0\s+0\.00/);
    const json = JSON.parse((await cn(['checklist', '--json'], 'operator1')).out);
    expect(json.ready).toBe(false);
  });
});

describe('the SDK', () => {
  it('follows every page of the trail: auditAll in pages of 1 equals one page of all', async () => {
    const c = await client('backoffice1');
    const all = await c.audit({ limit: 1000 });
    expect(all).toHaveLength(4);
    expect(await c.auditAll({}, { pageSize: 1 })).toEqual(all);
    expect(await c.auditAll({ actor: 'operator1' }, { pageSize: 1 })).toEqual(all.filter((r) => r.actor === 'operator1'));
    const checklist = await c.preRollChecklist();
    expect(checklist.items.find((i) => i.key === 'open_fails')).toMatchObject({ count: 1, amount: '98000.00' });
    const [run] = await c.settlementRuns({ from: businessDate, to: businessDate });
    expect(run).toMatchObject({ failed: 1, failedAmount: '98000.00', failedFace: '100000', createdBy: 'backoffice1' });
  });
});
