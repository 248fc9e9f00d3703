/**
 * The publisher's exactly-once promise across a crash between commit and publish, with a real
 * nats-server and the real service restarted on the same database:
 * - the publisher "crashes" after storing part of a batch (some channels of it published, others
 *   not), while more batches commit and are never published;
 * - the restarted service recovers from the database: the stream then holds every trade of the
 *   tape exactly once, in commit order, on each note's tape and each party's executions, with
 *   channel seqs 1, 2, 3, … without a gap, and each order's last message shows its stored state;
 * - a gateway client subscribed throughout ends with the database's tape, each trade once;
 * - a further restart with nothing new publishes no trade again.
 * The expected values are the database's own rows (an independent read, not the publisher's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { pino } from 'pino';
import { startService, type RunningService } from '../../server/bootstrap.js';
import type { RunningGateway } from '../../server/bus/gateway-server.js';
import { channelSubject, type BusMessage } from '../../server/bus/subjects.js';
import type { Config } from '../../server/config.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { natsServerAvailable, NatsServer } from '../support/nats.js';
import { Probe, type Message } from '../ws/support.js';
import { startTestGateway, storedMessages, until, updatesAfterSnapshot } from './support.js';

const available = natsServerAvailable();

describe.skipIf(!available)('publisher: a crash between commit and publish', () => {
  let nats: NatsServer;
  let database: TestDatabase;
  let config: Config;
  let service: RunningService | null = null;
  let gateway: RunningGateway | null = null;
  let counter = 0;

  beforeAll(async () => {
    nats = await NatsServer.start();
    database = await createTestDatabase();
    config = {
      port: 0,
      host: '127.0.0.1',
      dataDir: '/tmp/cnx-bus-publisher-unused',
      databaseUrl: null,
      jwtSecret: 'bus-publisher-test-secret-bus-publisher-test',
      logLevel: 'silent',
      seedDemo: true,
      demoPassword: 'demo',
      natsUrl: nats.url,
    };
  }, 30_000);

  afterAll(async () => {
    await gateway?.close().catch(() => undefined);
    await service?.close().catch(() => undefined);
    await database?.close();
    await nats?.close();
  });

  const start = () => startService({ config, logger: pino({ level: 'silent' }), database });

  async function login(s: RunningService, username: string): Promise<{ token: string; partyId: string }> {
    const response = await request(s.server).post('/api/v1/auth/token').send({ username, password: 'demo' });
    return { token: response.body.token, partyId: response.body.user.partyId };
  }

  async function place(s: RunningService, username: string, order: Record<string, unknown>) {
    counter += 1;
    const { token } = await login(s, username);
    const response = await request(s.server)
      .post('/api/v1/orders')
      .set({ authorization: `Bearer ${token}` })
      .send({ clOrdId: `crash-${counter}`, type: 'limit', timeInForce: 'GTC', quantity: '100000', ...order });
    expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
  }

  async function cross(s: RunningService, noteId: string, price: string) {
    await place(s, 'dealer1', { noteId, side: 'sell', price });
    await place(s, 'investor1', { noteId, side: 'buy', price });
  }

  /** The items of every message on the subject, in order, and the channel seqs of those messages. */
  async function stored(subject: string): Promise<{ ids: string[]; seqs: number[]; messages: BusMessage[] }> {
    const messages = await storedMessages(nats.url, subject);
    const ids = messages.flatMap((m) => ((m.data as { items: Message[] }).items ?? []).map((i) => String(i.tradeId ?? i.id)));
    return { ids, seqs: messages.map((m) => m.seq), messages };
  }

  it('republishes the missing events exactly once on restart, in commit order', async () => {
    service = await start();
    const noteId = (await database.knex('notes').where({ class_name: 'B' }).first('id')).id as string;
    const investor = (await login(service, 'investor1')).partyId;
    gateway = await startTestGateway(nats.url, config.jwtSecret!);
    const probe = await Probe.open(gateway.wsUrl);
    probe.send({ op: 'subscribe', channels: [`trades:${noteId}`] });
    await probe.waitFor((m) => m.type === 'snapshot');

    await cross(service, noteId, '97');
    await cross(service, noteId, '97.25');
    await service.bus!.publisher.flushed();
    // Two channel messages of the next batch are stored, then the publisher stops as a crashed
    // process would; the batches after it commit and are never published by this process.
    service.bus!.publisher.crashAfterMessages = 2;
    await cross(service, noteId, '97.5');
    await cross(service, noteId, '97.75');
    await cross(service, noteId, '98');
    await service.close();

    service = await start();
    await service.bus!.publisher.flushed();
    await cross(service, noteId, '98.25');
    await service.bus!.publisher.flushed();

    const tradeRows: { id: string }[] = await database
      .knex('trades')
      .where({ note_id: noteId })
      .orderBy([{ column: 'seq' }, { column: 'id' }])
      .select('id');
    const expected = tradeRows.map((r) => r.id);
    expect(expected.length).toBeGreaterThanOrEqual(6);

    const tape = await stored(channelSubject('trades', noteId));
    expect(tape.ids).toEqual(expected);
    expect(tape.seqs).toEqual(tape.seqs.map((_, i) => i + 1));

    const executionRows: { id: string }[] = await database
      .knex('trades')
      .where((q) => q.where({ buyer_party_id: investor }).orWhere({ seller_party_id: investor }))
      .orderBy([{ column: 'seq' }, { column: 'id' }])
      .select('id');
    const executions = await stored(channelSubject('executions', investor));
    expect(executions.ids).toEqual(executionRows.map((r) => r.id));
    expect(executions.seqs).toEqual(executions.seqs.map((_, i) => i + 1));

    // Each of the party's orders: its last message on the stream shows the state the database holds.
    const orders = await stored(channelSubject('orders', investor));
    const last = new Map<string, Message>();
    for (const message of orders.messages) for (const order of (message.data as { items: Message[] }).items) last.set(order.id, order);
    const rows: { id: string; status: string; leaves_quantity: string }[] = await database
      .knex('orders')
      .where({ party_id: investor, note_id: noteId })
      .select('id', 'status', 'leaves_quantity');
    for (const row of rows) {
      expect(last.get(row.id)?.status, row.id).toBe(row.status);
      expect(Number(last.get(row.id)?.leavesQuantity)).toBe(Number(row.leaves_quantity));
    }

    // The gateway's client, subscribed throughout, holds the tape once each, newest first.
    await until(
      () => updatesAfterSnapshot(probe.channel(`trades:${noteId}`)).updates.flatMap((u) => u.data.trades).length >= expected.length,
    );
    const seen = updatesAfterSnapshot(probe.channel(`trades:${noteId}`)).updates.flatMap((u) => u.data.trades.map((t: Message) => t.id));
    expect(seen).toEqual(expected);
    probe.close();

    // A restart with nothing new to publish stores no trade again.
    await service.close();
    service = await start();
    await service.bus!.publisher.flushed();
    expect((await stored(channelSubject('trades', noteId))).ids).toEqual(expected);
  }, 120_000);
});
