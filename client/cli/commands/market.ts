/**
 * `cn` session and market-data commands: login/logout/whoami, notes with best bid and ask, deals
 * with their collateral and capital structure, a note's book, the tape, parties, the business date.
 */
import { ComputeNotesClient, type Book, type BookLevel, type Note, type Party, type TapeTrade } from '../../sdk/index.js';
import { integerFlag, positional, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { cash, face, fixed, price, time, type Column } from '../output.js';
import { credentials, forgetSession, noteLabels, readSession, resolveNote, saveSession, serverUrl } from '../session.js';
import { prompt } from '../prompt.js';

const login: Command = {
  name: 'login',
  group: 'Session',
  usage: 'login [--user U] [--password P]',
  summary: 'log in and save the session (a token, not the password) for later commands',
  async run({ args, io, out }) {
    const url = serverUrl(args, io);
    let given = credentials(args, io);
    if (!given && io.stdin?.isTTY) {
      const user = await prompt(io, 'username: ');
      given = { user, password: await prompt(io, 'password: ', true) };
    }
    if (!given) throw new UsageError('give --user and --password (or CN_USER and CN_PASSWORD)');
    const client = new ComputeNotesClient({ baseUrl: url, ...(io.fetch ? { fetch: io.fetch } : {}) });
    const result = await client.login(given.user, given.password);
    const file = saveSession(io.env, url, result);
    if (out.mode === 'json') return out.json({ user: result.user, expiresAt: result.expiresAt, url });
    out.line(`logged in to ${url} as ${result.user.username} (${result.user.roles.join(', ')}) until ${result.expiresAt}`);
    out.note(`session saved in ${file}`);
  },
};

const logout: Command = {
  name: 'logout',
  group: 'Session',
  usage: 'logout',
  summary: 'forget the saved session',
  async run({ io, out }) {
    out.line(forgetSession(io.env) ? 'logged out' : 'no saved session');
  },
};

const whoami: Command = {
  name: 'whoami',
  group: 'Session',
  usage: 'whoami',
  summary: 'the user, party and roles of this session',
  async run({ io, out, client }) {
    const c = await client();
    const saved = readSession(io.env);
    const date = await c.businessDate();
    const me = saved && saved.token === c.token ? { username: saved.username, partyId: saved.partyId, roles: saved.roles } : null;
    const party = me ? await c.party(me.partyId) : null;
    out.record(
      [
        ['server', c.baseUrl],
        ['user', me?.username ?? '(from credentials)'],
        ['party', party ? `${party.name} (${party.id})` : ''],
        ['roles', me?.roles.join(', ') ?? ''],
        ['business date', date.businessDate],
      ],
      { ...me, party, businessDate: date.businessDate, url: c.baseUrl },
    );
  },
};

interface NoteRow {
  note: Note;
  label: string;
  book: Book;
}

const notes: Command = {
  name: 'notes',
  group: 'Market data',
  usage: 'notes',
  summary: 'listed notes: reference data, factor, best bid and ask',
  async run({ out, client }) {
    const c = await client();
    const [list, deals] = await Promise.all([c.notes(), c.deals()]);
    const labels = noteLabels(list, deals);
    const rows: NoteRow[] = await Promise.all(
      list.map(async (note) => ({ note, label: labels.get(note.id) ?? '', book: await c.book(note.id, 1) })),
    );
    out.table<NoteRow>(
      [
        { header: 'NOTE', value: (r) => r.label },
        { header: 'ISIN', value: (r) => r.note.isin },
        { header: 'RATING', value: (r) => r.note.rating },
        { header: 'COUPON', value: (r) => r.note.couponRate, format: (r) => `${fixed(r.note.couponRate, 3)}%`, align: 'right' },
        { header: 'DAYCOUNT', value: (r) => r.note.dayCount },
        { header: 'MATURITY', value: (r) => r.note.maturityDate },
        { header: 'FACTOR', value: (r) => r.note.factor, format: (r) => fixed(r.note.factor, 8), align: 'right' },
        { header: 'BID_SIZE', value: (r) => r.book.bids[0]?.quantity, format: (r) => face(r.book.bids[0]?.quantity), align: 'right' },
        { header: 'BID', value: (r) => r.book.bids[0]?.price, format: (r) => price(r.book.bids[0]?.price), align: 'right' },
        { header: 'ASK', value: (r) => r.book.asks[0]?.price, format: (r) => price(r.book.asks[0]?.price), align: 'right' },
        { header: 'ASK_SIZE', value: (r) => r.book.asks[0]?.quantity, format: (r) => face(r.book.asks[0]?.quantity), align: 'right' },
        { header: 'STATUS', value: (r) => r.note.status },
        { header: 'ID', value: (r) => r.note.id },
      ],
      rows,
      {
        data: rows.map((r) => ({ ...r.note, bestBid: r.book.bids[0] ?? null, bestAsk: r.book.asks[0] ?? null })),
        empty: 'no notes are listed',
      },
    );
  },
};

const deals: Command = {
  name: 'deals',
  group: 'Market data',
  usage: 'deals',
  summary: 'deals with collateral facts and their tranches by seniority',
  async run({ out, client }) {
    const list = await (await client()).deals();
    if (out.mode === 'json') return out.json(list);
    type Row = Note & { dealName: string };
    const columns: Column<Row>[] = [
      { header: 'CLASS', value: (n) => n.className },
      { header: 'SENIORITY', value: (n) => n.seniority, align: 'right' },
      { header: 'RATING', value: (n) => n.rating },
      { header: 'COUPON', value: (n) => n.couponRate, format: (n) => `${fixed(n.couponRate, 3)}%`, align: 'right' },
      { header: 'ORIGINAL_FACE', value: (n) => n.originalFace, format: (n) => cash(n.originalFace), align: 'right' },
      { header: 'FACTOR', value: (n) => n.factor, format: (n) => fixed(n.factor, 8), align: 'right' },
      { header: 'ISIN', value: (n) => n.isin },
    ];
    const rows = (deal: (typeof list)[number]): Row[] =>
      [...(deal.notes ?? [])].sort((a, b) => a.seniority - b.seniority).map((n) => ({ ...n, dealName: deal.name }));
    // Piped or --csv: one table of every tranche with its deal, so the rows load as one file.
    if (out.mode !== 'table') return out.table([{ header: 'DEAL', value: (n) => n.dealName }, ...columns], list.flatMap(rows));
    for (const deal of list) {
      const c = deal.collateral;
      out.line(
        `${deal.name} — ${deal.dealType}; ${c.site}; ${c.capacityMw} MW, ${c.gpuCount} × ${c.gpuModel}; lessee ${c.lessee}, ${c.leaseTermMonths} months`,
      );
      out.table(columns, rows(deal));
      out.line();
    }
  },
};

const book: Command = {
  name: 'book',
  group: 'Market data',
  usage: 'book <note> [--depth N]',
  summary: 'the order book of a note (note: ISIN, class such as A-2, Meridian/B, or id)',
  async run({ args, out, client }) {
    const c = await client();
    const { note } = await resolveNote(c, positional(args, 0, 'a note (ISIN, class or id)'));
    const result = await c.book(note.id, integerFlag(args, 'depth', 1, 500) ?? 10);
    const rows: { side: string; level: BookLevel }[] = [
      ...result.asks.map((level) => ({ side: 'ask', level })).reverse(),
      ...result.bids.map((level) => ({ side: 'bid', level })),
    ];
    if (out.mode === 'table') out.line(`${note.name} (${note.isin}) — book seq ${result.seq}`);
    out.table(
      [
        { header: 'SIDE', value: (r) => r.side },
        { header: 'PRICE', value: (r) => r.level.price, format: (r) => price(r.level.price), align: 'right' },
        { header: 'QUANTITY', value: (r) => r.level.quantity, format: (r) => face(r.level.quantity), align: 'right' },
        { header: 'ORDERS', value: (r) => r.level.orders, align: 'right' },
      ],
      rows,
      { data: result, empty: 'the book is empty' },
    );
  },
};

const trades: Command = {
  name: 'trades',
  group: 'Market data',
  usage: 'trades [<note>] [--limit N]',
  summary: 'the public tape, newest first',
  async run({ args, out, client }) {
    const c = await client();
    const noteId = args.positionals[0] ? (await resolveNote(c, args.positionals[0])).note.id : undefined;
    const [tape, list, dealList] = await Promise.all([
      c.trades({ ...(noteId ? { noteId } : {}), limit: integerFlag(args, 'limit', 1, 1000) ?? 50 }),
      c.notes(),
      c.deals(),
    ]);
    const labels = noteLabels(list, dealList);
    out.table<TapeTrade>(
      [
        { header: 'TIME', value: (t) => t.executedAt, format: (t) => time(t.executedAt) },
        { header: 'NOTE', value: (t) => labels.get(t.noteId) ?? t.noteId },
        { header: 'PRICE', value: (t) => t.price, format: (t) => price(t.price), align: 'right' },
        { header: 'QUANTITY', value: (t) => t.quantity, format: (t) => face(t.quantity), align: 'right' },
      ],
      tape,
      { empty: 'no trades' },
    );
  },
};

const parties: Command = {
  name: 'parties',
  group: 'Back office',
  usage: 'parties',
  summary: 'parties (back office, operators)',
  async run({ out, client }) {
    out.table<Party>(
      [
        { header: 'NAME', value: (p) => p.name },
        { header: 'KIND', value: (p) => p.kind },
        { header: 'ELIGIBLE', value: (p) => String(p.eligible) },
        { header: 'ID', value: (p) => p.id },
      ],
      await (await client()).parties(),
    );
  },
};

const businessDate: Command = {
  name: 'business-date',
  group: 'Market data',
  usage: 'business-date',
  summary: 'the trading day that trades are dated with',
  async run({ out, client }) {
    const result = await (await client()).businessDate();
    if (out.mode === 'json') return out.json(result);
    out.line(result.businessDate);
  },
};

export const marketCommands: Command[] = [login, logout, whoami, notes, deals, book, trades, businessDate, parties];
