/**
 * The dealer's RFQ inbox, live from the private `rfqs` feed: each request addressed to this dealer
 * with the investor's side and size, a countdown to its expiry, this dealer's current answer, and
 * an answer box (price, validity) — or a pass with an optional reason (POST /rfqs/:id/decline).
 * Rows are built once per RFQ and updated in place, so typing an answer is never interrupted by
 * other RFQs arriving or by the countdowns. Answers may be entered as a spread in bp (the Price /
 * Spread toggle); the row then shows the price the server derived.
 */
import type { Rfq } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { h, panel, replace, type Scope } from '../ui/dom.js';
import { countdown, startCountdowns } from '../ui/countdown.js';
import * as fmt from '../ui/format.js';
import { toast, withBusy, MessageSlot } from '../ui/notice.js';
import { checkPrice } from './ticket-rules.js';
import { checkSpread, derivedText, entryModeToggle, spreadValue } from './spread-entry.js';

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
  // Answers as a price, or as a spread in bp from which the server derives the price (issue 17).
  const entryMode = entryModeToggle('rfq-entry-mode', (mode) => {
    for (const input of tbody.querySelectorAll<HTMLInputElement>('[data-testid="rfq-answer-price"]')) {
      input.value = '';
      input.placeholder = mode === 'spread' ? 'spread bp' : 'price';
    }
  });

  const build = (rfq: Rfq): InboxRow => {
    const note = app.note(rfq.noteId);
    const what = `${app.noteLabel(rfq.noteId)} ${fmt.face(rfq.quantity)}`;
    const price = h('input', {
      class: 'num',
      placeholder: entryMode.mode() === 'spread' ? 'spread bp' : 'price',
      testid: 'rfq-answer-price',
      autocomplete: 'off',
      'aria-label': `Answer for ${what} (price, or spread in bp)`,
    });
    const validity = h(
      'select',
      { testid: 'rfq-answer-validity', 'aria-label': `Answer valid for (${what})` },
      VALIDITY_SECONDS.map((s) => h('option', { value: String(s), selected: s === 30 }, `${s} s`)),
    );
    const send = h('button', { class: 'small primary', testid: 'rfq-answer-send' }, 'Answer');
    const error = h('div', { class: 'field-error' });
    const derived = h('div', { class: 'derived', testid: 'rfq-answer-derived' });
    send.addEventListener('click', () => {
      const spread = entryMode.mode() === 'spread';
      const problem = spread ? checkSpread(price.value) : note ? checkPrice(note, price.value) : null;
      error.textContent = problem ?? '';
      if (problem) return;
      void withBusy(send, message, async () => {
        const validForSeconds = Number(validity.value);
        const answer = await app.client.respondToRfq(
          rfq.id,
          spread ? { spreadBp: spreadValue(price.value), validForSeconds } : { price: fmt.cleanNumberInput(price.value), validForSeconds },
        );
        // An answer entered as a spread: the server derived the price (base scenario, to the ARD, nearest tick).
        derived.textContent = answer.pricedFromSpread ? derivedText(answer.pricedFromSpread) : '';
        message.ok(
          `Answered ${app.noteLabel(rfq.noteId)} ${fmt.face(rfq.quantity)} at ${answer.price ?? price.value}${spread ? ` (${price.value} bp)` : ''}.`,
          'rfq-answer-result',
        );
      });
    });
    const reason = h('input', {
      class: 'reason',
      placeholder: 'reason',
      maxlength: '500',
      'aria-label': 'Reason for passing (optional)',
      testid: 'rfq-decline-reason',
      autocomplete: 'off',
    });
    const pass = h('button', { class: 'small danger', testid: 'rfq-decline', title: 'Decline this RFQ (withdraws your answer)' }, 'Pass');
    pass.addEventListener('click', () => {
      void withBusy(pass, message, async () => {
        const text = reason.value.trim();
        await app.client.declineRfq(rfq.id, text === '' ? undefined : text);
        message.ok(`Passed on ${app.noteLabel(rfq.noteId)} ${fmt.face(rfq.quantity)}${text ? `: ${text}` : ''}.`, 'rfq-decline-result');
      });
    });
    const box = h('div', { class: 'answer-box' }, price, validity, send, reason, pass);
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
        h('td', {}, box, error, derived),
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
            mine.price === null ? '' : fmt.price(mine.price, app.note(rfq.noteId), false),
            mine.spreadBp ? ` (${mine.spreadBp.startsWith('-') ? '' : '+'}${mine.spreadBp} bp)` : '',
            ' ',
            h('span', { class: `pill ${mine.status}`, title: mine.reason ?? undefined }, mine.status.replace('_', ' ')),
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
  return panel('Incoming RFQs', body, { flush: true, testid: 'rfq-inbox-panel', tools: entryMode.element });
}
