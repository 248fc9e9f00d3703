/**
 * The dealer's RFQ inbox, live from the private `rfqs` feed: each request addressed to this dealer
 * with the investor's side and size, a countdown to its expiry, this dealer's current answer, and
 * an answer box (price, validity). Rows are built once per RFQ and updated in place, so typing an
 * answer is never interrupted by other RFQs arriving or by the countdowns.
 */
import type { Rfq } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { h, panel, replace, type Scope } from '../ui/dom.js';
import { countdown, startCountdowns } from '../ui/countdown.js';
import * as fmt from '../ui/format.js';
import { toast, withBusy, MessageSlot } from '../ui/notice.js';
import { checkPrice } from './ticket-rules.js';

const VALIDITY_SECONDS = [10, 20, 30, 60, 120];

interface InboxRow {
  element: HTMLTableRowElement;
  status: HTMLElement;
  answer: HTMLElement;
  box: HTMLElement;
}

export function rfqInbox(app: AppContext, scope: Scope): HTMLElement {
  const tbody = h('tbody');
  const empty = h(
    'tr',
    {},
    h('td', { class: 'empty', colspan: '5' }, 'No RFQs addressed to you. New requests appear here as they arrive.'),
  );
  const seen = new Set<string>();
  const rows = new Map<string, InboxRow>();
  const message = new MessageSlot();

  const build = (rfq: Rfq): InboxRow => {
    const note = app.note(rfq.noteId);
    const what = `${app.noteLabel(rfq.noteId)} ${fmt.face(rfq.quantity)}`;
    const price = h('input', {
      class: 'num',
      placeholder: 'price',
      testid: 'rfq-answer-price',
      autocomplete: 'off',
      'aria-label': `Answer price for ${what}`,
    });
    const validity = h(
      'select',
      { testid: 'rfq-answer-validity', 'aria-label': `Answer valid for (${what})` },
      VALIDITY_SECONDS.map((s) => h('option', { value: String(s), selected: s === 30 }, `${s} s`)),
    );
    const send = h('button', { class: 'small primary', testid: 'rfq-answer-send' }, 'Answer');
    const error = h('div', { class: 'field-error' });
    send.addEventListener('click', () => {
      const problem = note ? checkPrice(note, price.value) : null;
      error.textContent = problem ?? '';
      if (problem) return;
      void withBusy(send, message, async () => {
        await app.client.respondToRfq(rfq.id, { price: fmt.cleanNumberInput(price.value), validForSeconds: Number(validity.value) });
        message.ok(`Answered ${app.noteLabel(rfq.noteId)} ${fmt.face(rfq.quantity)} at ${price.value}.`, 'rfq-answer-result');
      });
    });
    const box = h('div', { class: 'answer-box' }, price, validity, send);
    const row: InboxRow = {
      element: h(
        'tr',
        { 'data-rfq': rfq.id, testid: 'rfq-row', title: `received ${fmt.time(rfq.createdAt)}` },
        h(
          'td',
          {},
          app.noteLabel(rfq.noteId),
          h(
            'div',
            { class: rfq.side === 'buy' ? 'bid small-text' : 'ask small-text' },
            rfq.side === 'buy' ? 'Investor buys' : 'Investor sells',
          ),
        ),
        h('td', { class: 'num' }, fmt.face(rfq.quantity)),
        h('td', { class: 'num' }, countdown(rfq.expiresAt, 'rfq-countdown')),
        h('td', { class: 'num', testid: 'rfq-my-answer' }),
        h('td', {}, box, error),
      ),
      status: h('span'),
      answer: h('span'),
      box,
    };
    return row;
  };

  const update = (rfq: Rfq) => {
    let row = rows.get(rfq.id);
    if (!row) {
      row = build(rfq);
      rows.set(rfq.id, row);
      tbody.insertBefore(row.element, tbody.firstChild);
      empty.remove();
    }
    const mine = rfq.responses.find((r) => r.status !== 'replaced');
    const answerCell = row.element.querySelector('[data-testid="rfq-my-answer"]')!;
    replace(
      answerCell,
      mine
        ? [
            fmt.price(mine.price, app.note(rfq.noteId), false),
            ' ',
            h('span', { class: `pill ${mine.status}` }, mine.status.replace('_', ' ')),
          ]
        : h('span', { class: 'muted' }, 'not answered'),
    );
    const open = rfq.status === 'open';
    row.element.classList.toggle('stale', !open);
    row.box.hidden = !open;
    if (!open) replace(row.element.lastElementChild!, h('span', { class: `pill ${rfq.status}` }, rfq.status));
  };

  scope.add(
    app.live!.watchRfqs((rfqs, changed) => {
      for (const rfq of [...rfqs.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt))) update(rfq);
      for (const rfq of changed) {
        if (rfq.status !== 'open' || seen.has(rfq.id)) continue;
        seen.add(rfq.id);
        toast(`RFQ: investor ${rfq.side === 'buy' ? 'buys' : 'sells'} ${fmt.face(rfq.quantity)} ${app.noteLabel(rfq.noteId)}`);
      }
      if (rows.size === 0 && !empty.isConnected) tbody.appendChild(empty);
    }),
  );
  tbody.appendChild(empty);
  const table = h(
    'table',
    { testid: 'rfq-inbox' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'Request'),
        h('th', { class: 'num' }, 'Face'),
        h('th', { class: 'num' }, 'Expires'),
        h('th', { class: 'num' }, 'My answer'),
        h('th', {}, 'Answer'),
      ),
    ),
    tbody,
  );
  const body = h('div', {}, message.element, h('div', { class: 'scroll' }, table));
  startCountdowns(body, scope);
  return panel('Incoming RFQs', body, { flush: true, testid: 'rfq-inbox-panel' });
}
