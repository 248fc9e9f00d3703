/**
 * The price ↔ yield ↔ spread calculator beside the order ticket (issue 17): type any one of price
 * (% of par, clean), yield to the ARD (%) or spread (bp over the benchmark curve) and see the other
 * two, with the WAL, the settlement date and the curve (name and date) they used. The server prices
 * the note from its projected flows under the deal's base scenario (POST /api/v1/projections with
 * `pricing: [{noteId, price | yield | spreadBp}]`); nothing is computed here. Only the latest
 * answer is shown (an earlier request answering late is dropped).
 */
import type { Note, Projection } from '../../../sdk/index.js';
import type { AppContext } from '../app/context.js';
import { h, panel, replace } from '../ui/dom.js';
import * as fmt from '../ui/format.js';
import { describeError } from '../ui/notice.js';

type Source = 'price' | 'yield' | 'spreadBp';

const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?$/;
const DEBOUNCE_MS = 350;

export function priceCalculator(app: AppContext, note: Note): HTMLElement {
  const input = (source: Source, placeholder: string) =>
    h('input', {
      id: `calc-${source}-${note.id}`,
      class: 'num',
      inputmode: 'decimal',
      autocomplete: 'off',
      placeholder,
      testid: source === 'spreadBp' ? 'calc-spread' : `calc-${source}`,
    });
  const fields: Record<Source, HTMLInputElement> = {
    price: input('price', '99.5'),
    yield: input('yield', '6.25'),
    spreadBp: input('spreadBp', '150'),
  };
  const labels: Record<Source, string> = { price: 'Price (% of par)', yield: 'Yield to ARD (%)', spreadBp: 'Spread (bp)' };
  const facts = h('p', { class: 'muted', testid: 'calc-facts', 'aria-live': 'polite' }, 'Type a price, a yield or a spread.');
  const error = h('div', { class: 'field-error', testid: 'calc-error', role: 'alert' });
  let sequence = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const compute = async (source: Source) => {
    const text = fmt.cleanNumberInput(fields[source].value);
    for (const [key, element] of Object.entries(fields)) element.classList.toggle('source', key === source);
    error.textContent = '';
    if (text === '') return;
    if (!NUMBER.test(text) || (source === 'price' && Number(text) <= 0)) {
      error.textContent = `${labels[source]}: ${source === 'price' ? 'a number greater than zero' : 'a number'}`;
      return;
    }
    const mine = ++sequence;
    try {
      const projection = (await app.client.project({
        dealId: note.dealId,
        scenarioId: 'base',
        pricing: [{ noteId: note.id, [source]: text }],
      })) as Projection;
      if (mine !== sequence) return;
      const c = projection.classes.find((k) => k.noteId === note.id);
      if (!c) return;
      if (source !== 'price') fields.price.value = c.price ?? '';
      if (source !== 'yield') fields.yield.value = c.yieldPercent ?? '';
      if (source !== 'spreadBp') fields.spreadBp.value = c.spreadBp ?? '';
      replace(
        facts,
        `Base scenario, to the ARD · WAL ${c.walYears ?? '—'} yrs · settlement ${projection.settlementDate} · `,
        h(
          'span',
          { testid: 'calc-curve' },
          projection.curve ? `spread over ${projection.curve.name} ${projection.curve.date}` : 'no benchmark curve',
        ),
      );
    } catch (failure) {
      if (mine !== sequence) return;
      const { code, message } = describeError(failure);
      error.textContent = `${code}: ${message}`;
    }
  };

  for (const source of Object.keys(fields) as Source[]) {
    const element = fields[source];
    element.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => void compute(source), DEBOUNCE_MS);
    });
    element.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return;
      clearTimeout(timer);
      void compute(source);
    });
  }

  const body = h(
    'div',
    { testid: 'price-calculator' },
    h(
      'div',
      { class: 'calc-grid' },
      (Object.keys(fields) as Source[]).map((source) =>
        h('div', {}, h('label', { for: fields[source].id }, labels[source]), fields[source]),
      ),
    ),
    error,
    facts,
  );
  return panel('Price ↔ yield ↔ spread', body, { testid: 'price-calculator-panel' });
}
