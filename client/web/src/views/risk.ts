/**
 * Portfolio risk: the party's look-through exposure by ultimate obligor, sponsor, GPU vendor, GPU
 * model or region (table, bar chart, CSV export), the relationship web of the obligor register
 * drawn as a graph with the party's obligor shares on it, and the concentration-limits form.
 * Investors and dealers see their own party; the back office picks any party.
 */
import type { ConcentrationLimit, ExposureDimension, ExposureReport, ExposureRow, ObligorRelationship } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { h, panel, replace, type Scope } from '../ui/dom.js';
import { downloadText } from '../ui/download.js';
import * as fmt from '../ui/format.js';
import { newestOnly } from '../ui/newest.js';
import { errorAlert, MessageSlot, okAlert, withBusy } from '../ui/notice.js';
import { dataTable } from '../ui/table.js';
import { scenarioPanel } from './risk-scenario.js';

const DIMENSIONS: readonly [ExposureDimension, string][] = [
  ['obligor', 'Ultimate obligor'],
  ['sponsor', 'Sponsor'],
  ['vendor', 'GPU vendor'],
  ['gpuModel', 'GPU model'],
  ['region', 'Region / power market'],
];
const SVG = 'http://www.w3.org/2000/svg';

function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Horizontal bars of each row's share (the share strings are drawn as widths, never summed). */
function barChart(rows: readonly ExposureRow[]): HTMLElement {
  const box = h('div', { testid: 'exposure-bars', class: 'bars' });
  for (const r of rows) {
    box.append(
      h(
        'div',
        { class: 'bar-row', style: 'display:flex;align-items:center;gap:8px;margin:2px 0' },
        h('span', { style: 'width:260px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap' }, r.name),
        h('span', {
          style: `display:inline-block;height:12px;background:#3b82f6;width:${Math.max(1, Math.round(Number(r.cashFlowSharePercent) * 4))}px`,
        }),
        h('span', { class: 'num' }, `${r.cashFlowSharePercent}%`),
      ),
    );
  }
  return box;
}

/** The relationship web: companies on a circle, deals in the middle, one line per relationship. */
function webGraph(relationships: readonly ObligorRelationship[], shares: ReadonlyMap<string, string>): SVGElement {
  const width = 760;
  const height = 520;
  const companies = [
    ...new Map(
      relationships.flatMap(
        (r) =>
          [[r.obligorId, r.obligorName], ...(r.counterpartyId ? [[r.counterpartyId, r.counterpartyName ?? '']] : [])] as [string, string][],
      ),
    ).entries(),
  ];
  const deals = [...new Map(relationships.filter((r) => r.dealId).map((r) => [r.dealId!, r.dealName ?? ''])).entries()];
  const at = new Map<string, [number, number]>();
  companies.forEach(([id], i) => {
    const angle = (2 * Math.PI * i) / companies.length;
    at.set(id, [width / 2 + 320 * Math.cos(angle), height / 2 + 220 * Math.sin(angle)]);
  });
  deals.forEach(([id], i) => at.set(id, [width / 2 + (i - (deals.length - 1) / 2) * 200, height / 2]));
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width: '100%',
    'data-testid': 'relationship-web',
    role: 'img',
    'aria-label': 'Relationship web of obligors, sponsors, vendors and deals',
  });
  const colour: Record<string, string> = {
    tenant_of: '#2563eb',
    sponsor_of: '#16a34a',
    gpu_vendor_to: '#9333ea',
    equity_investor_in: '#ea580c',
    lender_to: '#dc2626',
    customer_of: '#6b7280',
  };
  for (const r of relationships) {
    const from = at.get(r.obligorId);
    const to = at.get(r.dealId ?? r.counterpartyId ?? '');
    if (!from || !to) continue;
    const line = svg('line', {
      x1: from[0],
      y1: from[1],
      x2: to[0],
      y2: to[1],
      stroke: colour[r.type] ?? '#999',
      'stroke-width': 1.5,
      'data-type': r.type,
    });
    line.append(
      svg('title', {}, `${r.obligorName} ${r.type.replace(/_/g, ' ')} ${r.dealName ?? r.counterpartyName} (${r.source}, ${r.asOf})`),
    );
    root.append(line);
  }
  for (const [id, name] of deals) {
    const [x, y] = at.get(id)!;
    root.append(svg('rect', { x: x - 80, y: y - 14, width: 160, height: 28, rx: 4, fill: '#f1f5f9', stroke: '#334155' }));
    root.append(svg('text', { x, y: y + 4, 'text-anchor': 'middle', 'font-size': 10, fill: '#0f172a' }, name));
  }
  for (const [id, name] of companies) {
    const [x, y] = at.get(id)!;
    const share = shares.get(id);
    root.append(
      svg('circle', {
        cx: x,
        cy: y,
        r: share ? 6 + Math.min(20, Number(share) / 3) : 5,
        fill: share ? '#f59e0b' : '#cbd5e1',
        'data-company': name,
      }),
    );
    root.append(
      svg('text', { x, y: y - 10, 'text-anchor': 'middle', 'font-size': 10, fill: 'currentColor' }, share ? `${name} (${share}%)` : name),
    );
  }
  return root;
}

export async function riskView(app: AppContext, _scope: Scope): Promise<HTMLElement> {
  const message = new MessageSlot();
  const byInput = h(
    'select',
    { testid: 'exposure-by', 'aria-label': 'Exposure by' },
    DIMENSIONS.map(([v, label]) => h('option', { value: v }, label)),
  );
  const partyInput = app.seesAllParties
    ? h(
        'select',
        { testid: 'exposure-party', 'aria-label': 'Party' },
        [...app.parties.values()].map((p) => h('option', { value: p.id }, p.name)),
      )
    : null;
  const summary = h('div', { testid: 'exposure-summary', class: 'muted' });
  const bars = h('div', {});
  const web = h('div', {});
  const table = dataTable<ExposureRow>({
    testid: 'exposure-table',
    empty: 'No holdings.',
    rowKey: (r) => r.key,
    columns: [
      { label: 'Name', render: (r) => r.name },
      { label: 'Face', num: true, render: (r) => fmt.cash(r.face) },
      { label: 'Market value', num: true, render: (r) => fmt.cash(r.marketValue) },
      { label: 'Share %', num: true, render: (r) => r.cashFlowSharePercent },
    ],
  });
  const relationships = await app.client.relationships();
  const obligors = await app.client.obligors();

  const newest = newestOnly();
  const load = async () => {
    const current = newest();
    try {
      const partyId = partyInput?.value || undefined;
      const report: ExposureReport = await app.client.exposures(byInput.value as ExposureDimension, partyId);
      if (!current()) return;
      table.update(report.exposures);
      const marks = [...new Set(report.holdings.map((x) => x.markSource))].join(', ') || 'none';
      replace(
        summary,
        `Total market value ${fmt.cash(report.totalMarketValue)} · largest share ${report.largestSharePercent}% · Herfindahl ${report.herfindahl} · marks: ${marks}`,
      );
      replace(bars, barChart(report.exposures));
      const byObligor = report.by === 'obligor' ? report : await app.client.exposures('obligor', partyId);
      if (!current()) return;
      const shares = new Map<string, string>();
      for (const row of byObligor.exposures)
        for (const o of obligors) if (o.ultimateParentId === row.key) shares.set(o.id, row.cashFlowSharePercent);
      replace(web, webGraph(relationships, shares));
    } catch (error) {
      if (current()) replace(summary, errorAlert(error));
    }
  };
  byInput.addEventListener('change', () => void load());
  partyInput?.addEventListener('change', () => void load());

  const exportCsv = h('button', { class: 'small', testid: 'exposure-csv' }, 'Export CSV');
  exportCsv.addEventListener(
    'click',
    () =>
      void withBusy(exportCsv, message, async () => {
        downloadText(
          `exposure-${byInput.value}-${app.businessDate}.csv`,
          await app.client.exposuresCsv(byInput.value as ExposureDimension, partyInput?.value || undefined),
        );
      }),
  );

  const limitsPanel = app.canTrade ? await limitsForm(app) : null;
  await load();
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'page-title' },
      h('h1', {}, 'Portfolio risk'),
      h('span', { class: 'sub' }, 'Look-through exposure: who the holdings really depend on'),
    ),
    panel(
      'Exposure',
      h(
        'div',
        {},
        h('div', { class: 'row' }, h('div', { class: 'fit' }, byInput), partyInput ? h('div', { class: 'fit' }, partyInput) : null),
        summary,
        table.element,
        bars,
      ),
      { testid: 'exposure-panel', tools: exportCsv },
    ),
    message.element,
    panel("Relationship web (orange: the party's ultimate obligors, sized by share)", web, { testid: 'web-panel' }),
    scenarioPanel(app, obligors, () => partyInput?.value || undefined),
    limitsPanel,
  );
}

async function limitsForm(app: AppContext): Promise<HTMLElement> {
  const current = (await app.client.riskLimits()).limits;
  const status = h('div', { testid: 'limits-status' });
  const inputs = DIMENSIONS.map(([by, label]) => {
    const limit = current.find((l) => l.by === by);
    const max = h('input', {
      testid: `limit-${by}-max`,
      placeholder: 'max %',
      value: limit?.maxSharePercent ?? '',
      inputmode: 'decimal',
      'aria-label': `${label} limit, max %`,
    });
    const mode = h(
      'select',
      { testid: `limit-${by}-mode`, 'aria-label': `${label} limit mode` },
      h('option', { value: 'warn' }, 'warn'),
      h('option', { value: 'hard' }, 'hard'),
    );
    mode.value = limit?.mode ?? 'warn';
    return { by, label, max, mode };
  });
  const save = h('button', { testid: 'limits-save' }, 'Save limits');
  save.addEventListener(
    'click',
    () =>
      void (async () => {
        try {
          const limits: ConcentrationLimit[] = inputs
            .filter((i) => i.max.value.trim() !== '')
            .map((i) => ({ by: i.by, maxSharePercent: i.max.value.trim(), mode: i.mode.value as 'warn' | 'hard' }));
          const saved = await app.client.setRiskLimits(limits);
          replace(status, okAlert(`Saved ${saved.limits.length} limit(s).`, 'limits-saved'));
        } catch (error) {
          replace(status, errorAlert(error));
        }
      })(),
  );
  return panel(
    'Concentration limits (checked before every order and RFQ)',
    h(
      'div',
      {},
      ...inputs.map((i) =>
        h(
          'div',
          { class: 'row' },
          h('label', { class: 'fit', style: 'width:200px' }, i.label),
          h('div', { class: 'fit' }, i.max),
          h('div', { class: 'fit' }, i.mode),
        ),
      ),
      save,
      status,
    ),
    { testid: 'limits-panel' },
  );
}
