/**
 * The order ticket: side, price in % of par, face, time in force (with an expiry for GTD). While
 * typing it shows what the trade would book — settlement date, current face, principal, accrued
 * interest, net amount and yield — computed by the server's own domain functions (money/domain.ts).
 * Invalid fields are explained before anything is sent; a rejection shows the API's message.
 */
import { newClOrdId, type Note, type OrderResult, type TimeInForce } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { previewTrade } from '../money/domain.js';
import { ardFigures, spreadLabel } from '../money/ard.js';
import { field, h, panel, replace, type Scope } from '../ui/dom.js';
import * as fmt from '../ui/format.js';
import { MessageSlot } from '../ui/notice.js';
import { parseLocalDateTime } from '../ui/dates.js';
import { checkTicket, type TicketField, type TicketInput } from './ticket-rules.js';
import { bandProblem, bandText, loadBand } from './price-band.js';
import type { PriceBand } from '../../../sdk/index.js';

const TIME_IN_FORCE: { value: TimeInForce; label: string }[] = [
  { value: 'GTC', label: 'GTC — good till cancelled' },
  { value: 'DAY', label: 'DAY — expires at end of day' },
  { value: 'IOC', label: 'IOC — immediate or cancel' },
  { value: 'FOK', label: 'FOK — fill or kill' },
  { value: 'GTD', label: 'GTD — good till date' },
];

export interface Ticket {
  element: HTMLElement;
  setPrice(price: string, side?: 'buy' | 'sell'): void;
}

/**
 * `scope`: the view's lifetime; while it lasts the ticket follows the live link and is disabled
 * whenever the link is not live (reconnecting, offline): prices on screen may be stale then.
 */
export function orderTicket(app: AppContext, note: Note, scope?: Scope): Ticket {
  let side: 'buy' | 'sell' = 'buy';
  let linkDown = false;
  let sending = false;
  let attempted = false;
  const touched = new Set<TicketField>();
  const buy = h('button', { type: 'button', class: 'on buy-on', testid: 'ticket-buy', onclick: () => setSide('buy') }, 'Buy');
  const sell = h('button', { type: 'button', testid: 'ticket-sell', onclick: () => setSide('sell') }, 'Sell');
  const price = h('input', { class: 'num', inputmode: 'decimal', placeholder: 'e.g. 99.5', testid: 'ticket-price', autocomplete: 'off' });
  const face = h('input', {
    class: 'num',
    inputmode: 'numeric',
    placeholder: fmt.face(note.minDenomination),
    testid: 'ticket-face',
    autocomplete: 'off',
  });
  const tif = h(
    'select',
    { testid: 'ticket-tif' },
    TIME_IN_FORCE.map((t) => h('option', { value: t.value }, t.label)),
  );
  // ISO text, not datetime-local (which shows the locale's 12/09/2026, 05:00 PM).
  const expireAt = h('input', {
    testid: 'ticket-expire',
    placeholder: 'YYYY-MM-DD HH:MM',
    pattern: '\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}',
    autocomplete: 'off',
  });
  const expireField = field(
    'Expires at (your local time, YYYY-MM-DD HH:MM)',
    expireAt,
    h('div', { class: 'field-error', testid: 'error-expireAt' }),
  );
  const errors: Record<TicketField, HTMLElement> = {
    price: h('div', { class: 'field-error', testid: 'error-price' }),
    face: h('div', { class: 'field-error', testid: 'error-face' }),
    expireAt: expireField.querySelector('.field-error') as HTMLElement,
    note: h('div', { class: 'field-error', testid: 'error-note' }),
  };
  const preview = h('dl', { class: 'kv mono', testid: 'ticket-preview' });
  // The price band the server checks the price against (refreshed when the price field is entered and after each order).
  let band: PriceBand | null = null;
  const bandLine = h('div', { class: 'muted', testid: 'ticket-band' });
  const bandWarning = h('div', { class: 'field-error', testid: 'ticket-band-warning' });
  const reloadBand = async () => {
    band = await loadBand(app, note.id);
    bandLine.textContent = band ? bandText(band, note) : '';
    refresh();
  };
  const submit = h('button', { type: 'submit', class: 'buy', testid: 'ticket-submit' }, 'Buy');
  const message = new MessageSlot();
  const linkLine = h('div', { class: 'alert info', testid: 'ticket-paused', hidden: true, role: 'status' });
  const enable = () => (submit.disabled = linkDown || sending);
  const unsubscribe = app.live?.onStatus((status) => {
    linkDown = status !== 'live';
    linkLine.hidden = !linkDown;
    linkLine.textContent = linkDown ? 'Orders paused: the live link is reconnecting, so prices on screen may be stale.' : '';
    enable();
  });
  if (unsubscribe) scope?.add(unsubscribe);

  const input = (): TicketInput => ({
    side,
    price: fmt.cleanNumberInput(price.value),
    face: fmt.cleanNumberInput(face.value),
    timeInForce: tif.value as TimeInForce,
    expireAt: expireAt.value,
  });

  const setSide = (next: 'buy' | 'sell') => {
    side = next;
    buy.className = side === 'buy' ? 'on buy-on' : '';
    sell.className = side === 'sell' ? 'on sell-on' : '';
    submit.className = side;
    refresh();
  };

  const refresh = () => {
    const current = input();
    const problems = checkTicket(note, current, Date.now());
    for (const key of Object.keys(errors) as TicketField[]) {
      const text = attempted || touched.has(key) || key === 'note' ? (problems.get(key) ?? '') : '';
      errors[key].textContent = text;
    }
    price.classList.toggle('invalid', (attempted || touched.has('price')) && problems.has('price'));
    bandWarning.textContent = problems.has('price') ? '' : (bandProblem(band, current.price) ?? '');
    face.classList.toggle('invalid', (attempted || touched.has('face')) && problems.has('face'));
    expireField.hidden = current.timeInForce !== 'GTD';
    submit.textContent = `${side === 'buy' ? 'Buy' : 'Sell'}${current.face && !problems.has('face') ? ` ${fmt.face(current.face)}` : ''}${current.price && !problems.has('price') ? ` @ ${current.price}` : ''}`;
    renderPreview(current, problems);
    return problems;
  };

  const ardText = (price: string): string => {
    const a = ardFigures(app, note.id, price, () => refresh());
    return a ? `${fmt.yieldPercent(a.yieldToArdPercent)} / ${spreadLabel(a.spreadBp)}` : '…';
  };

  const renderPreview = (current: TicketInput, problems: Map<TicketField, string>) => {
    if (problems.has('price') || problems.has('face')) {
      replace(preview, h('dt', {}, 'Net amount'), h('dd', { class: 'muted' }, 'enter a valid price and face'));
      return;
    }
    try {
      const p = previewTrade(note, app.businessDate, current.face, current.price);
      replace(
        preview,
        h('dt', {}, 'Settlement date'),
        h('dd', { testid: 'preview-settlement' }, p.settlementDate),
        h('dt', {}, `Current face (× ${fmt.factor(note.factor)})`),
        h('dd', {}, fmt.cash(p.currentFace)),
        h('dt', {}, 'Principal'),
        h('dd', { testid: 'preview-principal' }, fmt.cash(p.principal)),
        h('dt', {}, `Accrued interest from ${p.accrualStart}`),
        h('dd', { testid: 'preview-accrued' }, fmt.cash(p.accruedInterest)),
        h(
          'div',
          { class: 'net contents' },
          h('dt', {}, side === 'buy' ? 'Net amount you pay' : 'Net amount you receive'),
          h('dd', { testid: 'preview-net' }, fmt.cash(p.netAmount)),
        ),
        h('dt', {}, 'Yield to maturity at this price'),
        h('dd', { testid: 'preview-yield' }, fmt.yieldPercent(p.yieldPercent)),
        h('dt', {}, 'Yield / spread to the ARD (base scenario)'),
        h('dd', { testid: 'preview-ard' }, ardText(current.price)),
      );
    } catch (error) {
      replace(preview, h('dt', {}, 'Preview'), h('dd', { class: 'muted' }, (error as Error).message));
    }
  };

  const send = async (event: Event) => {
    event.preventDefault();
    attempted = true;
    const problems = refresh();
    if (problems.size > 0) {
      message.clear();
      (problems.has('price') ? price : problems.has('face') ? face : expireAt).focus();
      return;
    }
    if (linkDown) return;
    const current = input();
    sending = true;
    enable();
    message.clear();
    try {
      const result = await app.client.placeOrder({
        clOrdId: newClOrdId('web'),
        noteId: note.id,
        side: current.side,
        type: 'limit',
        price: current.price,
        quantity: current.face,
        timeInForce: current.timeInForce,
        ...(current.timeInForce === 'GTD' ? { expireAt: parseLocalDateTime(current.expireAt)!.toISOString() } : {}),
      });
      const breaches = (result.warnings ?? []).flatMap((w) => w.breaches);
      // A warn-mode concentration limit accepts the order and says by how much it is over.
      const warning = breaches
        .map(
          (b) => ` Concentration warning: ${b.name} ${b.sharePercentAfter}% of portfolio value (limit ${b.maxSharePercent}% by ${b.by}).`,
        )
        .join('');
      message.ok(outcome(result) + warning, 'ticket-result');
    } catch (error) {
      message.error(error, 'ticket-error');
    } finally {
      sending = false;
      enable();
      void reloadBand();
    }
  };

  for (const [element, key] of [
    [price, 'price'],
    [face, 'face'],
    [expireAt, 'expireAt'],
  ] as const) {
    element.addEventListener('input', () => (touched.add(key), refresh()));
  }
  tif.addEventListener('change', () => refresh());
  price.addEventListener('focus', () => void reloadBand());

  const form = h(
    'form',
    { onsubmit: send, testid: 'ticket', novalidate: true },
    h('div', { class: 'seg' }, buy, sell),
    errors.note,
    field(`Price (% of par, tick ${fmt.tickLabel(note)})`, price, errors.price),
    bandLine,
    bandWarning,
    field(`Face (min ${fmt.face(note.minDenomination)}, increment ${fmt.face(note.increment)})`, face, errors.face),
    field('Time in force', tif),
    expireField,
    h('div', { class: 'preview' }, preview),
    h('div', { class: 'row mt' }, submit),
    linkLine,
    message.element,
  );
  refresh();
  void reloadBand();
  return {
    element: panel('Order ticket', form, { testid: 'ticket-panel' }),
    setPrice: (value, nextSide) => {
      price.value = value;
      touched.add('price');
      if (nextSide) setSide(nextSide);
      else refresh();
    },
  };
}

function outcome(result: OrderResult): string {
  const { order, fills } = result;
  const filled = fmt.face(order.filledQuantity);
  if (order.status === 'filled')
    return `Filled ${filled} at ${order.averagePrice ?? order.price} (${fills.length} fill${fills.length === 1 ? '' : 's'}).`;
  if (order.status === 'partially_filled')
    return `Partially filled ${filled}; ${fmt.face(order.leavesQuantity)} resting at ${order.price}.`;
  if (order.status === 'new') return `Order working: ${fmt.face(order.leavesQuantity)} at ${order.price} (${order.timeInForce}).`;
  return `Order ${order.status}${order.rejectReason ? `: ${order.rejectReason}` : ''}; filled ${filled}.`;
}
