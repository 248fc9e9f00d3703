/**
 * The deal's latest performance metrics and trigger status, for the note page next to the book:
 * the period, DSCR (period and 3-month average) against the waterfall's DSCR triggers (v2 `triggers`), LTV
 * (as reported, and marked by the GPU value index today, which the LTV triggers are tested on),
 * concentration, utilization, uptime, and a link to the deal's surveillance charts.
 */
import type { Deal } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { h, panel, replace } from '../ui/dom.js';
import * as fmt from '../ui/format.js';
import { errorAlert } from '../ui/notice.js';
import { breaches, triggerLevels } from './metric-chart.js';

export function dealMetricsPanel(app: AppContext, deal: Deal): HTMLElement {
  const body = h('div', { testid: 'note-deal-metrics' }, h('p', { class: 'muted' }, 'Loading…'));
  void (async () => {
    try {
      const [reports, waterfall, ltv] = await Promise.all([
        app.client.performanceReports(deal.id),
        app.client.waterfall(deal.id).catch(() => null),
        app.client.dealLtv(deal.id).catch(() => null),
      ]);
      const latest = reports[0];
      if (!latest) return replace(body, h('p', { class: 'muted empty-state' }, 'No performance report for this deal yet.'));
      const m = latest.metrics;
      // Each DSCR trigger of the waterfall tested on the latest report, as servicing tests it
      // (its metric, comparison and threshold); whether it is on (cure periods) is the trustee report's.
      const status = triggerLevels(waterfall, ['dscrThreeMonthAverage', 'dscr']).map(({ trigger, label, value: threshold }) => {
        const value = m[trigger.metric as 'dscr' | 'dscrThreeMonthAverage'];
        const breached = value !== null && breaches(trigger, value);
        return h(
          'span',
          { class: `pill ${breached ? 'failed' : 'settled'}`, testid: 'trigger-status' },
          `${trigger.metric === 'dscr' ? 'Period DSCR' : '3-month average DSCR'} — ${label} ${threshold}×: ${breached ? 'breached' : 'passing'}`,
        );
      });
      // LTV triggers are tested on the LTV marked by the GPU value index (as servicing tests them).
      const marked = ltv?.points.at(-1) ?? null;
      const markedLtv = marked?.markedLtvPercent ?? m.ltvPercent;
      status.push(
        ...triggerLevels(waterfall, ['ltvPercent']).map(({ trigger, label, value: threshold }) => {
          const breached = markedLtv !== null && breaches(trigger, markedLtv);
          return h(
            'span',
            { class: `pill ${breached ? 'failed' : 'settled'}`, testid: 'trigger-status' },
            `LTV (marked) — ${label} ${threshold}%: ${breached ? 'breached' : 'passing'}`,
          );
        }),
      );
      const row = (label: string, value: string) => h('tr', {}, h('td', {}, label), h('td', { class: 'num' }, value));
      const or = (value: string | null, places: number, suffix = '') => (value === null ? '—' : `${fmt.decimal(value, places)}${suffix}`);
      replace(
        body,
        h('p', { class: 'muted' }, `Period ending ${latest.periodEnd} (version ${latest.version})`),
        h(
          'table',
          {},
          h(
            'tbody',
            {},
            row('DSCR (period)', or(m.dscr, 2, '×')),
            row('DSCR (3-month average)', or(m.dscrThreeMonthAverage, 2, '×')),
            row('LTV', or(m.ltvPercent, 2, '%')),
            marked ? row(`LTV marked by the GPU index (${marked.date})`, or(marked.markedLtvPercent, 2, '%')) : null,
            row('Largest tenant (leased MW)', or(m.largestTenantSharePercent, 2, '%')),
            row('Top 5 tenants', or(m.top5TenantSharePercent, 2, '%')),
            row('Utilization', or(m.utilizationPercent, 2, '%')),
            row('Uptime', or(m.uptimePercent, 2, '%')),
            row('WAL remaining', or(m.walTermYears, 2, ' yrs')),
          ),
        ),
        status.length > 0
          ? h('div', { class: 'row' }, status)
          : h('p', { class: 'muted' }, "No DSCR or LTV trigger in this deal's waterfall."),
        h('a', { href: `/surveillance/${deal.id}`, testid: 'note-surveillance-link' }, 'Charts and history'),
      );
    } catch (error) {
      replace(body, errorAlert(error));
    }
  })();
  return panel('Deal performance', body, { testid: 'deal-metrics-panel' });
}
