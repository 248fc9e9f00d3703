/**
 * The back office's view of the on-chain registry (shown only when it is on): its mode, chain and
 * contract address, the outbox counts and its newest rows with their state, transaction hash and
 * last error, and the reconciliation's registry breaks. A break that a forced transfer repairs
 * offers "Repair by forced transfer": the server's suggested movement, sent with a reason code
 * the back office picks (and an optional note), recorded with the repair on chain.
 *
 * Status and outbox refresh every few seconds while the page is open; the breaks (a full
 * reconciliation) only on request and after a repair has gone on chain.
 */
import {
  REPAIR_REASONS,
  type OutboxRow,
  type ReconciliationBreak,
  type RegistryStatus,
  type RepairSuggestion,
} from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { field, h, replace, panel, type Child, type Scope } from '../ui/dom.js';
import * as fmt from '../ui/format.js';
import { hexValue } from '../ui/hash.js';
import { errorAlert, MessageSlot, okAlert, withBusy } from '../ui/notice.js';
import { dataTable } from '../ui/table.js';
import { chainStatusPill } from './chain.js';

const OUTBOX_ROWS_SHOWN = 50;
const REFRESH_MS = 5000;

function summary(status: RegistryStatus): HTMLElement {
  const counts = status.outbox;
  const fact = (label: string, value: Child, testid?: string) =>
    h('span', { class: 'fact' }, h('span', { class: 'muted' }, label), ' ', h('b', { testid }, value));
  return h(
    'div',
    { class: 'registry-summary', testid: 'registry-summary' },
    fact('Mode', status.mode, 'registry-mode'),
    fact('Chain', status.connected ? `connected · id ${status.chainId ?? '?'}` : 'not connected', 'registry-connected'),
    fact('Contract', status.contractAddress ? hexValue(status.contractAddress, 'registry-contract') : '—'),
    fact('Pending', String(counts.pending), 'registry-pending'),
    fact('Published', String(counts.published), 'registry-published'),
    fact('Refused', String(counts.failedPermanently), 'registry-failed'),
    fact('Superseded', String(counts.superseded), 'registry-superseded'),
    counts.oldestPendingAt ? fact('Oldest pending', fmt.dateTime(counts.oldestPendingAt)) : null,
  );
}

function outboxTable(app: AppContext) {
  const party = (id: string | null) => (id ? app.partyName(id) : '');
  return dataTable<OutboxRow>({
    testid: 'registry-outbox',
    empty: 'The outbox is empty.',
    rowKey: (r) => r.id,
    columns: [
      { label: '#', num: true, render: (r) => r.id },
      { label: 'Kind', render: (r) => r.kind.replace('_', ' ') },
      { label: 'Reference', render: (r) => h('span', { class: 'clip', title: r.settlementRef }, r.settlementRef) },
      {
        label: 'Note',
        render: (r) =>
          r.noteId ? app.noteLabel(r.noteId) : r.noteIds ? `${r.noteIds.length} note${r.noteIds.length === 1 ? '' : 's'}` : '',
      },
      { label: 'From', render: (r) => (r.kind === 'recover' ? hexValue(r.fromAddress ?? '', 'outbox-from') : party(r.fromPartyId)) },
      {
        label: 'To',
        render: (r) => (r.kind === 'recover' || r.kind === 'allow_list' ? hexValue(r.toAddress ?? '', 'outbox-to') : party(r.toPartyId)),
      },
      { label: 'Face', num: true, render: (r) => fmt.face(r.amount) },
      { label: 'Status', render: (r) => chainStatusPill(r.status, r.lastError) },
      { label: 'Tx', render: (r) => (r.txHash ? hexValue(r.txHash, 'outbox-tx') : '') },
      { label: 'Block', num: true, render: (r) => (r.blockNumber === null ? '' : String(r.blockNumber)) },
      { label: 'Tries', num: true, render: (r) => String(r.attempts) },
      { label: 'Detail', render: (r) => detail(r) },
    ],
  });
}

function detail(row: OutboxRow): Child {
  const text = row.lastError ?? (row.reasonCode ? `${row.reasonCode}${row.reason ? `: ${row.reason}` : ''}` : '');
  return text ? h('span', { class: `clip ${row.lastError ? 'neg' : 'muted'}`, title: text }, text) : '';
}

/** A break's entity in words: party and note, outbox row, or a hash or address to copy. */
function entityLabel(app: AppContext, entity: string): Child {
  const [type, first, second] = entity.split(':');
  if (type === 'party' && first && second) return `${app.partyName(first)} · ${app.noteLabel(second)}`;
  if (type === 'outbox' && first) return `outbox row ${first}`;
  if ((type === 'tx' || type === 'address') && first) return hexValue(first, `break-${type}`);
  return entity;
}

/** The form that sends a suggested repair with the reason the back office picks. */
function repairForm(app: AppContext, onSent: (row: OutboxRow) => void) {
  const message = new MessageSlot();
  const what = h('div', { class: 'repair-what', testid: 'repair-what' });
  const reason = h(
    'select',
    { testid: 'repair-reason' },
    REPAIR_REASONS.map((r) => h('option', { value: r }, r)),
  );
  const note = h('input', { testid: 'repair-note', placeholder: 'why (recorded with the repair)', maxlength: '500' });
  const send = h('button', { class: 'primary', testid: 'repair-send' }, 'Send forced transfer');
  const cancel = h('button', { testid: 'repair-cancel' }, 'Cancel');
  const element = h(
    'div',
    { class: 'repair-form', hidden: true, testid: 'repair-form' },
    what,
    h(
      'div',
      { class: 'row' },
      field('Reason code', reason),
      field('Note', note),
      h('div', { class: 'fit' }, send),
      h('div', { class: 'fit' }, cancel),
    ),
    message.element,
  );
  let current: RepairSuggestion | null = null;
  cancel.addEventListener('click', () => ((element.hidden = true), (current = null)));
  send.addEventListener(
    'click',
    () =>
      void withBusy(send, message, async () => {
        if (!current) return;
        const { resolvesOutboxId, ...movement } = current;
        const row = await app.client.forcedTransfer({
          ...movement,
          reasonCode: reason.value as (typeof REPAIR_REASONS)[number],
          ...(note.value.trim() ? { reason: note.value.trim() } : {}),
          ...(resolvesOutboxId ? { resolvesOutboxId } : {}),
        });
        element.hidden = true;
        current = null;
        onSent(row);
      }),
  );
  return {
    element,
    open(repair: RepairSuggestion) {
      current = repair;
      message.clear();
      note.value = '';
      reason.value = 'RECONCILIATION_REPAIR';
      replace(
        what,
        `Move ${fmt.face(repair.amount)} of ${app.noteLabel(repair.noteId)} on chain from ${app.partyName(repair.fromPartyId)} to ${app.partyName(repair.toPartyId)}`,
        repair.resolvesOutboxId ? `, resolving outbox row ${repair.resolvesOutboxId}.` : '.',
      );
      element.hidden = false;
      reason.focus();
    },
  };
}

export function registryPanel(app: AppContext, scope: Scope, initial: RegistryStatus): HTMLElement {
  const message = new MessageSlot();
  const summarySlot = h('div', {}, summary(initial));
  const outbox = outboxTable(app);
  const breaksSummary = h('div', { testid: 'registry-breaks-summary' });
  // Its own slot, so checking the breaks does not wipe the outcome of a repair shown above.
  const breaksMessage = new MessageSlot();
  let shownOutbox = '';

  const form = repairForm(app, (row) => {
    message.ok(
      `Forced transfer queued as outbox row ${row.id} (${row.reasonCode}); the breaks are checked again once it is on chain.`,
      'repair-result',
    );
    void refresh().then(() => afterPublished(row.id));
  });
  const breaks = dataTable<ReconciliationBreak>({
    testid: 'registry-breaks',
    empty: 'No registry breaks.',
    rowKey: (b) => `${b.kind}:${b.entity}`,
    columns: [
      { label: 'Kind', render: (b) => b.kind.replace('registry_', '').replace(/_/g, ' ') },
      { label: 'Entity', render: (b) => entityLabel(app, b.entity) },
      { label: 'Expected', num: true, render: (b) => b.expected },
      { label: 'Actual', num: true, render: (b) => b.actual },
      { label: 'Difference', num: true, render: (b) => b.difference, cellClass: () => 'neg' },
      { label: 'What', render: (b) => h('span', { class: 'clip wide', title: b.message }, b.message) },
      {
        label: '',
        render: (b) =>
          b.repair
            ? h('button', { class: 'small', testid: 'repair-open', onclick: () => form.open(b.repair!) }, 'Repair by forced transfer')
            : '',
      },
    ],
  });

  const refresh = async () => {
    try {
      const [status, rows] = await Promise.all([
        app.client.registryStatus(),
        app.client.registryOutbox({ order: 'desc', limit: OUTBOX_ROWS_SHOWN }),
      ]);
      replace(summarySlot, summary(status));
      // Redraw only on a change, so a copy button or a hover is not swept away every few seconds.
      const key = JSON.stringify(rows);
      if (key !== shownOutbox) outbox.update(rows);
      shownOutbox = key;
    } catch (error) {
      replace(summarySlot, errorAlert(error, 'registry-error'));
    }
  };
  const check = h('button', { class: 'small', testid: 'registry-check' }, 'Check breaks');
  const checkBreaks = () =>
    withBusy(check, breaksMessage, async () => {
      const report = await app.client.reconciliation();
      const found = report.breaks.filter((b) => b.kind.startsWith('registry_'));
      breaks.update(found);
      replace(
        breaksSummary,
        found.length === 0
          ? okAlert(`No registry breaks: the chain agrees with the ledger (checked ${fmt.dateTime(report.checkedAt)}).`, 'registry-clean')
          : h(
              'div',
              { class: 'alert error', testid: 'registry-dirty' },
              `${found.length} registry break${found.length === 1 ? '' : 's'} (checked ${fmt.dateTime(report.checkedAt)}).`,
            ),
      );
    });
  /** Checks the breaks again once the repair has left the queue (or after about 15 s). */
  const afterPublished = async (outboxId: string) => {
    for (let attempt = 0; attempt < 30; attempt++) {
      const [row] = await app.client.registryOutbox({ afterId: String(BigInt(outboxId) - 1n), limit: 1 });
      if (row && row.status !== 'pending') break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await refresh();
    await checkBreaks();
  };
  check.addEventListener('click', () => void checkBreaks());
  const reload = h('button', { class: 'small', testid: 'registry-refresh', onclick: () => void refresh() }, 'Refresh');
  scope.interval(() => void refresh(), REFRESH_MS);
  void refresh();
  void checkBreaks();

  return panel(
    'On-chain registry',
    h(
      'div',
      {},
      h('div', { class: 'body' }, summarySlot, message.element),
      h('h3', { class: 'subhead' }, `Outbox, newest first (last ${OUTBOX_ROWS_SHOWN})`),
      h('div', { class: 'scroll' }, outbox.element),
      h('h3', { class: 'subhead' }, 'Registry breaks'),
      h('div', { class: 'body' }, breaksMessage.element, breaksSummary, form.element),
      breaks.element,
    ),
    { flush: true, testid: 'registry-panel', tools: [check, reload] },
  );
}
