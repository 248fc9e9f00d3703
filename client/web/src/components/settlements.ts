/**
 * Back office settlement: the DVP instructions by settlement date and state (with fails' side, age
 * and charge, and — with the on-chain registry on — each transfer's state and transaction hash on
 * chain), a settlement run for a date (gross or net) with a live progress bar, and the open fails
 * across all dates. Tables export as CSV.
 */
import { runSettlementWithProgress, type Settlement, type SettlementStatus } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { field, h, panel, replace } from '../ui/dom.js';
import { downloadText, toCsv } from '../ui/download.js';
import * as fmt from '../ui/format.js';
import { errorAlert, MessageSlot, withBusy } from '../ui/notice.js';
import { dataTable, type Column } from '../ui/table.js';
import { chainCell } from './chain.js';
import { isIsoDate, isoDateInput } from '../ui/dates.js';
import { newestOnly } from '../ui/newest.js';

const STATUSES: (SettlementStatus | '')[] = ['', 'pending', 'settled', 'failed', 'cancelled'];
/** How soon instructions whose transfer is not on chain yet are read again. */
const CHAIN_FOLLOW_UP_MS = 2000;

const FAIL_SIDE_LABELS = { seller: 'seller (fails to deliver)', buyer: 'buyer (fails to pay)', both: 'both' } as const;

/** The amount it settles at; a trade re-amounted at a new factor shows the original below it. */
function netCell(s: Settlement): HTMLElement | string {
  if (!s.originalNetAmount) return fmt.cash(s.netAmount);
  return h(
    'span',
    { title: `re-amounted at the new factor; traded at ${fmt.cash(s.originalNetAmount)}` },
    fmt.cash(s.netAmount),
    h('div', { class: 'muted' }, `was ${fmt.cash(s.originalNetAmount)}`),
  );
}

function columns(app: AppContext, onChain: boolean): Column<Settlement>[] {
  const chain: Column<Settlement>[] = onChain
    ? [
        {
          label: 'On chain',
          title: 'The settled transfer on the on-chain registry, and its transaction',
          render: (s) => chainCell(s.registry ?? null),
        },
      ]
    : [];
  return [
    { label: 'Trade date', render: (s) => s.tradeDate },
    { label: 'Settles', render: (s) => s.settlementDate },
    { label: 'Note', render: (s) => app.noteLabel(s.noteId) },
    { label: 'Buyer', render: (s) => app.partyName(s.buyerPartyId) },
    { label: 'Seller', render: (s) => app.partyName(s.sellerPartyId) },
    { label: 'Face', num: true, render: (s) => fmt.face(s.quantity) },
    { label: 'Net amount', num: true, render: netCell },
    { label: 'Status', render: (s) => h('span', { class: `pill ${s.status}` }, s.status) },
    {
      label: 'Fail side',
      title: 'seller: failure to deliver; buyer: failure to pay',
      render: (s) => (s.failedSide === null ? '' : FAIL_SIDE_LABELS[s.failedSide]),
    },
    { label: 'Age (bd)', num: true, render: (s) => (s.failAgeBusinessDays === null ? '' : String(s.failAgeBusinessDays)) },
    {
      label: 'Fail charge',
      num: true,
      title: 'TMPG: charged to a seller that fails to deliver; a failure to pay carries none',
      render: (s) => (s.status === 'failed' || s.failSince ? fmt.cash(s.failCharge) : ''),
    },
    { label: 'Charged to', render: (s) => (s.failChargePayer === 'seller' ? app.partyName(s.sellerPartyId) : '') },
    { label: 'Mode', render: (s) => s.settlementMode ?? '' },
    ...chain,
  ];
}

export function settlementsCsv(app: AppContext, list: readonly Settlement[], onChain = false): string {
  const chainHeaders = onChain ? ['chain_status', 'tx_hash', 'block_number'] : [];
  return toCsv(
    [
      'instruction_id',
      'trade_id',
      'trade_date',
      'settlement_date',
      'note',
      'isin',
      'buyer',
      'seller',
      'face',
      'net_amount',
      'status',
      'failed_side',
      'fail_age_business_days',
      'fail_charge',
      'settled_date',
      'mode',
      ...chainHeaders,
    ],
    list.map((s) => [
      s.id,
      s.tradeId,
      s.tradeDate,
      s.settlementDate,
      app.noteLabel(s.noteId),
      app.note(s.noteId)?.isin,
      app.partyName(s.buyerPartyId),
      app.partyName(s.sellerPartyId),
      s.quantity,
      s.netAmount,
      s.status,
      s.failedSide,
      s.failAgeBusinessDays,
      s.failCharge,
      s.settledDate,
      s.settlementMode,
      ...(onChain ? [s.registry?.status ?? null, s.registry?.txHash ?? null, s.registry?.blockNumber ?? null] : []),
    ]),
  );
}

export interface SettlementsPanel {
  element: HTMLElement;
  reload(): Promise<void>;
}

/** `onChain`: the on-chain registry is on, so each instruction shows its transfer's state and hash on chain. */
export function settlementsPanel(app: AppContext, onChain = false): SettlementsPanel {
  // Empty: every date. Re-read on a valid date only (ISO text: the shown date is the same in every locale).
  const date = isoDateInput(app.businessDate, { testid: 'settlements-date', 'aria-label': 'Settling on' }, () => void reload(), true);
  const status = h(
    'select',
    { testid: 'settlements-status', 'aria-label': 'State' },
    STATUSES.map((s) => h('option', { value: s }, s === '' ? 'all states' : s)),
  );
  const slot = h('div');
  let latest: Settlement[] = [];
  const table = dataTable<Settlement>({
    testid: 'settlements',
    empty: 'No settlement instructions for this date and state.',
    rowKey: (s) => s.id,
    columns: columns(app, onChain),
  });
  let followUp: ReturnType<typeof setTimeout> | null = null;
  const newest = newestOnly();
  const reload = async () => {
    const current = newest();
    try {
      const answer = await app.client.settlements({
        ...(date.value ? { date: date.value } : {}),
        ...(status.value ? { status: status.value as SettlementStatus } : {}),
        limit: 1000,
      });
      if (!current()) return;
      latest = answer;
      table.update(latest);
      replace(slot);
      // Settled transfers reach the chain shortly after the run: read again until none is pending,
      // for as long as the panel is on screen.
      if (followUp) clearTimeout(followUp);
      followUp =
        onChain && latest.some((s) => s.registry?.status === 'pending')
          ? setTimeout(() => void (table.element.isConnected && reload()), CHAIN_FOLLOW_UP_MS)
          : null;
    } catch (error) {
      if (current()) replace(slot, errorAlert(error));
    }
  };
  status.addEventListener('change', () => void reload());
  const csv = h(
    'button',
    {
      class: 'small',
      testid: 'settlements-csv',
      onclick: () => downloadText(`settlements-${date.value || 'all'}.csv`, settlementsCsv(app, latest, onChain)),
    },
    'CSV',
  );
  void reload();
  return {
    element: panel('Settlement instructions', h('div', {}, slot, h('div', { class: 'scroll' }, table.element)), {
      flush: true,
      testid: 'settlements-panel',
      tools: [h('span', { class: 'muted nowrap' }, 'settling on'), date, status, csv],
    }),
    reload,
  };
}

export function runPanel(app: AppContext, onDone: () => void): HTMLElement {
  const date = isoDateInput(app.businessDate, { testid: 'run-date' });
  const mode = h(
    'select',
    { testid: 'run-mode' },
    h('option', { value: 'gross' }, 'gross (one entry per trade)'),
    h('option', { value: 'net' }, 'net (per party and note)'),
  );
  const bar = h('div', { class: 'progress', hidden: true }, h('div'));
  const progress = h('div', { class: 'muted', testid: 'run-progress' });
  const message = new MessageSlot();
  const run = h('button', { class: 'primary', testid: 'run-settlement' }, 'Run settlement');
  run.addEventListener(
    'click',
    () =>
      void withBusy(run, message, async () => {
        if (!isIsoDate(date.value)) throw new Error(`"${date.value}" is not a date: write it as YYYY-MM-DD, e.g. ${app.businessDate}.`);
        bar.hidden = false;
        (bar.firstChild as HTMLElement).style.width = '0%';
        replace(progress, 'starting…');
        const summary = await runSettlementWithProgress(app.client, { date: date.value, mode: mode.value as 'gross' | 'net' }, (r) => {
          (bar.firstChild as HTMLElement).style.width = `${r.total === 0 ? 100 : Math.floor((r.processed * 100) / r.total)}%`;
          replace(progress, `${r.processed} of ${r.total} processed · ${r.settled} settled · ${r.failed} failed`);
        });
        (bar.firstChild as HTMLElement).style.width = '100%';
        replace(progress, `${summary.due} due · ${summary.settled} settled · ${summary.failed} failed · ${summary.durationMs} ms`);
        message.ok(
          `Run ${summary.runId} for ${summary.date} (${summary.mode}): ${summary.settled} settled, ${summary.failed} failed of ${summary.due} due.`,
          'run-result',
        );
        onDone();
      }),
  );
  return panel(
    'Run settlement',
    h(
      'div',
      {},
      h('div', { class: 'row' }, field('Settle everything due on or before', date), field('Mode', mode), h('div', { class: 'fit' }, run)),
      bar,
      progress,
      message.element,
    ),
    { testid: 'run-panel' },
  );
}

export function failsPanel(app: AppContext): SettlementsPanel {
  const slot = h('div');
  // Half a page wide: what a fail needs (its side, age, charge and who pays it), not the run's columns.
  const failColumns = columns(app, false).filter((c) => !['Trade date', 'Face', 'Status', 'Mode'].includes(String(c.label)));
  const table = dataTable<Settlement>({ testid: 'fails', empty: 'No open fails.', rowKey: (s) => s.id, columns: failColumns });
  const reload = async () => {
    try {
      table.update(await app.client.settlements({ status: 'failed', limit: 1000 }));
      replace(slot);
    } catch (error) {
      replace(slot, errorAlert(error));
    }
  };
  void reload();
  return {
    element: panel('Fails', h('div', {}, slot, h('div', { class: 'scroll' }, table.element)), { flush: true, testid: 'fails-panel' }),
    reload,
  };
}
