/**
 * The investor's RFQ panel: ask every dealer for a firm price on a note and size, watch the
 * answers arrive live (each with its yield and the net amount it would book, the best one marked),
 * and accept one — normally the best — before it expires. Earlier RFQs stay listed with their outcome.
 */
import type { Note, Rfq, RfqResponse } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { checkFace } from '../components/ticket-rules.js';
import { Decimal, previewTrade, yieldAt } from '../money/domain.js';
import { field, h, panel, replace, type Scope } from '../ui/dom.js';
import { countdown, startCountdowns } from '../ui/countdown.js';
import * as fmt from '../ui/format.js';
import { MessageSlot, withBusy } from '../ui/notice.js';
import { dataTable } from '../ui/table.js';

/** The answer an investor should take: the lowest price to buy, the highest to sell; open ones only. */
export function bestResponse(rfq: Rfq, nowMs = Date.now()): RfqResponse | null {
  const open = rfq.responses.filter(
    (r): r is RfqResponse & { price: string } => r.status === 'open' && r.price !== null && Date.parse(r.validUntil) > nowMs,
  );
  let best: (RfqResponse & { price: string }) | null = null;
  for (const r of open) {
    if (!best) best = r;
    else if (rfq.side === 'buy' ? new Decimal(r.price).lt(best.price) : new Decimal(r.price).gt(best.price)) best = r;
  }
  return best;
}

function requestForm(app: AppContext, onSent: (rfq: Rfq) => void): HTMLElement {
  const note = h(
    'select',
    { testid: 'rfq-note' },
    app.notes.map((n) => h('option', { value: n.id }, `${app.noteLabel(n)} (${n.isin})`)),
  );
  const side = h('select', { testid: 'rfq-side' }, h('option', { value: 'buy' }, 'Buy'), h('option', { value: 'sell' }, 'Sell'));
  const face = h('input', { class: 'num', testid: 'rfq-face', placeholder: '1000000', autocomplete: 'off' });
  const expires = h(
    'select',
    { testid: 'rfq-expires' },
    [30, 60, 120, 300].map((s) => h('option', { value: String(s), selected: s === 60 }, `${s} s`)),
  );
  const faceError = h('div', { class: 'field-error', testid: 'rfq-face-error' });
  const submit = h('button', { class: 'primary', type: 'submit', testid: 'rfq-submit' }, 'Request quotes');
  const message = new MessageSlot();
  const form = h(
    'form',
    {
      novalidate: true,
      onsubmit: (event: Event) => {
        event.preventDefault();
        const selected = app.note(note.value)!;
        const problem = checkFace(selected, face.value);
        faceError.textContent = problem ?? '';
        face.classList.toggle('invalid', problem !== null);
        if (problem) return;
        void withBusy(submit, message, async () => {
          const rfq = await app.client.createRfq({
            noteId: selected.id,
            side: side.value as 'buy' | 'sell',
            quantity: fmt.cleanNumberInput(face.value),
            expiresInSeconds: Number(expires.value),
          });
          const asked = (rfq.dealerPartyIds ?? []).map((id) => app.partyName(id));
          message.ok(`Asked ${asked.length > 0 ? asked.join(', ') : 'every eligible dealer'} for a price.`, 'rfq-sent');
          onSent(rfq);
        });
      },
    },
    h('div', { class: 'row' }, field('Note', note), h('div', { class: 'fit' }, field('Side', side))),
    h('div', { class: 'row' }, field('Face (original face)', face, faceError), h('div', { class: 'fit' }, field('Expires in', expires))),
    h('div', { class: 'row mt' }, submit),
    message.element,
  );
  return panel(
    'Request for quote',
    h('div', {}, form, h('p', { class: 'muted' }, "Every eligible dealer is asked; each sees only the request, never the others' prices.")),
    { testid: 'rfq-form-panel' },
  );
}

/** What happened when the investor accepted (or failed to), kept across live redraws of the list. */
type Outcomes = Map<string, { ok: boolean; error?: unknown; text: string }>;

/**
 * An open RFQ's answers show what each would book today; a done RFQ's accepted answer shows the
 * trade's own net amount (its settlement date, not today's); answers that did not trade show none.
 */
function netAmountCell(app: AppContext, rfq: Rfq, response: RfqResponse, note: Note, tradeNet: ReadonlyMap<string, string>): string {
  if (response.price === null) return '';
  if (rfq.status === 'open') return fmt.cash(previewTrade(note, app.businessDate, rfq.quantity, response.price).netAmount);
  const traded = rfq.status === 'done' && response.id === rfq.acceptedResponseId && rfq.tradeId ? tradeNet.get(rfq.tradeId) : undefined;
  return traded ? fmt.cash(traded) : '';
}

function rfqBlock(
  app: AppContext,
  rfq: Rfq,
  note: Note,
  outcomes: Outcomes,
  tradeNet: ReadonlyMap<string, string>,
  onAccepted: () => void,
): HTMLElement {
  const message = new MessageSlot();
  const outcome = outcomes.get(rfq.id);
  if (outcome?.ok) message.ok(outcome.text, 'rfq-done');
  else if (outcome) message.error(outcome.error, 'rfq-error');
  const best = bestResponse(rfq);
  const accept = (response: RfqResponse, button: HTMLButtonElement) => {
    button.disabled = true;
    app.client.acceptRfq(rfq.id, response.id).then(
      ({ trade }) => {
        const text = `Done: ${trade.side === 'buy' ? 'bought' : 'sold'} ${fmt.face(trade.quantity)} at ${trade.price}; net ${fmt.cash(trade.netAmount)}, settles ${trade.settlementDate}.`;
        outcomes.set(rfq.id, { ok: true, text });
        message.ok(text, 'rfq-done');
        onAccepted();
      },
      (error: unknown) => {
        outcomes.set(rfq.id, { ok: false, error, text: '' });
        message.error(error, 'rfq-error');
        button.disabled = false;
      },
    );
  };
  const table = dataTable<RfqResponse>(
    {
      testid: 'rfq-answers',
      empty: rfq.status === 'open' ? 'Waiting for dealers to answer…' : 'No answers.',
      rowKey: (r) => r.id,
      flashNew: true,
      rowClass: (r) => (r.id === best?.id ? 'best' : r.status === 'open' ? undefined : 'stale'),
      columns: [
        { label: 'Dealer', render: (r) => app.partyName(r.dealerPartyId) },
        { label: 'Price', num: true, decimals: true, render: (r) => fmt.price(r.price, note) },
        // Answers entered as a spread (issue 17): the spread the price was derived from.
        { label: 'Spread (bp)', num: true, render: (r) => (r.spreadBp ? `${r.spreadBp.startsWith('-') ? '' : '+'}${r.spreadBp}` : '') },
        { label: 'Yield', num: true, render: (r) => (r.price === null ? '' : fmt.yieldPercent(yieldAt(note, app.businessDate, r.price))) },
        { label: 'Net amount', num: true, render: (r) => netAmountCell(app, rfq, r, note, tradeNet) },
        { label: 'Valid for', num: true, render: (r) => (r.status === 'open' ? countdown(r.validUntil) : '') },
        {
          label: 'Status',
          render: (r) =>
            h(
              'span',
              { class: `pill ${r.status}`, title: r.reason ?? '' },
              r.status === 'declined' && r.reason ? `declined: ${r.reason}` : r.status.replace('_', ' '),
            ),
        },
        {
          label: '',
          render: (r) =>
            rfq.status === 'open' && r.status === 'open'
              ? h(
                  'button',
                  { class: 'small', testid: 'rfq-accept', onclick: (e: Event) => accept(r, e.currentTarget as HTMLButtonElement) },
                  'Accept',
                )
              : '',
        },
      ],
      // Declines (no price) after the priced answers.
    },
    [...rfq.responses].sort((a, b) =>
      a.price === null || b.price === null
        ? Number(a.price === null) - Number(b.price === null)
        : (rfq.side === 'buy' ? 1 : -1) * new Decimal(a.price).cmp(b.price),
    ),
  );
  const acceptBest =
    best && rfq.status === 'open'
      ? h(
          'button',
          { class: rfq.side, testid: 'rfq-accept-best', onclick: (e: Event) => accept(best, e.currentTarget as HTMLButtonElement) },
          `Accept best ${best.price}`,
        )
      : null;
  return h(
    'div',
    { class: 'rfq-block', 'data-rfq': rfq.id, testid: 'rfq-block' },
    h(
      'header',
      { class: 'rfq-head' },
      h('b', {}, `${rfq.side === 'buy' ? 'BUY' : 'SELL'} ${fmt.face(rfq.quantity)} ${app.noteLabel(note)}`),
      h('span', { class: `pill ${rfq.status}`, testid: 'rfq-status' }, rfq.status),
      rfq.status === 'open'
        ? h('span', { class: 'muted' }, 'expires in ', countdown(rfq.expiresAt))
        : h('span', { class: 'muted' }, fmt.dateTime(rfq.createdAt)),
      h('span', { class: 'spacer' }),
      acceptBest,
    ),
    table.element,
    message.element,
  );
}

export async function rfqView(app: AppContext, scope: Scope): Promise<HTMLElement> {
  const known = new Map<string, Rfq>((await app.client.rfqs({ status: 'all', limit: 20 })).map((r) => [r.id, r]));
  const list = h('div', { class: 'rfq-list', testid: 'rfq-list' });
  const outcomes: Outcomes = new Map();
  // Net amounts of the party's RFQ trades, as booked: a done RFQ shows its trade's figure.
  const tradeNet = new Map<string, string>();
  for (const e of await app.client.executions({ limit: 500 })) if (e.venue === 'rfq') tradeNet.set(e.tradeId, e.netAmount);
  const render = () => {
    const rfqs = [...known.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    if (rfqs.length === 0)
      return replace(
        list,
        h('p', { class: 'muted empty-state' }, 'No RFQs yet. Ask for a price above; answers appear here as dealers send them.'),
      );
    replace(
      list,
      rfqs.map((rfq) => rfqBlock(app, rfq, app.note(rfq.noteId)!, outcomes, tradeNet, () => void refresh(rfq.id))),
    );
  };
  const refresh = async (id: string) => {
    known.set(id, await app.client.rfq(id));
    render();
  };
  scope.add(
    app.live!.watchExecutions((_all, fresh) => {
      for (const e of fresh) if (e.venue === 'rfq') tradeNet.set(e.tradeId, e.netAmount);
      if (fresh.some((e) => e.venue === 'rfq')) render();
    }),
  );
  scope.add(
    app.live!.watchRfqs((rfqs) => {
      for (const rfq of rfqs.values()) known.set(rfq.id, rfq);
      render();
    }),
  );
  const body = h('div', {}, list);
  startCountdowns(body, scope);
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'page-title' },
      h('h1', {}, 'RFQ'),
      h('span', { class: 'sub' }, 'Ask dealers for firm prices on size; take the best before it expires.'),
    ),
    h(
      'div',
      { class: 'grid rfq-grid' },
      requestForm(app, (rfq) => (known.set(rfq.id, rfq), render())),
      panel('Your RFQs', body, { testid: 'rfq-list-panel' }),
    ),
  );
}
