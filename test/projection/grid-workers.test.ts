/**
 * POST /projections/grid on the worker pool: a large grid and other users' orders at the same time
 * both succeed, the grid's cells equal the in-thread computation, a bad cell is refused with the
 * cell's field named as in the request thread; the pool's limits (per user, queue) refuse at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, startTestService, type TestService } from '../support/service.js';
import { loadDealContext } from '../../server/projection/context.js';
import { runGrid } from '../../server/projection/service.js';
import { GridPool } from '../../server/projection/grid-pool.js';
import { gridFromTask, gridTask } from '../../server/projection/grid-task.js';
import { parseIsoDate } from '../../server/domain/dates.js';
import { Rejection } from '../../server/core/rejections.js';

let t: TestService;
let dealId: string;
let notes: Record<string, string>;
const auth = async (username: string) => ({ authorization: `Bearer ${await t.token(username)}` });

beforeAll(async () => {
  t = await startTestService({ clock: new ManualClock(new Date('2026-12-15T12:00:00Z')) });
  const deals = (await t.http.get('/api/v1/deals').set(await auth('investor1'))).body as {
    id: string;
    name: string;
    notes: { id: string; className: string }[];
  }[];
  const meridian = deals.find((d) => d.name.startsWith('Meridian'))!;
  dealId = meridian.id;
  notes = Object.fromEntries(meridian.notes.map((n) => [n.className, n.id]));
});
afterAll(async () => t.close());

const values = (from: number, step: number, n: number) => Array.from({ length: n }, (_, i) => String(from + step * i));

describe('the grid off the request thread', () => {
  it('a 600-cell grid and concurrent orders of other users both succeed; the cells equal the in-thread computation', async () => {
    const request = {
      dealId,
      noteId: notes.B,
      price: '97',
      x: { driver: 'utilizationPercent', values: values(100, -1, 30) },
      y: { driver: 'rentChangePercent', values: values(0, -2, 20) },
    };
    const grid = t.http
      .post('/api/v1/projections/grid')
      .set(await auth('investor1'))
      .send(request);
    const orders = Array.from({ length: 6 }, async (_, i) =>
      t.http
        .post('/api/v1/orders')
        .set(await auth(i % 2 === 0 ? 'investor2' : 'dealer1'))
        .send({
          clOrdId: `grid-${i}`,
          type: 'limit',
          timeInForce: 'GTC',
          noteId: notes['A-2'],
          side: i % 2 === 0 ? 'buy' : 'sell',
          price: i % 2 === 0 ? '99' : '101',
          quantity: '1000000',
        }),
    );
    const [g, ...o] = await Promise.all([grid, ...orders]);
    expect(g.status).toBe(200);
    for (const r of o) expect([r.status, r.body.error?.code]).toEqual([201, undefined]);
    expect(g.body.cells).toHaveLength(20);
    expect(g.body.cells[0]).toHaveLength(30);
    // The same grid computed in this thread by the same code the workers run.
    const ctx = await loadDealContext(t.database.knex, dealId);
    const inThread = runGrid(ctx, { name: 'base' }, notes.B!, { price: '97' }, request.x, request.y, parseIsoDate(g.body.settlementDate));
    expect(g.body).toEqual(JSON.parse(JSON.stringify(inThread)));
  }, 120_000);

  it('a bad cell is refused with its field named, as in the request thread', async () => {
    const res = await t.http
      .post('/api/v1/projections/grid')
      .set(await auth('investor1'))
      .send({
        dealId,
        noteId: notes.C,
        price: '92',
        x: { driver: 'utilizationPercent', values: ['90', '130'] },
        y: { driver: 'rentChangePercent', values: ['0'] },
      });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_SCENARIO', details: { field: 'cell[0][1].utilizationPercent' } });
  });
});

describe('the pool refuses at once when full', () => {
  it('per user (429 RATE_LIMITED) and when the queue is full (503 GRID_QUEUE_FULL), and runs what it accepted', async () => {
    const ctx = await loadDealContext(t.database.knex, dealId);
    const task = gridTask(ctx, {
      base: { name: 'base' },
      noteId: notes.C!,
      at: { price: '95' },
      x: { driver: 'utilizationPercent', values: ['95', '80'] },
      y: { driver: 'rentChangePercent', values: ['0', '-10'] },
      settlement: '2026-12-16',
    });
    const pool = new GridPool(1, 1, 2);
    try {
      const first = pool.run('u1', task); // runs
      const second = pool.run('u2', task); // queued (queue of 1)
      const refuse = (fn: () => unknown) => {
        try {
          fn();
        } catch (error) {
          return error as Rejection;
        }
        return null;
      };
      expect(refuse(() => pool.run('u3', task))).toMatchObject({ code: 'GRID_QUEUE_FULL', kind: 'unavailable' });
      // u1 has one grid running, under its limit of 2, but the queue is full: refused too.
      expect(refuse(() => pool.run('u1', task))).toBeInstanceOf(Rejection);
      const [a, b] = await Promise.all([first, second]);
      expect(a).toEqual(gridFromTask(task));
      expect(b).toEqual(a);
      const perUser = new GridPool(2, 10, 1);
      try {
        const running = perUser.run('u1', task);
        expect(refuse(() => perUser.run('u1', task))).toMatchObject({ code: 'RATE_LIMITED', kind: 'rate_limited' });
        await running;
      } finally {
        await perUser.close();
      }
    } finally {
      await pool.close();
    }
  }, 120_000);
});
