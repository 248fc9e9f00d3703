/**
 * A note's terms, its deal's collateral facts (site, capacity, GPUs, lessee, lease term) and the
 * deal's capital structure: the tranches by seniority with their current balances, share of the
 * structure and credit enhancement (the current balance subordinated to each class).
 */
import type { Deal, Note } from '../../../sdk/index.js';
import { Decimal } from '../money/domain.js';
import { h, panel } from '../ui/dom.js';
import * as fmt from '../ui/format.js';
import { dataTable } from '../ui/table.js';
import { frequencyLabel } from '../views/markets.js';

function kv(pairs: [string, string][], testid?: string, mono = false): HTMLElement {
  return h(
    'dl',
    { class: mono ? 'kv mono' : 'kv', testid },
    pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
  );
}

export function termsPanel(note: Note): HTMLElement {
  return panel(
    'Terms',
    kv(
      [
        ['ISIN', note.isin],
        ['Coupon', `${note.couponType} ${fmt.percent(note.couponRate, 3)}`],
        ['Day count', note.dayCount],
        ['Frequency', frequencyLabel(note.frequency)],
        ['Issued', note.issueDate],
        ['First coupon', note.firstCouponDate],
        ['Maturity', note.maturityDate],
        ['Original face', fmt.cash(note.originalFace)],
        ['Factor', fmt.factor(note.factor)],
        ['Current balance', fmt.cash(new Decimal(note.originalFace).mul(note.factor).toFixed(2))],
        ['Tick', `${fmt.tickLabel(note)} (${note.tickSize})`],
        ['Min / increment', `${fmt.face(note.minDenomination)} / ${fmt.face(note.increment)}`],
        ['Settlement', `T+${note.settlementDays}`],
      ],
      'terms',
      true,
    ),
    { testid: 'terms-panel' },
  );
}

export function collateralPanel(deal: Deal): HTMLElement {
  const c = deal.collateral;
  return panel(
    'Collateral',
    h(
      'div',
      {},
      h('h3', {}, deal.name),
      h('p', { class: 'muted' }, deal.description),
      kv(
        [
          ['Sponsor', deal.sponsor],
          ['Issuer', deal.issuer],
          ['Type', deal.dealType],
          ['Closing', deal.closingDate],
          ['Site', c.site],
          ['Capacity', `${fmt.decimal(c.capacityMw, 0)} MW`],
          ['GPUs', `${fmt.decimal(String(c.gpuCount), 0)} × ${c.gpuModel}`],
          ['Lessee / offtaker', c.lessee],
          ['Lease term', `${c.leaseTermMonths} months`],
        ],
        'collateral',
      ),
    ),
    { testid: 'collateral-panel' },
  );
}

interface Tranche {
  note: Note;
  balance: Decimal;
  share: Decimal;
  enhancement: Decimal;
}

export function capitalStructurePanel(deal: Deal, current: Note): HTMLElement {
  const notes = [...(deal.notes ?? [])].sort((a, b) => a.seniority - b.seniority || a.className.localeCompare(b.className));
  const balances = notes.map((n) => new Decimal(n.originalFace).mul(n.factor));
  const total = balances.reduce((sum, b) => sum.add(b), new Decimal(0));
  const tranches: Tranche[] = notes.map((note, i) => {
    const junior = balances.slice(i + 1).reduce((sum, b) => sum.add(b), new Decimal(0));
    return {
      note,
      balance: balances[i]!,
      share: total.isZero() ? new Decimal(0) : balances[i]!.div(total).mul(100),
      enhancement: total.isZero() ? new Decimal(0) : junior.div(total).mul(100),
    };
  });
  const table = dataTable<Tranche>(
    {
      testid: 'capital-structure',
      empty: 'This deal lists no notes.',
      rowClass: (t) => (t.note.id === current.id ? 'best' : undefined),
      columns: [
        {
          label: 'Class',
          render: (t) =>
            t.note.id === current.id ? h('b', {}, t.note.className) : h('a', { href: `/notes/${t.note.id}` }, t.note.className),
        },
        { label: 'Rating', render: (t) => t.note.rating },
        { label: 'Coupon', num: true, render: (t) => fmt.percent(t.note.couponRate, 3) },
        { label: 'Balance', num: true, render: (t) => fmt.cash(t.balance.toFixed(2)) },
        { label: 'Share', num: true, render: (t) => fmt.percent(t.share.toFixed(), 1) },
        {
          label: 'CE',
          num: true,
          title: 'Credit enhancement: the current balance subordinated to this class',
          render: (t) => fmt.percent(t.enhancement.toFixed(), 1),
        },
      ],
    },
    tranches,
  );
  return panel('Capital structure (by seniority)', table.element, { flush: true, testid: 'capital-panel' });
}
