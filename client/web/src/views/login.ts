/**
 * Login: username and password for a session token (POST /api/v1/auth/token). A wrong password
 * shows the API's message; the session lasts until the token expires or the tab closes.
 */
import type { AppContext } from '../app/context.js';
import { field, h, type Scope } from '../ui/dom.js';
import { MessageSlot } from '../ui/notice.js';

export function loginView(app: AppContext, _scope: Scope, onLoggedIn: () => Promise<void>): HTMLElement {
  const username = h('input', { name: 'username', autocomplete: 'username', testid: 'login-username', required: true });
  const password = h('input', {
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    testid: 'login-password',
    required: true,
  });
  const submit = h('button', { class: 'primary', type: 'submit', testid: 'login-submit' }, 'Log in');
  const message = new MessageSlot();
  const form = h(
    'form',
    {
      onsubmit: async (event: Event) => {
        event.preventDefault();
        if (!username.value.trim() || !password.value) {
          message.error(new Error('Enter your username and password.'), 'login-error');
          return;
        }
        submit.disabled = true;
        message.clear();
        try {
          await app.login(username.value.trim(), password.value);
          await onLoggedIn();
        } catch (error) {
          message.error(error, 'login-error');
        } finally {
          submit.disabled = false;
        }
      },
    },
    field('Username', username),
    field('Password', password),
    submit,
    message.element,
  );
  setTimeout(() => username.focus(), 0);
  return h(
    'div',
    { class: 'login' },
    h(
      'section',
      { class: 'panel' },
      h(
        'div',
        { class: 'body' },
        h('h1', {}, 'Compute Notes Exchange'),
        h('p', {}, 'Datacenter ABS tranches and GPU-backed bonds: trading and settlement.'),
        form,
      ),
    ),
  );
}
