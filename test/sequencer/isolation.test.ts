/**
 * Command isolation in the sequencer (issue 14, item 2b): a command that throws something other
 * than a rejection — a defect — is undone and rejected alone with COMMAND_FAILED; the other
 * commands of its batch commit with the results they would have had without it, and the state is
 * not rebuilt.
 *
 * The property: two services on two fresh databases get the same random stream of orders and
 * cancels, each stream submitted in one tick so that it runs as one batch; the second also gets
 * poison commands interleaved, which change parts of the state (race guards, holds, live orders,
 * the batch's orders and events) and then throw. Every other command must answer the same on both
 * (status, quantities, fills, rejection codes), and the books, available balances and stored
 * holds must be equal afterwards. On the code before isolation a poison command failed its whole
 * batch: every order answered 503 UNAVAILABLE and the state was rebuilt.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, httpStatusOf } from '../../server/api/errors.js';
import { Decimal } from '../../server/domain/decimal.js';
import { CASH_ASSET } from '../../server/ledger/types.js';
import { cancelOrder, placeOrder, type PlaceOrderInput } from '../../server/sequencer/orders.js';
import type { TradingState } from '../../server/sequencer/state.js';
import { startTestService, type TestService } from '../support/service.js';

let clean: TestService;
let poisoned: TestService;

beforeAll(async () => {
  [clean, poisoned] = await Promise.all([startTestService(), startTestService()]);
}, 120_000);
afterAll(async () => Promise.all([clean?.close(), poisoned?.close()]));

/** Party ids and note ids differ between the two databases; commands name them by index. */
async function directory(t: TestService) {
  const users: { username: string; party_id: string }[] = await t.database
    .knex('users')
    .whereIn('username', ['investor1', 'investor2', 'dealer1', 'dealer2'])
    .orderBy('username')
    .select('username', 'party_id');
  const notes: { id: string; class_name: string }[] = await t.database
    .knex('notes')
    .whereIn('class_name', ['A-2', 'B', 'C'])
    .orderBy('class_name')
    .select('id', 'class_name');
  return { parties: users.map((u) => u.party_id), notes: notes.map((n) => n.id) };
}

type Command =
  | { kind: 'place'; party: number; note: number; side: 'buy' | 'sell'; priceTicks: number; lots: number; tif: 'GTC' | 'IOC' }
  | { kind: 'cancel'; party: number; target: number }
  | { kind: 'poison'; variant: number; party: number; note: number };

const placeArb = fc.record({
  kind: fc.constant('place' as const),
  party: fc.integer({ min: 0, max: 3 }),
  note: fc.integer({ min: 0, max: 2 }),
  side: fc.constantFrom('buy' as const, 'sell' as const),
  priceTicks: fc.integer({ min: 0, max: 8 }),
  lots: fc.integer({ min: 1, max: 5 }),
  tif: fc.constantFrom('GTC' as const, 'IOC' as const),
});
const cancelArb = fc.record({ kind: fc.constant('cancel' as const), party: fc.integer({ min: 0, max: 3 }), target: fc.nat(60) });
const poisonArb = fc.record({
  kind: fc.constant('poison' as const),
  variant: fc.integer({ min: 0, max: 3 }),
  party: fc.integer({ min: 0, max: 3 }),
  note: fc.integer({ min: 0, max: 2 }),
});
const streamArb = fc.array(
  fc.oneof({ weight: 6, arbitrary: placeArb }, { weight: 2, arbitrary: cancelArb }, { weight: 2, arbitrary: poisonArb }),
  { minLength: 5, maxLength: 40 },
);

let round = 0;

/** The job of one command; placed orders record their id by stream position for later cancels. */
function job(command: Command, index: number, dir: { parties: string[]; notes: string[] }, placed: Map<number, string>) {
  const partyId = dir.parties[command.party]!;
  return (state: TradingState) => {
    if (command.kind === 'place') {
      const input: PlaceOrderInput = {
        partyId,
        noteId: dir.notes[command.note]!,
        clOrdId: `iso-${round}-${index}`,
        requestHash: 'h',
        side: command.side,
        type: 'limit',
        // Around 99 in steps of an eighth, on the tick of every demo note.
        price: new Decimal(98.5).plus(new Decimal(command.priceTicks).div(8)),
        quantity: new Decimal(100_000).mul(command.lots),
        timeInForce: command.tif,
        expireAt: null,
        postOnly: false,
        stpMode: 'cancel_newest',
      };
      const result = placeOrder(state, input);
      placed.set(index, result.order.id);
      return result;
    }
    if (command.kind === 'cancel') {
      const target = [...placed.entries()].find(([i]) => i === command.target)?.[1] ?? '00000000-0000-4000-8000-000000000000';
      return cancelOrder(state, partyId, target);
    }
    return poison(state, command, index, dir);
  };
}

/** Changes some of the state, then throws as a defect would. */
function poison(
  state: TradingState,
  command: Extract<Command, { kind: 'poison' }>,
  index: number,
  dir: { parties: string[]; notes: string[] },
): never {
  const partyId = dir.parties[command.party]!;
  const noteId = dir.notes[command.note]!;
  switch (command.variant) {
    case 0:
      // A real order whose expiry blows up after its hold is opened and it is live, before the engine sees it.
      placeOrder(state, {
        partyId,
        noteId,
        clOrdId: `poison-${round}-${index}`,
        requestHash: 'p',
        side: 'sell',
        type: 'limit',
        price: new Decimal(99),
        quantity: new Decimal(100_000),
        timeInForce: 'GTD',
        expireAt: {
          getTime: () => {
            throw new TypeError('poison: expiry');
          },
        } as unknown as Date,
        postOnly: false,
        stpMode: 'cancel_newest',
      });
      throw new Error('unreachable');
    case 1:
      state.accounts.open(`poison:${round}:${index}`, partyId, CASH_ASSET, new Decimal(1));
      state.clOrdIds.set(`poison-${round}-${index}`, { orderId: 'x', requestHash: 'y' });
      state.cashKeys.set(`poison-${round}-${index}`, 'z');
      throw new RangeError('poison: after a hold');
    case 2: {
      // Resize every hold of the party, then throw.
      for (const hold of state.accounts.holds.values())
        if (hold.partyId === partyId && hold.remaining.gt(0)) state.accounts.resize(hold.reference, new Decimal(0));
      state.currentBatch().events.push({ type: 'accepted' } as never);
      throw new Error('poison: after resizing holds');
    }
    default:
      // A 31-digit quantity straight into the sequencer, past the edge: a rejection now, never a throw;
      // then a throw, so that the command is still poison.
      try {
        placeOrder(state, {
          partyId,
          noteId,
          clOrdId: `poison-${round}-${index}`,
          requestHash: 'p',
          side: 'buy',
          type: 'limit',
          price: new Decimal(`1${'0'.repeat(30)}`),
          quantity: new Decimal(`1${'0'.repeat(30)}`),
          timeInForce: 'GTC',
          expireAt: null,
          postOnly: false,
          stpMode: 'cancel_newest',
        });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
      }
      throw new TypeError('poison: after a rejected giant order');
  }
}

/** A command's answer without the ids and times that differ between the two databases. */
function outcome(settled: PromiseSettledResult<unknown>) {
  if (settled.status === 'rejected') {
    const error = settled.reason as ApiError;
    return { error: error.code ?? String(error), status: (error.details?.order as { status?: string } | undefined)?.status };
  }
  const value = settled.value as { order?: Record<string, unknown>; fills?: Record<string, unknown>[]; status?: string } & Record<
    string,
    unknown
  >;
  const order = (value.order ?? value) as Record<string, unknown>;
  const pick = (o: Record<string, unknown>) => ({
    side: o.side,
    price: o.price,
    quantity: o.quantity,
    status: o.status,
    filled: o.filledQuantity,
    leaves: o.leavesQuantity,
    cancelled: o.cancelledQuantity,
  });
  return {
    order: pick(order),
    fills: (value.fills ?? []).map((f) => ({
      side: f.side,
      price: f.price,
      quantity: f.quantity,
      liquidity: f.liquidity,
      principal: f.principal,
      netAmount: f.netAmount,
    })),
  };
}

async function run(t: TestService, stream: readonly Command[], withPoison: boolean) {
  const dir = await directory(t);
  const placed = new Map<number, string>();
  const sequencer = t.service.services.sequencer!;
  // One tick: the whole stream is looked up together and runs as one batch.
  const answers = stream.map((command, index) =>
    command.kind === 'poison' && !withPoison ? null : sequencer.execute(job(command, index, dir, placed)),
  );
  const settled = await Promise.allSettled(answers.map((a) => a ?? Promise.resolve(null)));
  await sequencer.idle();
  return { dir, settled };
}

async function snapshot(t: TestService, dir: { parties: string[]; notes: string[] }) {
  const sequencer = t.service.services.sequencer!;
  const memory = sequencer.view((state) => ({
    books: dir.notes.map((noteId) => ({ bids: state.engine.level2(noteId, 'buy'), asks: state.engine.level2(noteId, 'sell') })),
    available: dir.parties.map((partyId) => [CASH_ASSET, ...dir.notes].map((asset) => state.accounts.available(partyId, asset).toFixed())),
    live: state.liveOrders.size,
  }));
  const stored = await Promise.all(
    dir.parties.map(async (partyId) => {
      const rows: { asset: string; total: string; held: string }[] = await t.database
        .knex('ledger_accounts')
        .where({ party_id: partyId })
        .select('asset', 'total', 'held');
      const byAsset = new Map(rows.map((r) => [r.asset, r]));
      return [CASH_ASSET, ...dir.notes].map((asset) => {
        const row = byAsset.get(asset);
        return row ? [new Decimal(row.total).toFixed(), new Decimal(row.held).toFixed()] : null;
      });
    }),
  );
  return { memory, stored };
}

describe('a command that throws is rejected alone', () => {
  it('gives every other command of a random stream the same answer as the stream without the poison commands', async () => {
    await fc.assert(
      fc.asyncProperty(streamArb, async (stream) => {
        round += 1;
        const [a, b] = await Promise.all([run(clean, stream, false), run(poisoned, stream, true)]);
        stream.forEach((command, i) => {
          if (command.kind === 'poison') {
            expect(b.settled[i]!.status).toBe('rejected');
            expect(((b.settled[i] as PromiseRejectedResult).reason as ApiError).code).toBe('COMMAND_FAILED');
            return;
          }
          expect(outcome(b.settled[i]!), `command ${i} ${JSON.stringify(command)}`).toEqual(outcome(a.settled[i]!));
          // Never the whole batch's failure.
          expect(outcome(b.settled[i]!).error).not.toBe('UNAVAILABLE');
        });
        expect(await snapshot(poisoned, b.dir)).toEqual(await snapshot(clean, a.dir));
      }),
      { seed: 20_261_206, numRuns: 25 },
    );
  }, 120_000);

  it('does not rebuild the state: the sequencer keeps the same in-memory state object across a poison command', async () => {
    const sequencer = poisoned.service.services.sequencer!;
    const before = sequencer.view((state) => state);
    const refusal = await sequencer
      .execute(() => {
        throw new TypeError('poison');
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(refusal).toBeInstanceOf(ApiError);
    expect(refusal).toMatchObject({ code: 'COMMAND_FAILED' });
    expect(httpStatusOf(refusal as ApiError)).toBe(422);
    await sequencer.idle();
    expect(sequencer.view((state) => state)).toBe(before);
  });
});
