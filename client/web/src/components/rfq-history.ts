/**
 * The dealer's RFQ history with its outcome statistics: the own row of GET /rfq-statistics
 * (received, answered, done, covered, not chosen, expired, no response, declined, hit ratio) and
 * every RFQ addressed to this dealer, newest first, with its answer and outcome as this dealer can
 * know it (won, not chosen, declined with the reason, no response, expired, open). Re-read when
 * an RFQ changes on the live `rfqs` feed.
 */
import '../desk.css';
import type { Rfq, RfqStatistics } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { Decimal } from '../money/domain.js';
import { h, panel, replace, type Child, type Scope } from '../ui/dom.js';
import { downloadText, toCsv } from '../ui/download.js';
import * as fmt from '../ui/format.js';
import { errorAlert } from '../ui/notice.js';
import { dataTable } from '../ui/table.js';

const HISTORY_SHOWN = 100;

export type DealerOutcome = 'open' | 'won' | 'not chosen' | 'declined' | 'no response' | 'expired' | 'cancelled';

/** The outcome of an RFQ for the dealer who sees it (only its own answers are visible to it). */
export function dealerOutcome(rfq: Rfq): DealerOutcome {
  const mine = rfq.responses.filter((r) => r.status !== 'replaced');
  if (mine.some((r) => r.status === 'declined')) return 'declined';
  if (rfq.status === 'open') return 'open';
  if (rfq.status === 'cancelled') return 'cancelled';
  if (rfq.acceptedResponseId && mine.some((r) => r.id === rfq.acceptedResponseId)) return 'won';
  if (mine.length === 0) return 'no response';
  return rfq.status === 'done' ? 'not chosen' : 'expired';
}

const OUTCOME_CLASS: Record<DealerOutcome, string> = {
  open: 'open',
  won: 'done',
  'not chosen': 'pending',
  declined: 'declined',
  'no response': 'expired',
  expired: 'expired',
  cancelled: 'cancelled',
};

function statsList(stats: RfqStatistics | undefined): Child {
  if (!stats) return h('div', { class: 'muted' }, 'No RFQs received yet.');
  const item = (label: string, value: string | number, title?: string) =>
    h('div', { title }, h('dt', {}, label), h('dd', { testid: `rfq-stat-${label.toLowerCase().replace(/\s+/g, '-')}` }, String(value)));
  return h(
    'dl',
    { class: 'desk-stats', testid: 'rfq-stats' },
    item('Received', stats.received),
    item('Answered', stats.answered),
    item('Done', stats.done, 'Answered and chosen'),
    item('Covered', stats.covered, 'Answered second best on an RFQ that traded'),
    item('Not chosen', stats.notChosen),
    item('Expired', stats.expired),
    item('No response', stats.noResponse),
    item('Declined', stats.declined),
    // The API's hit ratio is a fraction with 4 decimals (done / answered): shown as a percent.
    item('Hit ratio', stats.hitRatio === null ? '—' : fmt.percent(new Decimal(stats.hitRatio).mul(100).toFixed(), 1), 'Done / answered'),
  );
}

export function rfqHistoryPanel(app: AppContext, scope: Scope): HTMLElement {
  const stats = h('div', { testid: 'rfq-stats-slot' });
  const slot = h('div');
  let rows: Rfq[] = [];
  const mineOf = (rfq: Rfq) => rfq.responses.find((r) => r.status !== 'replaced');
  const table = dataTable<Rfq>({
    testid: 'rfq-history',
    empty: 'No RFQs yet.',
    rowKey: (r) => r.id,
    columns: [
      { label: 'Received', render: (r) => fmt.dateTime(r.createdAt) },
      { label: 'Note', render: (r) => app.noteLabel(r.noteId) },
      { label: 'Investor', render: (r) => h('span', { class: r.side === 'buy' ? 'bid' : 'ask' }, r.side === 'buy' ? 'buys' : 'sells') },
      { label: 'Face', num: true, render: (r) => fmt.face(r.quantity) },
      { label: 'My answer', num: true, render: (r) => fmt.price(mineOf(r)?.price ?? null, app.note(r.noteId)) },
      {
        label: 'Outcome',
        render: (r) => {
          const outcome = dealerOutcome(r);
          return h('span', { class: `pill ${OUTCOME_CLASS[outcome]}`, testid: 'rfq-outcome' }, outcome);
        },
      },
      { label: 'Reason', render: (r) => h('span', { class: 'clip', testid: 'rfq-reason' }, mineOf(r)?.reason ?? '') },
    ],
  });
  const load = async () => {
    try {
      const [history, statistics] = await Promise.all([
        app.client.rfqs({ status: 'all', limit: HISTORY_SHOWN }),
        app.client.rfqStatistics(),
      ]);
      rows = [...history].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
      table.update(rows);
      replace(stats, statsList(statistics.find((s) => s.dealerPartyId === app.session?.user.partyId)));
      replace(slot);
    } catch (error) {
      replace(slot, errorAlert(error));
    }
  };
  void load();
  scope.add(app.live!.watchRfqs((_all, changed) => changed.length > 0 && void load()));
  const csv = h(
    'button',
    {
      class: 'small',
      testid: 'rfq-history-csv',
      onclick: () =>
        downloadText(
          `rfq-history-${app.businessDate}.csv`,
          toCsv(
            ['rfq_id', 'created_at', 'note', 'investor_side', 'face', 'my_answer', 'outcome', 'reason'],
            rows.map((r) => [
              r.id,
              r.createdAt,
              app.noteLabel(r.noteId),
              r.side,
              r.quantity,
              mineOf(r)?.price ?? '',
              dealerOutcome(r),
              mineOf(r)?.reason ?? '',
            ]),
          ),
        ),
    },
    'CSV',
  );
  return panel('RFQ history', h('div', {}, stats, slot, h('div', { class: 'scroll' }, table.element)), {
    flush: true,
    testid: 'rfq-history-panel',
    tools: [h('button', { class: 'small', onclick: () => void load() }, 'Refresh'), csv],
  });
}
