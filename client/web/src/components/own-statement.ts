/**
 * Own daily statement for an investor or dealer (GET /statements, the caller's own party): pick a
 * date (ISO, YYYY-MM-DD) and download it as CSV or JSON. The API refuses another party's
 * statement, so this panel never asks for one.
 */
import '../desk.css';
import type { AppContext } from '../app/context.js';
import { h, panel } from '../ui/dom.js';
import { downloadText } from '../ui/download.js';
import { labelledField } from '../ui/labelled.js';
import { MessageSlot, withBusy } from '../ui/notice.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function ownStatementPanel(app: AppContext): HTMLElement {
  const message = new MessageSlot();
  const date = h('input', {
    type: 'text',
    value: app.businessDate,
    placeholder: 'YYYY-MM-DD',
    pattern: '\\d{4}-\\d{2}-\\d{2}',
    inputmode: 'numeric',
    autocomplete: 'off',
    testid: 'own-statement-date',
  });
  const who = (app.ownParty?.name ?? 'own').replace(/[^\w-]+/g, '-');
  const checked = (): string | null => {
    const value = date.value.trim();
    if (ISO_DATE.test(value)) return value;
    message.error(new Error('Type the date as YYYY-MM-DD.'), 'own-statement-error');
    return null;
  };
  const csv = h('button', { class: 'primary', testid: 'own-statement-csv' }, 'Download CSV');
  csv.addEventListener('click', () => {
    const day = checked();
    if (!day) return;
    void withBusy(csv, message, async () => {
      const text = await app.client.statementCsv({ date: day });
      downloadText(`statement-${who}-${day}.csv`, text);
      message.ok(`Statement for ${day} downloaded (CSV).`, 'own-statement-result');
    });
  });
  const json = h('button', { testid: 'own-statement-json' }, 'Download JSON');
  json.addEventListener('click', () => {
    const day = checked();
    if (!day) return;
    void withBusy(json, message, async () => {
      const statement = await app.client.statement({ date: day });
      downloadText(`statement-${who}-${day}.json`, `${JSON.stringify(statement, null, 2)}\n`, 'application/json');
      message.ok(
        `Statement for ${day} downloaded (JSON): ${statement.trades.length} trades, ${statement.settlements.length} settlements, ${statement.movements.length} movements.`,
        'own-statement-result',
      );
    });
  });
  return panel(
    'My statement',
    h(
      'div',
      {},
      h('div', { class: 'desk-inline' }, labelledField('Statement date', date), csv, json),
      message.element,
      h('p', { class: 'muted' }, 'The day’s trades, settlements, fails, ledger movements and closing balances of your party.'),
    ),
    { testid: 'own-statement-panel' },
  );
}
