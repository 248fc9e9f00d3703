/**
 * bench:ws's driver process: places about BENCH_ORDERS_PER_S limit orders per second over the
 * service's /ws (each at a new best bid, so each one changes every subscriber's book), cancels the
 * oldest to keep RESTING_PER_NOTE resting per note, and every note's 100th order sells into its
 * best bid (a trade). Each acknowledgement goes straight to the clients processes (not through the
 * service), where the latency of the update that shows its level is measured.
 */
import net from 'node:net';
import { WebSocket } from 'ws';
import { Decimal } from '../../../server/domain/decimal.js';
import { IN_FLIGHT_MAX, ORDERS_PER_S, RESTING_PER_NOTE, USERS, wallMs, type Ipc, type Plan } from './plan.js';

export async function driverProcess(): Promise<void> {
  const start = (await new Promise<Ipc>((resolve) => process.once('message', resolve))) as Ipc & { plan: Plan; ackPorts: number[] };
  const plan = start.plan;
  const ackSockets = await Promise.all(
    start.ackPorts.map(async (port) => {
      const socket = net.connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      return socket;
    }),
  );
  const sendAcks = (list: [string, string, number][]) => {
    const line = `${JSON.stringify(list)}\n`;
    for (const socket of ackSockets) socket.write(line);
  };
  const sockets = new Map<string, WebSocket>();
  for (const user of USERS) {
    const ws = new WebSocket(plan.url, { headers: { authorization: `Bearer ${plan.tokens[user]}` }, perMessageDeflate: false });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    sockets.set(user, ws);
  }
  const stats = { placed: 0, rejected: 0, cancels: 0, trades: 0, skipped: 0 };
  const rejections: Record<string, number> = {};
  const price = new Map(plan.notes.map((n) => [n.id, new Decimal(n.startPrice ?? 20)]));
  const resting = new Map<string, { user: string; orderId: string; price: string }[]>(plan.notes.map((n) => [n.id, []]));
  const pending = new Map<string, (reply: { status: number; body: any }) => void>();
  let acks: [string, string, number][] = [];
  let sequence = 0;
  for (const [, ws] of sockets) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (message.op !== 'reply') return;
      pending.get(message.id)?.(message);
      pending.delete(message.id);
    });
  }
  const send = (user: string, body: Record<string, unknown>, onReply: (reply: { status: number; body: any }) => void) => {
    const id = `d${++sequence}`;
    pending.set(id, onReply);
    sockets.get(user)!.send(JSON.stringify({ ...body, id }));
  };
  let inFlight = 0;
  const placeOne = (index: number) => {
    const note = plan.notes[index % plan.notes.length]!;
    const user = USERS[index % USERS.length]!;
    const level = price.get(note.id)!.plus(note.tickSize);
    price.set(note.id, level);
    const text = level.toFixed();
    inFlight += 1;
    send(
      user,
      {
        op: 'order',
        order: { clOrdId: `bench-${process.pid}-${index}`, noteId: note.id, side: 'buy', type: 'limit', price: text, quantity: '100000' },
      },
      (reply) => {
        inFlight -= 1;
        if (reply.status !== 201) {
          stats.rejected += 1;
          const code = `${reply.status}:${reply.body?.error?.code ?? reply.body?.code ?? '?'}`;
          rejections[code] = (rejections[code] ?? 0) + 1;
          return;
        }
        stats.placed += 1;
        acks.push([note.id, text, wallMs()]);
        const queue = resting.get(note.id)!;
        queue.push({ user, orderId: reply.body.order.id, price: text });
        if (queue.length > RESTING_PER_NOTE) {
          const oldest = queue.shift()!;
          send(oldest.user, { op: 'cancel', orderId: oldest.orderId }, () => void (stats.cancels += 1));
        }
        // Every note's every 100th order (not every 100th order overall, which always fell on the
        // same note): each note trades, so its reference price follows its bids and they stay in its band.
        if (Math.floor(index / plan.notes.length) % 100 === 99) {
          const seller = user === 'dealer1' ? 'dealer2' : 'dealer1';
          send(
            seller,
            {
              op: 'order',
              order: {
                clOrdId: `bench-sell-${process.pid}-${index}`,
                noteId: note.id,
                side: 'sell',
                type: 'limit',
                price: text,
                quantity: '100000',
                timeInForce: 'IOC',
              },
            },
            (sell) => void (stats.trades += sell.status === 201 && sell.body.fills.length > 0 ? 1 : 0),
          );
        }
      },
    );
  };
  let index = 0;
  let skipped = 0;
  let stop = false;
  let cpuAtMeasureStart = process.cpuUsage();
  process.on('message', (message: Ipc) => {
    if (message.kind === 'stop') stop = true;
    if (message.kind === 'measure' && message.on) cpuAtMeasureStart = process.cpuUsage();
    if (message.kind === 'measure' && !message.on) {
      const cpu = process.cpuUsage(cpuAtMeasureStart);
      process.send!({ kind: 'measured', cpuMicros: cpu.user + cpu.system });
    }
  });
  process.send!({ kind: 'driving' });
  const started = performance.now();
  while (!stop) {
    const due = Math.floor(((performance.now() - started) / 1000) * ORDERS_PER_S);
    // Open loop at the target rate, but never more than IN_FLIGHT_MAX unanswered: a server that
    // falls behind is measured at the rate it sustains instead of being buried.
    while (index < due && inFlight < IN_FLIGHT_MAX) placeOne(index++);
    if (index < due) skipped += due - index;
    index = Math.max(index, due);
    if (acks.length > 0) {
      sendAcks(acks);
      acks = [];
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const seconds = (performance.now() - started) / 1000;
  stats.skipped = skipped;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  sendAcks(acks);
  process.send!({ kind: 'done', stats, seconds, rejections });
  for (const ws of sockets.values()) ws.close();
  for (const socket of ackSockets) socket.end();
  setTimeout(() => process.exit(0), 200);
}
