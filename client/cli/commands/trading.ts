/**
 * `cn` trading commands: place, list, cancel and replace orders; dealers' mass quotes and pull-all;
 * own executions, balances and journal entries. Prices and faces are passed on as the decimal
 * strings typed (separators removed), never as numbers.
 */
import { Decimal } from 'decimal.js';
import {
  newClOrdId,
  type Balance,
  type Execution,
  type JournalEntry,
  type Order,
  type OrderResult,
  type Position,
  type QuoteInput,
  type TimeInForce,
} from '../../sdk/index.js';
import { dateArg, decimalArg, flag, has, integerFlag, positional, sideArg, spreadArg, UsageError } from '../args.js';
import type { Command, Context } from '../command.js';
import { cash, face, fixed, price, time, type Column } from '../output.js';
import { findNote, noteLabels, partyNames, resolveNote, resolveParty } from '../session.js';

const TIME_IN_FORCE = new Set(['GTC', 'DAY', 'IOC', 'FOK', 'GTD']);
const UUID_LIKE = /^[0-9a-f]{8}-[0-9a-f]{4}-/i;

async function labels(context: Context): Promise<Map<string, string>> {
  const c = await context.client();
  const [notes, deals] = await Promise.all([c.notes(), c.deals()]);
  return noteLabels(notes, deals);
}

function orderColumns(names: Map<string, string>): Column<Order>[] {
  return [
    { header: 'ORDER_ID', value: (o) => o.id },
    { header: 'NOTE', value: (o) => names.get(o.noteId) ?? o.noteId },
    { header: 'SIDE', value: (o) => o.side },
    { header: 'PRICE', value: (o) => o.price, format: (o) => price(o.price), align: 'right' },
    { header: 'QUANTITY', value: (o) => o.quantity, format: (o) => face(o.quantity), align: 'right' },
    { header: 'FILLED', value: (o) => o.filledQuantity, format: (o) => face(o.filledQuantity), align: 'right' },
    { header: 'LEAVES', value: (o) => o.leavesQuantity, format: (o) => face(o.leavesQuantity), align: 'right' },
    { header: 'TIF', value: (o) => o.timeInForce },
    { header: 'STATUS', value: (o) => o.status },
    { header: 'CREATED', value: (o) => o.createdAt, format: (o) => time(o.createdAt) },
  ];
}

function executionColumns(names: Map<string, string>): Column<Execution>[] {
  return [
    { header: 'TRADE_ID', value: (e) => e.tradeId },
    { header: 'NOTE', value: (e) => names.get(e.noteId) ?? e.noteId },
    { header: 'SIDE', value: (e) => e.side },
    { header: 'PRICE', value: (e) => e.price, format: (e) => price(e.price), align: 'right' },
    { header: 'QUANTITY', value: (e) => e.quantity, format: (e) => face(e.quantity), align: 'right' },
    { header: 'PRINCIPAL', value: (e) => e.principal, format: (e) => cash(e.principal), align: 'right' },
    { header: 'ACCRUED', value: (e) => e.accruedInterest, format: (e) => cash(e.accruedInterest), align: 'right' },
    { header: 'NET_AMOUNT', value: (e) => e.netAmount, format: (e) => cash(e.netAmount), align: 'right' },
    { header: 'TRADE_DATE', value: (e) => e.tradeDate },
    { header: 'SETTLES', value: (e) => e.settlementDate },
    { header: 'LIQUIDITY', value: (e) => e.liquidity },
    { header: 'VENUE', value: (e) => e.venue },
  ];
}

function printOrderResult(context: Context, result: OrderResult, names: Map<string, string>): void {
  if (context.out.mode === 'json') return context.out.json(result);
  context.out.table(orderColumns(names), [result.order]);
  if (result.fills.length > 0) {
    context.out.line();
    context.out.table(executionColumns(names), result.fills);
  }
}

const order: Command = {
  name: 'order',
  group: 'Trading',
  usage: 'order <buy|sell> <note> <face> <price> [--tif GTC|DAY|IOC|FOK|GTD] [--expire-at ISO] [--post-only] [--cl-ord-id ID]',
  summary: 'place a limit order (price in % of par, face = original face)',
  async run(context) {
    const { args } = context;
    const side = sideArg(positional(args, 0, 'the side: buy or sell'));
    const c = await context.client();
    const { note, notes, deals } = await resolveNote(c, positional(args, 1, 'a note'));
    const quantity = decimalArg(positional(args, 2, 'the face amount'), 'the face');
    const limit = decimalArg(positional(args, 3, 'the price in % of par'), 'the price');
    const tif = (flag(args, 'tif') ?? 'GTC').toUpperCase();
    if (!TIME_IN_FORCE.has(tif)) throw new UsageError('--tif is GTC, DAY, IOC, FOK or GTD');
    const expireAt = flag(args, 'expire-at');
    if ((tif === 'GTD') !== (expireAt !== undefined)) throw new UsageError('--expire-at is required with --tif GTD and only with it');
    const result = await c.placeOrder({
      clOrdId: flag(args, 'cl-ord-id') ?? newClOrdId('cli'),
      noteId: note.id,
      side,
      type: 'limit',
      price: limit,
      quantity,
      timeInForce: tif as TimeInForce,
      ...(expireAt ? { expireAt } : {}),
      ...(has(args, 'post-only') ? { postOnly: true } : {}),
    });
    printOrderResult(context, result, noteLabels(notes, deals));
  },
};

const orders: Command = {
  name: 'orders',
  group: 'Trading',
  usage: 'orders [--all] [--note N]',
  summary: 'own orders (open ones unless --all)',
  async run(context) {
    const c = await context.client();
    const noteRef = flag(context.args, 'note');
    const noteId = noteRef ? (await resolveNote(c, noteRef)).note.id : undefined;
    const list = await c.orders({ status: has(context.args, 'all') ? 'all' : 'open', ...(noteId ? { noteId } : {}) });
    context.out.table(orderColumns(await labels(context)), list, { empty: 'no orders' });
  },
};

const cancel: Command = {
  name: 'cancel',
  group: 'Trading',
  usage: 'cancel <order-id>',
  summary: 'cancel an own open order',
  async run(context) {
    const result = await (await context.client()).cancelOrder(positional(context.args, 0, 'the order id'));
    if (context.out.mode === 'json') return context.out.json(result);
    context.out.table(orderColumns(await labels(context)), [result]);
  },
};

const replace: Command = {
  name: 'replace',
  group: 'Trading',
  usage: 'replace <order-id> [--price P] [--face F]',
  summary: 'cancel/replace: a new price and/or new total face',
  async run(context) {
    const { args } = context;
    const priceText = flag(args, 'price');
    const faceText = flag(args, 'face');
    if (!priceText && !faceText) throw new UsageError('give --price, --face or both');
    const result = await (await context.client()).replaceOrder(positional(args, 0, 'the order id'), {
      ...(priceText ? { price: decimalArg(priceText, '--price') } : {}),
      ...(faceText ? { quantity: decimalArg(faceText, '--face') } : {}),
    });
    printOrderResult(context, result, await labels(context));
  },
};

const quote: Command = {
  name: 'quote',
  group: 'Trading',
  usage: 'quote <note> <bid-size> <bid> <ask> <ask-size> [<note> <bid-size> <bid> <ask> <ask-size> …] [--spread]',
  summary:
    'dealers: replace your quotes on these notes atomically (a size of 0 leaves that side empty); --spread: bid and ask are spreads in bp, the server derives the prices',
  async run(context) {
    const words = context.args.positionals;
    if (words.length === 0 || words.length % 5 !== 0) throw new UsageError('give groups of five: <note> <bid-size> <bid> <ask> <ask-size>');
    const c = await context.client();
    const [notes, deals] = await Promise.all([c.notes(), c.deals()]);
    const quotes: QuoteInput[] = [];
    const spread = has(context.args, 'spread');
    for (let i = 0; i < words.length; i += 5) {
      const note = findNote(notes, deals, words[i]!);
      const bidSize = decimalArg(words[i + 1]!, 'the bid size');
      const askSize = decimalArg(words[i + 4]!, 'the ask size');
      quotes.push({
        noteId: note.id,
        bidSize,
        askSize,
        ...(bidSize === '0'
          ? {}
          : spread
            ? { bidSpreadBp: spreadArg(words[i + 2]!, 'the bid spread') }
            : { bidPrice: decimalArg(words[i + 2]!, 'the bid') }),
        ...(askSize === '0'
          ? {}
          : spread
            ? { askSpreadBp: spreadArg(words[i + 3]!, 'the ask spread') }
            : { askPrice: decimalArg(words[i + 3]!, 'the ask') }),
      });
    }
    const result = await c.putQuotes(quotes);
    if (context.out.mode === 'json') return context.out.json(result);
    const names = noteLabels(notes, deals);
    for (const d of result.pricedFromSpread ?? [])
      context.out.note(
        `${names.get(d.noteId) ?? d.noteId} ${d.side} ${d.spreadBp.startsWith('-') ? '' : '+'}${d.spreadBp} bp over ${d.curve.name} ${d.curve.date} → ${d.price} (yield ${d.yieldPercent}%, nearest tick)`,
      );
    context.out.table(orderColumns(names), result.quotes, { empty: 'no quote orders rest (all sides were 0)' });
    if (result.fills.length > 0) context.out.table(executionColumns(names), result.fills);
  },
};

const pullQuotes: Command = {
  name: 'pull-quotes',
  group: 'Trading',
  usage: 'pull-quotes',
  summary: 'dealers: pull all your quotes',
  async run(context) {
    const result = await (await context.client()).pullQuotes();
    if (context.out.mode === 'json') return context.out.json(result);
    context.out.line('all quotes pulled');
  },
};

const executions: Command = {
  name: 'executions',
  group: 'Trading',
  usage: 'executions [--note N] [--from D] [--to D] [--limit N]',
  summary: 'own trades with principal, accrued interest and net amount',
  async run(context) {
    const { args } = context;
    const c = await context.client();
    const noteRef = flag(args, 'note');
    const noteId = noteRef ? (await resolveNote(c, noteRef)).note.id : undefined;
    const from = flag(args, 'from');
    const to = flag(args, 'to');
    const list = await c.executions({
      ...(noteId ? { noteId } : {}),
      ...(from ? { from: dateArg(from, '--from') } : {}),
      ...(to ? { to: dateArg(to, '--to') } : {}),
      limit: integerFlag(args, 'limit', 1, 1000) ?? 200,
    });
    context.out.table(executionColumns(await labels(context)), list, { empty: 'no executions' });
  },
};

const balances: Command = {
  name: 'balances',
  group: 'Trading',
  usage: 'balances [--party P]',
  summary: 'cash and positions: total, held, available',
  async run(context) {
    const party = flag(context.args, 'party');
    const c = await context.client();
    const list = await c.balances(party ? { partyId: await resolveParty(c, party) } : {});
    const names = await labels(context);
    const amount = (b: Balance, v: string) => (b.asset === 'USD' ? cash(v) : face(v));
    context.out.table<Balance>(
      [
        { header: 'ASSET', value: (b) => (b.asset === 'USD' ? 'USD' : (names.get(b.asset) ?? b.asset)) },
        { header: 'TOTAL', value: (b) => b.total, format: (b) => amount(b, b.total), align: 'right' },
        { header: 'HELD', value: (b) => b.held, format: (b) => amount(b, b.held), align: 'right' },
        { header: 'AVAILABLE', value: (b) => b.available, format: (b) => amount(b, b.available), align: 'right' },
      ],
      list,
      { empty: 'no balances' },
    );
  },
};

const positions: Command = {
  name: 'positions',
  group: 'Trading',
  usage: 'positions [--party P]',
  summary: 'holdings as a desk reads them: face and factor, the mark and its source, value, accrued, cost and P&L, pending',
  async run(context) {
    const c = await context.client();
    const party = flag(context.args, 'party');
    const [list, names] = await Promise.all([c.positions(party ? { partyId: await resolveParty(c, party) } : {}), labels(context)]);
    context.out.table<Position>(
      [
        { header: 'NOTE', value: (p) => names.get(p.noteId) ?? p.noteId },
        { header: 'ORIGINAL_FACE', value: (p) => p.originalFace, format: (p) => face(p.originalFace), align: 'right' },
        { header: 'FACTOR', value: (p) => p.factor, format: (p) => fixed(p.factor, 8), align: 'right' },
        { header: 'CURRENT_FACE', value: (p) => p.currentFace, format: (p) => cash(p.currentFace), align: 'right' },
        { header: 'MARK', value: (p) => p.markPrice, format: (p) => price(p.markPrice), align: 'right' },
        { header: 'SOURCE', value: (p) => p.markSource },
        { header: 'MARKET_VALUE', value: (p) => p.marketValue, format: (p) => cash(p.marketValue), align: 'right' },
        { header: 'ACCRUED', value: (p) => p.accruedInterest, format: (p) => cash(p.accruedInterest), align: 'right' },
        { header: 'AVG_COST', value: (p) => p.averageCost, format: (p) => price(p.averageCost), align: 'right' },
        { header: 'UNREALIZED', value: (p) => p.unrealizedPnl, format: (p) => cash(p.unrealizedPnl), align: 'right' },
        { header: 'REALIZED', value: (p) => p.realizedPnl, format: (p) => cash(p.realizedPnl), align: 'right' },
        { header: 'PENDING_FACE', value: (p) => p.pendingFace, format: (p) => face(p.pendingFace), align: 'right' },
        { header: 'PENDING_CASH', value: (p) => p.pendingCash, format: (p) => cash(p.pendingCash), align: 'right' },
      ],
      list,
      { empty: 'no positions' },
    );
    if (context.out.mode === 'table' && list.length > 0) {
      const sum = (pick: (p: Position) => string) => list.reduce((total, p) => total.plus(pick(p)), new Decimal(0)).toFixed(2);
      context.out.line(
        `total market value ${cash(sum((p) => p.marketValue))}, accrued ${cash(sum((p) => p.accruedInterest))}, unrealized ${cash(sum((p) => p.unrealizedPnl))}, realized ${cash(sum((p) => p.realizedPnl))}`,
      );
    }
  },
};

const entries: Command = {
  name: 'entries',
  group: 'Trading',
  usage: 'entries [--party P] [--asset A] [--limit N]',
  summary: 'journal entries with their postings, newest first',
  async run(context) {
    const { args } = context;
    const party = flag(args, 'party');
    const asset = flag(args, 'asset');
    const c = await context.client();
    const [list, parties, names] = await Promise.all([
      c.ledgerEntries({
        ...(party ? { partyId: await resolveParty(c, party) } : {}),
        ...(asset ? { asset: asset === 'USD' || UUID_LIKE.test(asset) ? asset : (await resolveNote(c, asset)).note.id } : {}),
        limit: integerFlag(args, 'limit', 1, 500) ?? 50,
      }),
      partyNames(c),
      labels(context),
    ]);
    const rows = list.flatMap((entry) => entry.postings.map((posting) => ({ entry, posting })));
    context.out.table<{ entry: JournalEntry; posting: JournalEntry['postings'][number] }>(
      [
        { header: 'ENTRY', value: (r) => r.entry.id, align: 'right' },
        { header: 'DATE', value: (r) => r.entry.businessDate },
        { header: 'KIND', value: (r) => r.entry.kind },
        {
          header: 'ACCOUNT',
          value: (r) => (r.posting.partyId ? (parties.get(r.posting.partyId) ?? r.posting.partyId) : r.posting.systemAccount),
        },
        { header: 'ASSET', value: (r) => (r.posting.asset === 'USD' ? 'USD' : (names.get(r.posting.asset) ?? r.posting.asset)) },
        {
          header: 'AMOUNT',
          value: (r) => r.posting.amount,
          format: (r) => (r.posting.asset === 'USD' ? cash(r.posting.amount) : face(r.posting.amount)),
          align: 'right',
        },
        { header: 'DESCRIPTION', value: (r) => r.entry.description },
      ],
      rows,
      { data: list, empty: 'no entries' },
    );
  },
};

export const tradingCommands: Command[] = [order, orders, cancel, replace, quote, pullQuotes, executions, positions, balances, entries];
export { executionColumns };
