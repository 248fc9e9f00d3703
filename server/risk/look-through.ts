/**
 * What the exposure module reads, from the database and the sequencer's memory:
 * - each deal's look-through: ultimate obligors by share of monthly rent in the deal's latest
 *   performance report (latest version of the latest period; tenants' obligorName matched to the
 *   companies by name and rolled up to the top parent; without a report, the `tenant_of`
 *   relationships' rent), sponsors and GPU vendors from the relationships (ultimate parent; the
 *   deal's own sponsor text when none is recorded), GPU models by the latest report's fleet value
 *   marked by the GPU value index on the business date (else appraised; without a report the
 *   deal's model), regions by rent per site's power market;
 * - a party's trade-date holdings: settled ledger face plus trades not yet settled;
 * - each note's mark: the book's mid, else the last trade, else the model price (the projection
 *   engine's base scenario, server/risk/model-price.ts), else par — the response says which.
 */
import type { Knex } from 'knex';
import { Decimal } from '../domain/decimal.js';
import { CASH_ASSET } from '../ledger/types.js';
import type { Sequencer } from '../sequencer/sequencer.js';
import { equalWeights, regionOfSite, weightsFrom, type DealLookThrough, type Holding } from './exposure.js';
import { obligorIndex } from './obligors.js';
import { allGpuSeries, markedFleet } from '../collateral/gpu-values.js';
import { currentBusinessDate } from '../businessdate/index.js';

type Db = Knex | Knex.Transaction;

interface ReportTenants {
  tenants: { obligorName: string; site?: string; monthlyRent: string }[];
  gpuFleet: { model: string; appraisedValue: string; appraisalDate: string }[];
}

function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** The look-through of every deal, keyed by deal id. */
export async function dealLookThrough(db: Db): Promise<Map<string, DealLookThrough>> {
  const obligors = await obligorIndex(db);
  const byName = new Map([...obligors.values()].map((o) => [o.name.toLowerCase(), o]));
  const ultimate = (obligorName: string) => {
    const o = byName.get(obligorName.toLowerCase());
    return o
      ? { key: o.ultimateParentId, name: o.ultimateParentName }
      : { key: `unmapped:${obligorName}`, name: `${obligorName} (not in the obligor register)` };
  };
  const deals: { id: string; sponsor: string; gpu_model: string }[] = await db('deals').select('id', 'sponsor', 'gpu_model');
  const reports: { deal_id: string; report: unknown }[] = await db('performance_reports as p')
    .select('p.deal_id', 'p.report')
    .whereRaw(
      '(p.period_end, p.version) = (select period_end, version from performance_reports q where q.deal_id = p.deal_id order by period_end desc, version desc limit 1)',
    );
  const reportOf = new Map(reports.map((r) => [r.deal_id, json<ReportTenants>(r.report)]));
  // GPU models weigh by the fleet's value marked by the GPU value index today (collateral/gpu-values.ts).
  const series = await allGpuSeries(db, [...new Set([...reportOf.values()].flatMap((r) => r.gpuFleet.map((g) => g.model)))]);
  const businessDate = await currentBusinessDate(db);
  const relationships: { obligor_id: string; type: string; deal_id: string; monthly_rent: string | null; name: string }[] = await db(
    'obligor_relationships as r',
  )
    .join('obligors as o', 'o.id', 'r.obligor_id')
    .whereNotNull('r.deal_id')
    .whereIn('r.type', ['tenant_of', 'sponsor_of', 'gpu_vendor_to'])
    .select('r.obligor_id', 'r.type', 'r.deal_id', 'r.monthly_rent', 'o.name');
  const result = new Map<string, DealLookThrough>();
  for (const deal of deals) {
    const related = (type: string) => relationships.filter((r) => r.deal_id === deal.id && r.type === type);
    const report = reportOf.get(deal.id);
    const rents =
      report && report.tenants.length > 0
        ? report.tenants.map((t) => ({ obligorName: t.obligorName, site: t.site ?? '', rent: new Decimal(t.monthlyRent) }))
        : related('tenant_of').map((r) => ({ obligorName: r.name, site: '', rent: new Decimal(r.monthly_rent ?? 0) }));
    const sponsors = related('sponsor_of').map((r) => ultimate(r.name));
    const models =
      report && report.gpuFleet.length > 0
        ? markedFleet(report.gpuFleet, series, businessDate).map((g) => ({ key: g.model, name: g.model, amount: g.markedValue }))
        : [{ key: deal.gpu_model, name: deal.gpu_model, amount: new Decimal(1) }];
    result.set(deal.id, {
      obligor: weightsFrom(rents.map((r) => ({ ...ultimate(r.obligorName), amount: r.rent }))),
      sponsor:
        sponsors.length > 0
          ? equalWeights(sponsors)
          : equalWeights([{ key: `unmapped:${deal.sponsor}`, name: `${deal.sponsor} (not in the obligor register)` }]),
      vendor: equalWeights(related('gpu_vendor_to').map((r) => ultimate(r.name))),
      gpuModel: weightsFrom(models),
      region: weightsFrom(rents.map((r) => ({ ...(regionOfSite(r.site) ?? { key: 'unknown', name: 'Unknown region' }), amount: r.rent }))),
    });
  }
  return result;
}

/** A party's original face per note on trade date: settled ledger face ± trades awaiting settlement. */
export async function tradeDatePositions(db: Db, partyId: string): Promise<Map<string, Decimal>> {
  const settled: { asset: string; total: string }[] = await db('ledger_accounts')
    .where({ party_id: partyId })
    .whereNot('asset', CASH_ASSET)
    .select('asset', 'total');
  const pending: { note_id: string; quantity: string; buyer_party_id: string }[] = await db('trades as t')
    .leftJoin('settlement_instructions as s', 's.trade_id', 't.id')
    .where((q) => q.where('t.buyer_party_id', partyId).orWhere('t.seller_party_id', partyId))
    .where((q) => q.whereNull('s.id').orWhereIn('s.status', ['pending', 'failed']))
    .select('t.note_id', 't.quantity', 't.buyer_party_id');
  const positions = new Map<string, Decimal>();
  for (const s of settled) positions.set(s.asset, new Decimal(s.total));
  for (const p of pending) {
    const signed = p.buyer_party_id === partyId ? new Decimal(p.quantity) : new Decimal(p.quantity).negated();
    positions.set(p.note_id, (positions.get(p.note_id) ?? new Decimal(0)).plus(signed));
  }
  for (const [noteId, face] of positions) if (face.isZero()) positions.delete(noteId);
  return positions;
}

export type MarkSource = 'mid' | 'last' | 'model' | 'par';
export interface Mark {
  price: Decimal;
  source: MarkSource;
}
/** The seam for the projection engine: base-scenario model prices of the notes it can project (others left out). */
export type ModelPrice = (noteIds: readonly string[]) => Promise<ReadonlyMap<string, Decimal>>;

/** No model: unmarked notes are valued at par. */
export const NO_MODEL: ModelPrice = async () => new Map();

export interface NoteTerms {
  noteId: string;
  dealId: string;
  factor: Decimal;
}

export async function noteTerms(db: Db): Promise<Map<string, NoteTerms>> {
  const rows: { id: string; deal_id: string; factor: string }[] = await db('notes').select('id', 'deal_id', 'factor');
  return new Map(rows.map((r) => [r.id, { noteId: r.id, dealId: r.deal_id, factor: new Decimal(r.factor) }]));
}

/** Marks of the given notes: mid from the sequencer's books (memory), else last trade (one query), else model, else par. */
export async function marks(
  db: Db,
  sequencer: Sequencer | null,
  noteIds: readonly string[],
  model: ModelPrice = NO_MODEL,
): Promise<Map<string, Mark>> {
  const result = new Map<string, Mark>();
  if (sequencer?.ready) {
    sequencer.view((state) => {
      for (const noteId of noteIds) {
        const instrument = state.instruments.get(noteId);
        const bid = state.engine.bestBid(noteId);
        const ask = state.engine.bestAsk(noteId);
        if (instrument && bid !== null && ask !== null)
          result.set(noteId, { price: instrument.ticksToPrice(bid).plus(instrument.ticksToPrice(ask)).div(2), source: 'mid' });
      }
    });
  }
  const missing = noteIds.filter((id) => !result.has(id));
  if (missing.length > 0) {
    const last: { note_id: string; price: string }[] = await db('trades as t')
      .whereIn('t.note_id', missing)
      .whereRaw('t.executed_at = (select max(executed_at) from trades u where u.note_id = t.note_id)')
      .select('t.note_id', 't.price');
    for (const l of last) result.set(l.note_id, { price: new Decimal(l.price), source: 'last' });
  }
  const unmarked = noteIds.filter((id) => !result.has(id));
  const modelled = unmarked.length > 0 ? await model(unmarked) : new Map<string, Decimal>();
  for (const noteId of unmarked) {
    const price = modelled.get(noteId);
    result.set(noteId, price ? { price, source: 'model' } : { price: new Decimal(100), source: 'par' });
  }
  return result;
}

/** Holdings valued: current face = original × factor, market value = current face × mark / 100. */
export function valueHoldings(
  positions: ReadonlyMap<string, Decimal>,
  terms: ReadonlyMap<string, NoteTerms>,
  noteMarks: ReadonlyMap<string, Mark>,
): Holding[] {
  const holdings: Holding[] = [];
  for (const [noteId, originalFace] of positions) {
    const note = terms.get(noteId);
    const mark = noteMarks.get(noteId);
    if (!note || !mark || originalFace.lte(0)) continue;
    const face = originalFace.mul(note.factor);
    holdings.push({ noteId, dealId: note.dealId, face, marketValue: face.mul(mark.price).div(100) });
  }
  return holdings;
}
