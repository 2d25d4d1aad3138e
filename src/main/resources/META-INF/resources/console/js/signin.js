// The sign-in form: one field labelled "API key" and a "Sign in" button (Enter submits).
import { roleOf, storeKey, ApiError } from './api.js';
import { el, act, showErrors } from './dom.js';

/** Renders the form into `container`; calls onSignedIn(role) once the key is known to Herald. */
export function renderSignIn(container, onSignedIn) {
  const input = el('input', {
    id: 'api-key', name: 'api-key', type: 'password', required: true, autocomplete: 'off', spellcheck: 'false',
  });
  const button = el('button', { type: 'submit' }, 'Sign in');
  const form = el('form', { class: 'signin', 'data-testid': 'signin-form', novalidate: true },
    el('h2', {}, 'Sign in'),
    el('p', {}, 'An application key shows its webhooks and deliveries, a portal token (hp_...) the webhooks it names;'
      + ' the admin key shows the operator view.'),
    el('div', { class: 'field' }, el('label', { for: 'api-key' }, 'API key'), input),
    el('div', { class: 'actions' }, button));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) {
      showErrors(['API key: enter a key']);
      input.focus();
      return;
    }
    act(button, async () => {
      let role;
      try {
        role = await roleOf(key);
      } catch (e) {
        if (e instanceof ApiError && e.classification === 'UNAUTHORIZED') {
          throw new ApiError(['Herald does not know this key: ' + e.message], e.classification);
        }
        throw e;
      }
      input.value = '';
      storeKey(key);
      onSignedIn(role);
    });
  });
  container.replaceChildren(form);
  input.focus();
}
