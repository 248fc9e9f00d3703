/**
 * `cn` RFQ commands: investors request prices (optionally waiting for the answers to arrive) and
 * accept one — the best by default; dealers list what they were asked and answer.
 */
import { Decimal } from 'decimal.js';
import type { Rfq, RfqResponse } from '../../sdk/index.js';
import { decimalArg, flag, has, integerFlag, positional, sideArg, spreadArg, RefusedError, UsageError } from '../args.js';
import type { Command, Context } from '../command.js';
import { face, price, time } from '../output.js';
import { noteLabels, resolveNote } from '../session.js';
import { executionColumns } from './trading.js';

const POLL_MS = 500;
const RFQ_STATUSES = new Set(['open', 'done', 'expired', 'cancelled', 'all']);

/** The answer to take: the lowest price to buy, the highest to sell, among open ones. */
export function bestAnswer(rfq: Rfq): RfqResponse | null {
  const open = rfq.responses.filter((r): r is RfqResponse & { price: string } => r.status === 'open' && r.price !== null);
  open.sort((a, b) => new Decimal(a.price).cmp(b.price));
  return (rfq.side === 'buy' ? open[0] : open[open.length - 1]) ?? null;
}

function printAnswers(context: Context, rfq: Rfq, dealers: ReadonlyMap<string, string>): void {
  context.out.table<RfqResponse>(
    [
      { header: 'DEALER', value: (r) => dealers.get(r.dealerPartyId) ?? r.dealerPartyId },
      { header: 'PRICE', value: (r) => r.price, format: (r) => price(r.price), align: 'right' },
      { header: 'VALID_UNTIL', value: (r) => r.validUntil, format: (r) => time(r.validUntil) },
      { header: 'STATUS', value: (r) => r.status },
      { header: 'REASON', value: (r) => r.reason ?? '' },
      { header: 'RESPONSE_ID', value: (r) => r.id },
    ],
    rfq.responses,
    { data: rfq, empty: 'no answers yet' },
  );
}

const request: Command = {
  name: 'rfq',
  group: 'RFQ',
  usage: 'rfq <buy|sell> <note> <face> [--expires SECONDS] [--wait]',
  summary: 'investors: ask every eligible dealer for a firm price; --wait shows answers as they arrive',
  async run(context) {
    const { args, out } = context;
    const side = sideArg(positional(args, 0, 'the side: buy or sell'));
    const c = await context.client();
    const { note } = await resolveNote(c, positional(args, 1, 'a note'));
    const quantity = decimalArg(positional(args, 2, 'the face amount'), 'the face');
    const expires = integerFlag(args, 'expires', 5, 3600);
    const dealers = new Map((await c.dealers()).map((d) => [d.id, d.name]));
    let rfq = await c.createRfq({ noteId: note.id, side, quantity, ...(expires ? { expiresInSeconds: expires } : {}) });
    out.note(
      `RFQ ${rfq.id}: ${side} ${face(quantity)} ${note.className} (${note.isin}) sent to ${rfq.dealerPartyIds?.length ?? 0} dealer(s), expires ${time(rfq.expiresAt)}`,
    );
    if (has(args, 'wait')) {
      const addressed = rfq.dealerPartyIds?.length ?? 0;
      const seen = new Set<string>();
      while (rfq.status === 'open' && Date.now() < Date.parse(rfq.expiresAt)) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        rfq = await c.rfq(rfq.id);
        for (const r of rfq.responses) {
          if (seen.has(r.id)) continue;
          seen.add(r.id);
          const dealer = dealers.get(r.dealerPartyId) ?? r.dealerPartyId;
          out.note(
            r.status === 'declined'
              ? `${dealer} declined${r.reason ? `: ${r.reason}` : ''}`
              : `answer from ${dealer}: ${price(r.price)} valid until ${time(r.validUntil)}`,
          );
        }
        if (addressed > 0 && new Set(rfq.responses.map((r) => r.dealerPartyId)).size >= addressed) break;
      }
    }
    // Without --wait, stdout is the RFQ's id alone, for scripts (`id=$(cn rfq buy A-2 1000000)`).
    if (has(args, 'wait') || out.mode === 'json') printAnswers(context, rfq, dealers);
    else out.line(rfq.id);
  },
};

const list: Command = {
  name: 'rfqs',
  group: 'RFQ',
  usage: 'rfqs [--status open|done|expired|all]',
  summary: 'own RFQs (investors) or RFQs addressed to you (dealers)',
  async run(context) {
    const status = flag(context.args, 'status') ?? 'all';
    if (!RFQ_STATUSES.has(status)) throw new UsageError('--status is open, done, expired, cancelled or all');
    const c = await context.client();
    const [rfqs, notes, deals] = await Promise.all([c.rfqs({ status: status as 'all' }), c.notes(), c.deals()]);
    const names = noteLabels(notes, deals);
    context.out.table<Rfq>(
      [
        { header: 'RFQ_ID', value: (r) => r.id },
        { header: 'NOTE', value: (r) => names.get(r.noteId) ?? r.noteId },
        { header: 'SIDE', value: (r) => r.side },
        { header: 'QUANTITY', value: (r) => r.quantity, format: (r) => face(r.quantity), align: 'right' },
        { header: 'STATUS', value: (r) => r.status },
        { header: 'EXPIRES', value: (r) => r.expiresAt, format: (r) => time(r.expiresAt) },
        { header: 'ANSWERS', value: (r) => r.responses.length, align: 'right' },
        { header: 'BEST', value: (r) => bestAnswer(r)?.price, format: (r) => price(bestAnswer(r)?.price), align: 'right' },
      ],
      rfqs,
      { empty: 'no RFQs' },
    );
  },
};

const answer: Command = {
  name: 'rfq-answer',
  group: 'RFQ',
  usage: 'rfq-answer <rfq-id> <price | spread-bp --spread> [--valid SECONDS]',
  summary:
    'dealers: a firm answer (replaces your previous one); with --spread the answer is a spread in bp over the benchmark and the server derives the price',
  async run(context) {
    const { args } = context;
    const validForSeconds = integerFlag(args, 'valid', 1, 300) ?? 30;
    const value = positional(args, 1, has(args, 'spread') ? 'the spread in bp' : 'the price in % of par');
    const response = await (await context.client()).respondToRfq(
      positional(args, 0, 'the RFQ id'),
      has(args, 'spread')
        ? { spreadBp: spreadArg(value, 'the spread'), validForSeconds }
        : { price: decimalArg(value, 'the price'), validForSeconds },
    );
    if (context.out.mode === 'json') return context.out.json(response);
    const d = response.pricedFromSpread;
    if (d)
      context.out.note(
        `${d.side} at ${d.spreadBp.startsWith('-') ? '' : '+'}${d.spreadBp} bp over ${d.curve.name} ${d.curve.date} (base scenario, to the ARD): yield ${d.yieldPercent}%, price ${d.unroundedPrice} → ${d.price} on the tick (nearest)`,
      );
    context.out.line(`answered ${price(response.price)}, valid until ${time(response.validUntil)} (response ${response.id})`);
  },
};

const accept: Command = {
  name: 'rfq-accept',
  group: 'RFQ',
  usage: 'rfq-accept <rfq-id> [<response-id>]',
  summary: 'investors: trade at an answer (the best open one unless given)',
  async run(context) {
    const { args } = context;
    const c = await context.client();
    const rfqId = positional(args, 0, 'the RFQ id');
    let responseId = args.positionals[1];
    if (!responseId) {
      const best = bestAnswer(await c.rfq(rfqId));
      if (!best) throw new RefusedError('this RFQ has no open answer to accept');
      responseId = best.id;
    }
    const { trade } = await c.acceptRfq(rfqId, responseId);
    if (context.out.mode === 'json') return context.out.json({ trade });
    const [notes, deals] = await Promise.all([c.notes(), c.deals()]);
    context.out.table(executionColumns(noteLabels(notes, deals)), [trade]);
  },
};

export const rfqCommands: Command[] = [request, list, answer, accept];
