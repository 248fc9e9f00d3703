/**
 * `npm run bench:orders-floor`: a bare durable order service on this machine, as a yardstick for
 * bench:orders: what the same load gets from a service that does only the durable part (its SQL is
 * a plain statement, not the tuned batch function of the real service, whose PostgreSQL cost per
 * command is lower).
 *
 * Same load process and mix as bench:orders (BENCH_CLIENTS keep-alive connections, a limit buy
 * then, every other time, its cancel, each waiting for its answer), same PostgreSQL settings, but
 * the service is the bare minimum of a durable order entry: Node's http server parses the JSON,
 * and a single writer commits everything that arrived meanwhile as one statement (group commit,
 * fsync on): the rows the order entry issue asks a batch to commit — a journal row per command;
 * per placement an order row (party + client order id unique) and its cash hold; per cancel the
 * order's status and its hold's release (BENCH_ROWS=orders: the order rows alone). Then it answers
 * each request with a JSON order of the size the real service sends. No authentication,
 * validation, risk checks or matching: the real service does all that on top. BENCH_WRITERS=2 lets a second batch
 * commit on its own connection while the first is still committing (pipelined group commit; the
 * floor's rows are independent, so it needs no ordering between batches, which a real ledger does).
 *
 * Env: BENCH_CLIENTS (64), BENCH_SECONDS (15), BENCH_WRITERS (1), BENCH_ROWS (required).
 * Prints: floor commands_per_s=<n> orders_per_s=<n> ack_p50_ms=<n> ack_p99_ms=<n> clients=<n>
 *   server_cpu_us_per_command=<n> postgres_cpu_us_per_command=<n> load_cpu_us_per_command=<n>
 */
import http from 'node:http';
import pg from 'pg';
import { CLIENTS, DURATION_MS, runLoadProcess } from './support/http-load.js';
import { percentile } from './support/percentile.js';
import { BENCH_PG_SETTINGS, findPostgresBin, startPgCluster } from '../support/pg-cluster.js';

/** Batches committing at once on their own connections (1 = one writer, one commit at a time). */
const WRITERS = Number(process.env.BENCH_WRITERS ?? 1);
/** Which rows a batch commits: "required" (journal, orders, holds) or "orders" alone. */
const ROWS = (process.env.BENCH_ROWS ?? 'required') as 'required' | 'orders';
if (ROWS !== 'required' && ROWS !== 'orders') throw new Error('BENCH_ROWS is "required" or "orders"');

type Placement = {
  id: string;
  party: string;
  clOrdId: string;
  noteId: string;
  side: string;
  price: string;
  quantity: string;
  response: http.ServerResponse;
};
type Cancel = { id: string; response: http.ServerResponse };

const SCHEMA = `
  create table floor_orders (
    id bigint primary key,
    party text not null,
    client_order_id text not null,
    note_id text not null,
    side text not null,
    price numeric(18, 6) not null,
    quantity numeric(20, 2) not null,
    status text not null,
    created_at timestamptz not null default now(),
    unique (party, client_order_id)
  );
  create table floor_journal (sequence bigint primary key, command jsonb not null);
  create table floor_holds (
    order_id bigint primary key,
    party text not null,
    amount numeric(24, 2) not null,
    remaining numeric(24, 2) not null,
    status text not null
  )`;

const ORDER_ROWS = `
  placed as (
    insert into floor_orders (id, party, client_order_id, note_id, side, price, quantity, status)
    select id, party, client_order_id, note_id, side, price, quantity, 'new'
    from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::numeric[])
      as p(id, party, client_order_id, note_id, side, price, quantity)
  ), cancelled as (
    update floor_orders set status = 'cancelled' from unnest($8::bigint[]) as c(id) where floor_orders.id = c.id
  )`;

/**
 * One statement, one transaction. "orders": the batch's new orders and its cancels only.
 * "required" (the default): also what the order entry issue asks a batch to commit besides them — a
 * journal row per command, a cash hold per new order, its release per cancel (this load never
 * crosses, so no fills or trades).
 */
const COMMIT = {
  orders: `with ${ORDER_ROWS} select 1`,
  required: `
    with journal as (
      insert into floor_journal (sequence, command) select * from unnest($9::bigint[], $10::jsonb[])
    ), held as (
      insert into floor_holds (order_id, party, amount, remaining, status)
      select id, party, price * quantity / 100, price * quantity / 100, 'open'
      from unnest($1::bigint[], $2::text[], $6::numeric[], $7::numeric[]) as h(id, party, price, quantity)
    ), released as (
      update floor_holds set remaining = 0, status = 'released' from unnest($8::bigint[]) as c(id) where floor_holds.order_id = c.id
    ), ${ORDER_ROWS}
    select 1`,
};

function orderJson(
  order: { id: string; clOrdId: string; noteId: string; side: string; price: string; quantity: string },
  status: string,
): string {
  const now = new Date().toISOString();
  return JSON.stringify({
    order: {
      id: order.id,
      clOrdId: order.clOrdId,
      noteId: order.noteId,
      side: order.side,
      type: 'limit',
      timeInForce: 'GTC',
      price: order.price,
      quantity: order.quantity,
      filledQuantity: '0',
      leavesQuantity: status === 'new' ? order.quantity : '0',
      averagePrice: null,
      status,
      partyId: '00000000-0000-4000-8000-000000000000',
      createdAt: now,
      updatedAt: now,
      tradeDate: now.slice(0, 10),
      sequence: order.id,
    },
    fills: [],
  });
}

function answer(response: http.ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

async function main(): Promise<void> {
  if (findPostgresBin() === null) throw new Error('bench:orders-floor needs a PostgreSQL server (apt-get install postgresql)');
  const cluster = await startPgCluster(BENCH_PG_SETTINGS);
  const writers = await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      const client = new pg.Client({ connectionString: cluster.url });
      await client.connect();
      return client;
    }),
  );
  await writers[0]!.query(SCHEMA);
  const idle = [...writers];

  const orders = new Map<string, Omit<Placement, 'response'>>();
  let nextId = 1;
  let nextSequence = 1;
  let placements: Placement[] = [];
  let cancels: Cancel[] = [];
  const commit = async (): Promise<void> => {
    if (idle.length === 0 || placements.length + cancels.length === 0) return;
    const writer = idle.pop()!;
    const [placed, cancelled] = [placements, cancels];
    placements = [];
    cancels = [];
    const values: unknown[] = [
      placed.map((p) => p.id),
      placed.map((p) => p.party),
      placed.map((p) => p.clOrdId),
      placed.map((p) => p.noteId),
      placed.map((p) => p.side),
      placed.map((p) => p.price),
      placed.map((p) => p.quantity),
      cancelled.map((c) => c.id),
    ];
    if (ROWS === 'required') {
      values.push(
        [...placed, ...cancelled].map(() => nextSequence++),
        [
          ...placed.map(({ response, ...order }) => JSON.stringify({ type: 'place', order })),
          ...cancelled.map((c) => JSON.stringify({ type: 'cancel', orderId: c.id })),
        ],
      );
    }
    await writer.query({ name: 'commit', text: COMMIT[ROWS], values });
    for (const p of placed) answer(p.response, 201, orderJson(p, 'new'));
    for (const c of cancelled) answer(c.response, 200, orderJson(orders.get(c.id)!, 'cancelled'));
    for (const c of cancelled) orders.delete(c.id);
    idle.push(writer);
    void commit();
  };

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const party = request.headers.authorization ?? '';
      if (request.method === 'POST' && request.url === '/api/v1/orders') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          clOrdId: string;
          noteId: string;
          side: string;
          price: string;
          quantity: string;
        };
        const order = {
          id: String(nextId++),
          party,
          clOrdId: body.clOrdId,
          noteId: body.noteId,
          side: body.side,
          price: body.price,
          quantity: body.quantity,
        };
        orders.set(order.id, order);
        placements.push({ ...order, response });
      } else if (request.method === 'DELETE' && request.url?.startsWith('/api/v1/orders/')) {
        cancels.push({ id: request.url.slice('/api/v1/orders/'.length), response });
      } else {
        answer(response, 404, '{"code":"NOT_FOUND"}');
        return;
      }
      void commit();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  const cpuBefore = process.cpuUsage();
  const pgCpuBefore = cluster.cpuSeconds();
  const notes = ['note-a', 'note-b', 'note-c', 'note-d'];
  const load = await runLoadProcess({ port, tokens: { a: 'party-a', b: 'party-b', c: 'party-c', d: 'party-d' }, notes });
  const cpu = process.cpuUsage(cpuBefore);
  const pgCpuSeconds = cluster.cpuSeconds() - pgCpuBefore;
  const latencies = load.latencies.sort((a, b) => a - b);
  const seconds = DURATION_MS / 1000;
  const perCommand = (micros: number) => Math.round(micros / Math.max(1, load.requests));
  process.stdout.write(
    `floor commands_per_s=${Math.round((load.placed + load.cancelled) / seconds)} orders_per_s=${Math.round(load.placed / seconds)} ` +
      `ack_p50_ms=${percentile(latencies, 50).toFixed(2)} ack_p99_ms=${percentile(latencies, 99).toFixed(2)} clients=${CLIENTS} writers=${WRITERS} rows=${ROWS} failures=${load.failures} ` +
      `server_cpu_us_per_command=${perCommand(cpu.user + cpu.system)} postgres_cpu_us_per_command=${perCommand(pgCpuSeconds * 1e6)} load_cpu_us_per_command=${perCommand(load.cpuMicros)}\n`,
  );
  server.close();
  await Promise.all(writers.map((writer) => writer.end()));
  cluster.stop();
}

await main();
