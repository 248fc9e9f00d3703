/**
 * A settlement's or trade's state on the on-chain registry, for table cells: a pill (on chain,
 * pending, refused, superseded) and, once published, the transaction hash (short, full value in
 * its title, copyable). Not settled yet: a dash. Registry never on (`registry` absent): nothing.
 */
import type { ChainState, OutboxStatus } from '../../../sdk/index.js';
import { h, type Child } from '../ui/dom.js';
import { hexValue } from '../ui/hash.js';

const LABELS: Record<OutboxStatus, string> = {
  pending: 'pending',
  published: 'on chain',
  failed_permanently: 'refused',
  superseded: 'superseded',
};
const PILL_CLASS: Record<OutboxStatus, string> = { pending: 'pending', published: 'settled', failed_permanently: 'failed', superseded: '' };

export function chainStatusPill(status: OutboxStatus, title?: string | null): HTMLElement {
  return h('span', { class: `pill ${PILL_CLASS[status]}`.trim(), title: title ?? status, testid: 'chain-status' }, LABELS[status]);
}

export function chainCell(state: ChainState | null | undefined): Child {
  if (state === undefined) return '';
  if (state === null) return h('span', { class: 'muted', title: 'goes on chain when it settles' }, '—');
  const why = state.lastError ? `${state.status}: ${state.lastError}` : state.status;
  return h(
    'span',
    { class: 'chain-cell' },
    chainStatusPill(state.status, why),
    state.txHash ? hexValue(state.txHash, 'tx-hash') : null,
    !state.txHash && state.lastError ? h('span', { class: 'muted small-text clip', title: state.lastError }, state.lastError) : null,
  );
}

/** Whether any row carries an on-chain state: the registry has been on, so the column is shown. */
export function carriesChainState(rows: readonly { registry?: unknown }[]): boolean {
  return rows.some((row) => row.registry !== undefined);
}
