/**
 * The service's side of the bus's request/reply: snapshots for gateways (a channel's state with
 * the seq of the last message it includes; RFQs, settlements and balances from the private-feed
 * publisher's lanes, party-publisher.ts, with the limits the in-process feeds use), the listed notes, and order entry forwarded by
 * gateways (the same functions /ws order entry runs in the service, answered with the same reply).
 *
 * Guarantees: a snapshot's seq is consistent with the stream (BusPublisher.snapshot): the state
 * shows exactly the channel's messages up to that seq. Database snapshots (tape, executions) are
 * bounded by the boundary's sequence number, so a trade committed after it is not in the snapshot
 * but in a message after its seq.
 * Trust: the principal of forwarded order entry is the one the gateway verified from the JWT; the
 * NATS account is therefore part of the trust boundary (see README: NATS_URL with credentials).
 */
import type { Msg, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { Decimal } from '../domain/decimal.js';
import type { Principal } from '../auth/tokens.js';
import { executionFor, orderToApi, tradeFromRow } from '../sequencer/records.js';
import type { AppServices } from '../services.js';
import { pullAllQuotes } from '../trading/order-entry.js';
import { disseminatedSize, tradeAdjustments } from '../trading/queries.js';
import { noteQuotes } from '../ws/feeds/quotes.js';
import { openRfqs } from '../ws/open-rfqs.js';
import { runOrderEntry, type OrderEntryMessage } from '../ws/order-ops.js';
import type { Bus } from './connection.js';
import type { BusPublisher } from './publisher.js';
import type { PartyPublisher } from './party-publisher.js';
import { openInstructions } from './party-reads.js';
import {
  BUS_KINDS,
  NOTE_KINDS,
  RPC_NOTES,
  RPC_ORDER_ENTRY,
  RPC_PULL_QUOTES,
  RPC_SNAPSHOT,
  type SnapshotReply,
  type SnapshotRequest,
} from './subjects.js';

const KINDS: ReadonlySet<string> = new Set(BUS_KINDS);

export interface ResponderLimits {
  recentMax: number;
  rfqSnapshotMax: number;
  settlementSnapshotMax: number;
}

export function startResponder(
  bus: Bus,
  publisher: BusPublisher,
  party: PartyPublisher,
  services: AppServices,
  options: ResponderLimits,
): () => void {
  const sequencer = services.sequencer;
  if (!sequencer) throw new Error('the bus responder needs the sequencer');
  const logger: Logger = services.logger;
  const subscriptions: Subscription[] = [];
  const serve = (subject: string, handle: (body: unknown) => Promise<unknown>) => {
    subscriptions.push(
      bus.nc.subscribe(subject, {
        callback: (error, msg: Msg) => {
          if (error) return;
          let body: unknown;
          try {
            body = msg.json();
          } catch {
            msg.respond(JSON.stringify({ ok: false, code: 'VALIDATION_FAILED', message: 'the request must be JSON' }));
            return;
          }
          handle(body).then(
            (reply) => msg.respond(JSON.stringify(reply)),
            (err: unknown) => {
              logger.error({ err, subject }, 'a bus request failed');
              msg.respond(JSON.stringify({ ok: false, code: 'INTERNAL', message: 'internal error' }));
            },
          );
        },
      }),
    );
  };

  serve(RPC_NOTES, async () => ({ ok: true, notes: sequencer.view((state) => [...state.instruments.keys()]) }));

  serve(RPC_SNAPSHOT, async (body): Promise<SnapshotReply> => {
    const request = body as Partial<SnapshotRequest>;
    if (typeof request.kind !== 'string' || !KINDS.has(request.kind) || typeof request.key !== 'string') {
      return { ok: false, code: 'VALIDATION_FAILED', message: 'a snapshot request is {kind, key}' };
    }
    const { kind, key } = request as SnapshotRequest;
    if (NOTE_KINDS.has(kind) && !sequencer.view((state) => state.instruments.has(key))) {
      return { ok: false, code: 'NOTE_NOT_FOUND', message: `note ${key} is not listed for trading` };
    }
    switch (kind) {
      case 'book':
        return { ok: true, ...(await publisher.snapshot(kind, key, (state) => ({ levels: publisher.bookLevels(state, key) }))) };
      case 'quotes':
        return { ok: true, ...(await publisher.snapshot(kind, key, (state) => noteQuotes(state, key))) };
      case 'orders':
        return {
          ok: true,
          ...(await publisher.snapshot(kind, key, (state) => ({
            items: [...state.liveOrders.values()].filter((o) => o.partyId === key).map(orderToApi),
          }))),
        };
      case 'trades': {
        const at = await publisher.snapshot(kind, key, (state) => state.instruments.get(key)?.note.disseminationCap);
        const rows: Record<string, unknown>[] = await services
          .knex('trades')
          .where({ note_id: key })
          .andWhere('seq', '<=', at.batch)
          .orderBy([
            { column: 'seq', order: 'desc' },
            { column: 'id', order: 'desc' },
          ])
          .limit(options.recentMax)
          .select('*');
        const cap = at.data;
        const items = rows.map(tradeFromRow).map((t) => ({
          id: t.id,
          noteId: t.noteId,
          price: t.price.toFixed(),
          quantity: cap ? disseminatedSize(t.quantity, new Decimal(cap)) : t.quantity.toFixed(),
          executedAt: t.executedAt.toISOString(),
        }));
        return { ok: true, seq: at.seq, batch: at.batch, data: { items } };
      }
      case 'executions': {
        const at = await publisher.snapshot(kind, key, () => null);
        const rows: Record<string, unknown>[] = await services
          .knex('trades')
          .where((q) => q.where({ buyer_party_id: key }).orWhere({ seller_party_id: key }))
          .andWhere('seq', '<=', at.batch)
          .orderBy([
            { column: 'executed_at', order: 'desc' },
            { column: 'seq', order: 'desc' },
            { column: 'id', order: 'desc' },
          ])
          .limit(options.recentMax)
          .select('*');
        const adjustments = await tradeAdjustments(
          services.knex,
          rows.map((r) => String(r.id)),
        );
        const items = rows.map(tradeFromRow).map((t) => executionFor(t, key, adjustments.get(t.id) ?? null));
        return { ok: true, seq: at.seq, batch: at.batch, data: { items } };
      }
      case 'rfqs': {
        const role = request.role === 'investor' ? 'investor' : 'dealer';
        const principal = { partyId: key, userId: '', roles: [role] } as unknown as Principal;
        return {
          ok: true,
          ...(await party.snapshot(kind, key, async () => ({
            items: await openRfqs(services.knex, principal, options.rfqSnapshotMax, services.clock.now()),
          }))),
        };
      }
      case 'settlements':
        return {
          ok: true,
          ...(await party.snapshot(kind, key, async () => ({
            items: await openInstructions(services.knex, key, options.settlementSnapshotMax),
          }))),
        };
      case 'balances':
        return { ok: true, ...(await party.snapshot(kind, key, async () => null)) };
    }
  });

  serve(RPC_ORDER_ENTRY, async (body) => {
    const { principal, message } = body as { principal: Principal | null; message: OrderEntryMessage };
    return runOrderEntry(services, principal, message);
  });

  serve(RPC_PULL_QUOTES, async (body) => {
    const { partyId } = body as { partyId: string };
    const result = await pullAllQuotes(services, partyId);
    return { ok: true, pulled: result.quotes.length };
  });

  return () => {
    for (const subscription of subscriptions) subscription.unsubscribe();
  };
}
