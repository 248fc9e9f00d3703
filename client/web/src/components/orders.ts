/**
 * Own open orders (live from the private `orders` feed; dealer quotes live in the quote grid) with cancel and cancel/replace — a new
 * price and/or total face typed in place — and own fills (live from `executions`) with the full
 * money breakdown. Both can be limited to one note. A refused cancel or replace shows the API's
 * message next to the table.
 */
import type { Execution, Note, Order } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { h, panel, type Scope } from '../ui/dom.js';
import * as fmt from '../ui/format.js';
import { MessageSlot, toast, withBusy } from '../ui/notice.js';
import { dataTable } from '../ui/table.js';
import { checkFace, checkPrice } from './ticket-rules.js';

const OPEN = new Set(['new', 'partially_filled']);

export function openOrdersPanel(app: AppContext, scope: Scope, note?: Note): HTMLElement {
  const message = new MessageSlot();
  let editing: string | null = null;
  let latest: Order[] = [];
  const noteOf = (order: Order) => note ?? app.note(order.noteId);

  const replaceEditor = (order: Order) => {
    const n = noteOf(order)!;
    const price = h('input', { class: 'num', value: order.price ?? '', testid: 'replace-price' });
    const face = h('input', { class: 'num', value: order.quantity, testid: 'replace-face' });
    const save = h('button', { class: 'small primary', testid: 'replace-save' }, 'Save');
    save.addEventListener('click', () => {
      const problem = checkPrice(n, price.value) ?? checkFace(n, face.value);
      if (problem) return message.error(new Error(problem), 'replace-error');
      const change = {
        ...(price.value !== order.price ? { price: fmt.cleanNumberInput(price.value) } : {}),
        ...(face.value !== order.quantity ? { quantity: fmt.cleanNumberInput(face.value) } : {}),
      };
      if (Object.keys(change).length === 0) return stopEditing();
      void withBusy(save, message, async () => {
        await app.client.replaceOrder(order.id, change);
        message.ok(`Order replaced: ${fmt.face(change.quantity ?? order.quantity)} at ${change.price ?? order.price}.`, 'replace-result');
        stopEditing();
      });
    });
    return { price, face, actions: [save, ' ', h('button', { class: 'small', onclick: () => stopEditing() }, 'Keep')] };
  };

  const stopEditing = () => {
    editing = null;
    table.update(latest);
  };

  const table = dataTable<Order>({
    testid: 'open-orders',
    empty: 'No open orders.',
    rowKey: (o) => o.id,
    flashNew: true,
    columns: [
      { label: 'Time', render: (o) => fmt.time(o.createdAt) },
      ...(note ? [] : [{ label: 'Note', render: (o: Order) => app.noteLabel(o.noteId) }]),
      { label: 'Side', render: (o) => h('span', { class: o.side === 'buy' ? 'bid' : 'ask' }, o.side.toUpperCase()) },
      { label: 'Price', num: true, decimals: true, render: (o) => (editing === o.id ? editorOf(o).price : fmt.price(o.price, noteOf(o))) },
      { label: 'Face', num: true, render: (o) => (editing === o.id ? editorOf(o).face : fmt.face(o.quantity)) },
      { label: 'Filled', num: true, render: (o) => fmt.face(o.filledQuantity) },
      { label: 'Leaves', num: true, render: (o) => fmt.face(o.leavesQuantity) },
      { label: 'TIF', render: (o) => o.timeInForce },
      { label: 'Status', render: (o) => h('span', { class: `pill ${o.status}` }, o.status.replace('_', ' ')) },
      {
        label: '',
        render: (o) =>
          editing === o.id
            ? editorOf(o).actions
            : [
                h(
                  'button',
                  { class: 'small', testid: 'order-replace', onclick: () => ((editing = o.id), (editor = null), table.update(latest)) },
                  'Replace',
                ),
                ' ',
                cancelButton(o),
              ],
      },
    ],
  });
  let editor: ReturnType<typeof replaceEditor> | null = null;
  const editorOf = (order: Order) => (editor ??= replaceEditor(order));

  const cancelButton = (order: Order) => {
    const button = h('button', { class: 'small danger', testid: 'order-cancel' }, 'Cancel');
    button.addEventListener(
      'click',
      () =>
        void withBusy(button, message, async () => {
          await app.client.cancelOrder(order.id);
          message.ok(`Order ${order.side} ${fmt.face(order.leavesQuantity)} at ${order.price} cancelled.`, 'cancel-result');
        }),
    );
    return button;
  };

  scope.add(
    app.live!.watchOrders((orders) => {
      latest = [...orders.values()]
        .filter((o) => OPEN.has(o.status) && o.source !== 'quote' && (!note || o.noteId === note.id))
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      if (editing && !latest.some((o) => o.id === editing)) editing = null;
      // Do not redraw under the user's fingers while a replace is being typed.
      if (!editing) table.update(latest);
    }),
  );
  return panel('Open orders', h('div', {}, message.element, h('div', { class: 'scroll' }, table.element)), {
    flush: true,
    testid: 'orders-panel',
  });
}

export function fillsPanel(app: AppContext, scope: Scope, note?: Note): HTMLElement {
  const table = dataTable<Execution>({
    testid: 'fills',
    empty: 'No fills yet.',
    rowKey: (e) => `${e.tradeId}:${e.side}`,
    flashNew: true,
    columns: [
      { label: 'Time', render: (e) => fmt.time(e.executedAt) },
      ...(note ? [] : [{ label: 'Note', render: (e: Execution) => app.noteLabel(e.noteId) }]),
      { label: 'Side', render: (e) => h('span', { class: e.side === 'buy' ? 'bid' : 'ask' }, e.side.toUpperCase()) },
      { label: 'Price', num: true, decimals: true, render: (e) => fmt.price(e.price, note ?? app.note(e.noteId)) },
      { label: 'Face', num: true, render: (e) => fmt.face(e.quantity) },
      { label: 'Principal', num: true, render: (e) => fmt.cash(e.principal) },
      { label: 'Accrued', num: true, render: (e) => fmt.cash(e.accruedInterest) },
      { label: 'Net amount', num: true, render: (e) => fmt.cash(e.netAmount) },
      { label: 'Settles', render: (e) => e.settlementDate },
      { label: 'Liq.', render: (e) => e.liquidity },
      { label: 'Venue', render: (e) => e.venue.toUpperCase() },
    ],
  });
  scope.add(
    app.live!.watchExecutions((executions, fresh) => {
      table.update(executions.filter((e) => !note || e.noteId === note.id));
      for (const e of fresh)
        toast(`Fill: ${e.side === 'buy' ? 'bought' : 'sold'} ${fmt.face(e.quantity)} ${app.noteLabel(e.noteId)} at ${e.price}`, 'ok');
    }),
  );
  return panel('Fills', h('div', { class: 'scroll' }, table.element), { flush: true, testid: 'fills-panel' });
}
