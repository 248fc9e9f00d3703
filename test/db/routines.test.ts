/**
 * The routine step (server/db/routines.ts): routine texts live in one .sql file each and are
 * applied after the migrations when their text changed.
 *
 * The upgrade check builds a database at the last release's schema the way 1ef1667 built it (the
 * migrations alone, which still define every routine), gives it data, then runs today's path
 * (migrations, then routines) and compares it with a fresh database given the same data: schema
 * (information_schema and pg_catalog), routine definitions (pg_get_functiondef) and data.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../server/db/connection.js';
import { applyRoutines, readRoutines, ROUTINES } from '../../server/db/routines.js';
import { Decimal } from '../../server/domain/decimal.js';
import { applyHoldBatch, postEntry } from '../../server/ledger/index.js';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from '../support/db.js';

/**
 * Routines whose file text was changed on purpose since the release whose migrations last defined
 * them (1ef1667): none — extracting them into files changed no definition. A later change to a
 * routine's file lists its name here.
 */
const CHANGED_SINCE_RELEASE: readonly string[] = ['settlement_settle_chunk', 'settlement_decide_uncovered'];

const PARTY = '5b0d7c1e-3f4a-4c2b-9d8e-1a2b3c4d5e6f';

/** The same data, through the routines: a party, a deposit, a hold opened on it. */
async function workload(knex: Knex): Promise<void> {
  await knex('parties').insert({ id: PARTY, name: 'Upgrade Fund', kind: 'investor', eligible: true });
  await knex.transaction(async (trx) => {
    await postEntry(trx, {
      idempotencyKey: 'upgrade-deposit',
      kind: 'cash_deposit',
      description: 'deposit before the upgrade',
      businessDate: '2026-11-23',
      postings: [
        { account: { partyId: PARTY, asset: 'USD' }, amount: new Decimal('1000.25') },
        { account: { systemCode: 'external-cash', asset: 'USD' }, amount: new Decimal('-1000.25') },
      ],
    });
    await applyHoldBatch(
      trx,
      [
        {
          reference: 'upgrade-hold',
          account: { partyId: PARTY, asset: 'USD' },
          amount: new Decimal('250.5'),
          remaining: new Decimal('250.5'),
          closedAs: 'released',
        },
      ],
      [],
    );
  });
}

async function rows(knex: Knex, sql: string): Promise<Record<string, unknown>[]> {
  return ((await knex.raw(sql)) as { rows: Record<string, unknown>[] }).rows;
}

async function routineDefinitions(knex: Knex): Promise<Record<string, unknown>[]> {
  return rows(
    knex,
    `select p.proname, pg_get_functiondef(p.oid) as definition from pg_proc p where p.pronamespace = 'public'::regnamespace order by 1`,
  );
}

/** The schema as the catalogs describe it. */
async function schema(knex: Knex): Promise<Record<string, unknown>> {
  return {
    columns: await rows(
      knex,
      `select table_name, column_name, ordinal_position, data_type, udt_name, is_nullable, column_default, numeric_precision, numeric_scale
                                 from information_schema.columns where table_schema = 'public' order by 1, 3`,
    ),
    constraints: await rows(
      knex,
      `select conrelid::regclass::text as relation, conname, contype, condeferrable, condeferred, pg_get_constraintdef(oid) as definition
                                     from pg_constraint where connamespace = 'public'::regnamespace order by 1, 2`,
    ),
    indexes: await rows(knex, `select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by 1, 2`),
    triggers: await rows(
      knex,
      `select tgrelid::regclass::text as relation, tgname, tgenabled, pg_get_triggerdef(oid) as definition
                                  from pg_trigger where not tgisinternal order by 1, 2`,
    ),
    sequences: await rows(
      knex,
      `select sequencename, data_type::text, start_value, increment_by, last_value from pg_sequences where schemaname = 'public' order by 1`,
    ),
    views: await rows(knex, `select viewname, definition from pg_views where schemaname = 'public' order by 1`),
    extensions: await rows(knex, `select extname from pg_extension order by 1`),
    routines: await routineDefinitions(knex),
  };
}

/** Every table's rows, as sorted JSON texts, without timestamps (they record when, not what). */
async function data(knex: Knex): Promise<Record<string, string[]>> {
  const columns = await rows(
    knex,
    `select table_name, string_agg(quote_ident(column_name), ', ' order by ordinal_position) as names
                                      from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
                                     where table_schema = 'public' and t.table_type = 'BASE TABLE' and data_type <> 'timestamp with time zone'
                                     group by 1 order by 1`,
  );
  const result: Record<string, string[]> = {};
  for (const { table_name: table, names } of columns as { table_name: string; names: string }[]) {
    const texts = await rows(knex, `select row_to_json(t)::text as row from (select ${names} from ${table}) t`);
    result[table] = texts.map((r) => r.row as string).sort();
  }
  return result;
}

describe('routine files', () => {
  it('each file defines the routine it is named after, once, and names only routines listed before it', () => {
    const texts = readRoutines();
    expect(new Set(texts.map((r) => r.name)).size).toBe(texts.length);
    texts.forEach((routine, index) => {
      expect(path.basename(routine.file, '.sql')).toBe(routine.name);
      const creates = [...routine.text.matchAll(/create or replace function (\w+)\(/g)].map((m) => m[1]);
      expect(creates, routine.name).toEqual([routine.name]);
      const later = texts.slice(index + 1).filter((other) => new RegExp(`\\b${other.name}\\b`).test(routine.text));
      expect(
        later.map((r) => r.name),
        `${routine.name} names routines listed after it`,
      ).toEqual([]);
    });
  });

  it('lists every .sql file under server/ and every routine of a migrated database', async () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.sql')) files.push(path.relative('server', full));
      }
    };
    walk('server');
    expect(files.sort()).toEqual(ROUTINES.map((r) => r.file).sort());
    const db = await createTestDatabase();
    try {
      const names = (await routineDefinitions(db.knex)).map((r) => r.proname);
      expect(names).toEqual(ROUTINES.map((r) => r.name).sort());
    } finally {
      await db.close();
    }
  });
});

describe('upgrading in place', () => {
  let release: TestDatabase;
  let fresh: TestDatabase;
  // Two databases from scratch (on PGlite each runs initdb): allow for a loaded machine.
  beforeAll(async () => {
    release = await createEmptyDatabase();
    fresh = await createEmptyDatabase();
  }, 600_000);
  afterAll(async () => Promise.all([release?.close(), fresh?.close()]));

  it('brings a database at the last release to exactly what a fresh database is: schema, routines and data', async () => {
    // The last release's path: the migrations alone, which define every routine.
    await release.knex.migrate.latest();
    const releaseRoutines = await routineDefinitions(release.knex);
    await workload(release.knex);

    // Today's path on it: nothing left to migrate, every routine applied (no hashes recorded yet).
    expect(await migrateToLatest(release.knex)).toEqual(ROUTINES.map((r) => `routine ${r.name}`));
    await migrateToLatest(fresh.knex);
    await workload(fresh.knex);

    expect(await schema(release.knex)).toEqual(await schema(fresh.knex));
    expect(await data(release.knex)).toEqual(await data(fresh.knex));

    const unchanged = (list: Record<string, unknown>[]) => list.filter((r) => !CHANGED_SINCE_RELEASE.includes(r.proname as string));
    expect(unchanged(await routineDefinitions(fresh.knex))).toEqual(unchanged(releaseRoutines));

    // Up to date: the next start applies nothing.
    expect(await migrateToLatest(release.knex)).toEqual([]);
  }, 600_000);
});

describe('applying routines', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-routines-'));
  });
  afterAll(async () => {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const write = (name: string, text: string) => {
    fs.writeFileSync(path.join(dir, `${name}.sql`), text);
    return { name, file: path.join(dir, `${name}.sql`) };
  };
  const answer = async (name: string) => (await rows(db.knex, `select ${name}() as value`))[0]?.value;
  const recorded = async (name: string) => (await db.knex('schema_routines').where({ name }).first())?.sha256 as string | undefined;

  it('applies a routine when its text changed, and only then', async () => {
    const first = write('cnx_test_answer', `create or replace function cnx_test_answer() returns int language sql as $$ select 1 $$;\n`);
    expect(await applyRoutines(db.knex, [first])).toEqual(['cnx_test_answer']);
    expect(await applyRoutines(db.knex, [first])).toEqual([]);
    expect(await answer('cnx_test_answer')).toBe(1);

    const second = write('cnx_test_answer', `create or replace function cnx_test_answer() returns int language sql as $$ select 2 $$;\n`);
    expect(await applyRoutines(db.knex, [second])).toEqual(['cnx_test_answer']);
    expect(await answer('cnx_test_answer')).toBe(2);
    expect(await recorded('cnx_test_answer')).toBe(readRoutines([second])[0]!.sha256);
  });

  it('applies all or nothing: a failing routine leaves every previous text and hash in place', async () => {
    const good = write('cnx_test_first', `create or replace function cnx_test_first() returns int language sql as $$ select 10 $$;\n`);
    expect(await applyRoutines(db.knex, [good])).toEqual(['cnx_test_first']);
    const hash = await recorded('cnx_test_first');

    const changed = write('cnx_test_first', `create or replace function cnx_test_first() returns int language sql as $$ select 11 $$;\n`);
    const broken = write(
      'cnx_test_broken',
      `create or replace function cnx_test_broken() returns int language sql as $$ select from nowhere $$;\n`,
    );
    await expect(applyRoutines(db.knex, [changed, broken])).rejects.toThrow();
    expect(await answer('cnx_test_first')).toBe(10);
    expect(await recorded('cnx_test_first')).toBe(hash);
    expect(await recorded('cnx_test_broken')).toBeUndefined();
  });
});
