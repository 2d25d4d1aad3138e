// An application's providers and webhooks: health, register, edit, switch off/on, rotate secret, test, delete.
import { gql, newestOnly, allWebhooks } from './api.js';
import {
  el, act, time, orDash, milliseconds, copyButton, replaceKeepingFocus, showStatus, clearErrors, reportError,
} from './dom.js';

const PROVIDERS = 'query ConsoleProviders { providers(limit: 1000) { providerId name channelType } }';
const WEBHOOK_FIELDS = `webhookUrl providerId status description disabledReason createdOn updatedOn
    health { successRate1h lastSuccessAt lastFailureAt lastError consecutiveFailures pending inFlight }`;
const REGISTER = `mutation ConsoleRegister($input: CreateWebhookInput!) {
  webhook(createWebhookInput: $input) { id webhookUrl secret }
}`;
const UPDATE = `mutation ConsoleUpdate($input: UpdateWebhookInput!) {
  updateWebhook(updateWebhookInput: $input) { id status disabledReason }
}`;
const ROTATE = `mutation ConsoleRotate($id: ID!) {
  rotateWebhookSecret(webhookId: $id) { secret previousSecretExpiresAt }
}`;
const DELETE = 'mutation ConsoleDelete($id: ID!) { deleteWebhook(id: $id) }';
const SEND_TEST = `mutation ConsoleTest($id: ID!) {
  sendTestEvent(webhookId: $id) { statusCode durationMs error responseExcerpt }
}`;
const CREATE_PROVIDER = `mutation ConsoleProvider($input: CreateProviderInput!) {
  createProvider(createProviderInput: $input) { providerId name channelType }
}`;

function percent(rate) {
  return rate === null || rate === undefined ? '—' : (Math.round(rate * 1000) / 10) + '%';
}

export function createWebhooksView() {
  const state = { providers: [], webhooks: [], seen: null, editing: null, confirmDelete: null };
  const newest = newestOnly();

  const result = el('div', { class: 'result' });
  const editBox = el('div');
  const tableBox = el('div', { class: 'scroll' });
  const providersBox = el('div', { class: 'scroll' });
  const providerSelect = el('select', { id: 'reg-provider', name: 'provider', required: true });
  const root = el('section', { class: 'view', 'aria-labelledby': 'webhooks-title' },
    el('h2', { id: 'webhooks-title' }, 'Webhooks'),
    result, editBox, tableBox,
    registerForm(),
    el('h2', { id: 'providers-title' }, 'Providers'),
    providersBox,
    providerForm());

  function show(panel) {
    result.replaceChildren(panel);
    panel.focus();
  }

  function showSecret(title, secret, note) {
    show(el('div', { class: 'panel', 'data-testid': 'secret-panel', tabindex: '-1' },
      el('h3', {}, title),
      el('p', {}, 'Shown once: copy it now and give it to the receiver, which verifies signatures with it.'),
      el('p', {}, el('code', { class: 'secret', 'data-testid': 'secret-value' }, secret), ' ',
        copyButton(() => secret)),
      note ? el('p', {}, note) : null,
      el('button', { type: 'button', on: { click: () => result.replaceChildren() } }, 'Hide')));
  }

  function showTestDelivery(id, test) {
    show(el('div', { class: 'panel', 'data-testid': 'test-delivery', tabindex: '-1' },
      el('h3', {}, 'Test event to webhook ' + id),
      el('dl', {},
        el('dt', {}, 'Status code'), el('dd', { 'data-testid': 'test-status-code' }, orDash(test.statusCode)),
        el('dt', {}, 'Duration'), el('dd', { 'data-testid': 'test-duration' }, milliseconds(test.durationMs)),
        el('dt', {}, 'Error'), el('dd', { 'data-testid': 'test-error' }, orDash(test.error)),
        el('dt', {}, 'Response excerpt'),
        el('dd', {}, el('pre', { class: 'excerpt', 'data-testid': 'test-excerpt' }, orDash(test.responseExcerpt)))),
      el('button', { type: 'button', on: { click: () => result.replaceChildren() } }, 'Hide')));
  }

  function registerForm() {
    const url = el('input', { id: 'reg-url', name: 'webhookUrl', type: 'url', required: true, inputmode: 'url' });
    const description = el('input', { id: 'reg-description', name: 'description', type: 'text', maxlength: '500' });
    const button = el('button', { type: 'submit' }, 'Register webhook');
    const form = el('form', { class: 'form', 'aria-labelledby': 'register-title', novalidate: true },
      el('h3', { id: 'register-title' }, 'Register a webhook'),
      el('div', { class: 'field' }, el('label', { for: 'reg-provider' }, 'Provider'), providerSelect),
      el('div', { class: 'field' }, el('label', { for: 'reg-url' }, 'Webhook URL'), url),
      el('div', { class: 'field' }, el('label', { for: 'reg-description' }, 'Description (optional)'), description),
      el('div', { class: 'actions' }, button));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      act(button, async () => {
        if (!providerSelect.value) {
          throw new Error('Provider: create a provider first');
        }
        const input = { providerId: Number(providerSelect.value), webhookUrl: url.value.trim() };
        if (description.value.trim()) {
          input.description = description.value.trim();
        }
        const data = await gql(REGISTER, { input });
        form.reset();
        showStatus('Webhook ' + data.webhook.id + ' registered');
        showSecret('Signing secret of webhook ' + data.webhook.id, data.webhook.secret);
        await refresh(true);
      });
    });
    return form;
  }

  function providerForm() {
    const name = el('input', { id: 'prov-name', name: 'name', type: 'text', required: true });
    const channel = el('input', { id: 'prov-channel', name: 'channelType', type: 'number', min: '1', value: '1' });
    const button = el('button', { type: 'submit' }, 'Create provider');
    const form = el('form', { class: 'form', 'aria-labelledby': 'provider-form-title', novalidate: true },
      el('h3', { id: 'provider-form-title' }, 'Create a provider'),
      el('div', { class: 'field' }, el('label', { for: 'prov-name' }, 'Provider name'), name),
      el('div', { class: 'field' }, el('label', { for: 'prov-channel' }, 'Channel type (1 SMTP, 2 Mailgun, ...)'),
        channel),
      el('div', { class: 'actions' }, button));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      act(button, async () => {
        const data = await gql(CREATE_PROVIDER, { input: { name: name.value.trim(), channelType: Number(channel.value) } });
        form.reset();
        showStatus('Provider ' + data.createProvider.providerId + ' created');
        await refresh(true);
      });
    });
    return form;
  }

  function renderEditor() {
    const webhook = state.editing;
    if (!webhook) {
      editBox.replaceChildren();
      return;
    }
    const url = el('input', { id: 'edit-url', name: 'webhookUrl', type: 'url', required: true, value: webhook.webhookUrl });
    const description = el('input', {
      id: 'edit-description', name: 'description', type: 'text', maxlength: '500', value: webhook.description || '',
    });
    const active = el('input', { id: 'edit-active', name: 'active', type: 'checkbox', checked: webhook.status === 1 });
    const save = el('button', { type: 'submit' }, 'Save');
    const form = el('form', { class: 'form panel', 'aria-labelledby': 'edit-title', novalidate: true },
      el('h3', { id: 'edit-title' }, 'Edit webhook ' + webhook.id),
      el('div', { class: 'field' }, el('label', { for: 'edit-url' }, 'Webhook URL'), url),
      el('div', { class: 'field' }, el('label', { for: 'edit-description' }, 'Description'), description),
      el('div', { class: 'field check' }, active, el('label', { for: 'edit-active' }, 'Active (deliveries are sent)')),
      el('div', { class: 'actions' }, save, ' ',
        el('button', { type: 'button', on: { click: () => { state.editing = null; renderEditor(); } } }, 'Cancel')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      act(save, async () => {
        const input = { id: webhook.id, webhookUrl: url.value.trim(), description: description.value };
        // only when changed here: Herald may have switched it off since the editor opened
        if (active.checked !== (webhook.status === 1)) {
          input.status = active.checked ? 1 : 0;
        }
        await gql(UPDATE, { input });
        state.editing = null;
        renderEditor();
        showStatus('Webhook ' + webhook.id + ' saved');
        await refresh(true);
      });
    });
    editBox.replaceChildren(form);
    url.focus();
  }

  function actionButton(webhook, label, key, action) {
    const button = el('button', { type: 'button', 'data-focus-key': 'webhook-' + webhook.id + '-' + key }, label);
    button.addEventListener('click', () => act(button, action));
    return button;
  }

  function actions(webhook) {
    const id = webhook.id;
    if (state.confirmDelete === id) {
      return [
        el('span', {}, 'Delete this webhook? '),
        actionButton(webhook, 'Confirm delete', 'confirm-delete', async () => {
          await gql(DELETE, { id });
          state.confirmDelete = null;
          showStatus('Webhook ' + id + ' deleted');
          await refresh(true);
        }),
        actionButton(webhook, 'Cancel', 'cancel-delete', async () => {
          state.confirmDelete = null;
          renderTable();
          focusKey('webhook-' + id + '-delete');
        }),
      ];
    }
    const on = webhook.status === 1;
    return [
      actionButton(webhook, 'Edit', 'edit', async () => {
        state.editing = webhook;
        renderEditor();
      }),
      actionButton(webhook, on ? 'Switch off' : 'Switch on', 'switch', async () => {
        await gql(UPDATE, { input: { id, status: on ? 0 : 1 } });
        showStatus('Webhook ' + id + ' switched ' + (on ? 'off' : 'on'));
        await refresh(true);
      }),
      actionButton(webhook, 'Rotate secret', 'rotate', async () => {
        const data = await gql(ROTATE, { id });
        const rotated = data.rotateWebhookSecret;
        showSecret('New signing secret of webhook ' + id, rotated.secret,
          rotated.previousSecretExpiresAt
            ? 'The previous secret keeps signing until ' + rotated.previousSecretExpiresAt + '.'
            : 'The previous secret no longer signs.');
      }),
      actionButton(webhook, 'Send test event', 'test', async () => {
        showStatus('Sending a test event to webhook ' + id + '…');
        const data = await gql(SEND_TEST, { id });
        showStatus('Test event to webhook ' + id + ' answered');
        showTestDelivery(id, data.sendTestEvent);
      }),
      actionButton(webhook, 'Delete', 'delete', async () => {
        state.confirmDelete = id;
        renderTable();
        focusKey('webhook-' + id + '-confirm-delete');
      }),
    ];
  }

  function focusKey(key) {
    const node = [...root.querySelectorAll('[data-focus-key]')].find((n) => n.getAttribute('data-focus-key') === key);
    if (node) {
      node.focus();
    }
  }

  function row(webhook) {
    const health = webhook.health || {};
    const td = (testid, ...content) => el('td', { 'data-testid': testid }, ...content);
    return el('tr', { 'data-testid': 'webhook-row', 'data-webhook-id': webhook.id },
      el('th', { scope: 'row' }, webhook.id),
      el('td', { 'data-testid': 'webhook-url', class: 'url-cell' }, el('span', { class: 'url' }, webhook.webhookUrl),
        webhook.description ? el('div', { class: 'description', 'data-testid': 'webhook-description' },
          webhook.description) : null),
      td('webhook-provider', String(webhook.providerId)),
      td('webhook-status', el('span', { class: webhook.status === 1 ? 'badge on' : 'badge off' },
        webhook.status === 1 ? 'on' : 'off')),
      td('webhook-success-rate', percent(health.successRate1h)),
      td('webhook-last-success', time(health.lastSuccessAt)),
      td('webhook-last-failure', time(health.lastFailureAt)),
      td('webhook-last-error', orDash(health.lastError)),
      td('webhook-consecutive-failures', orDash(health.consecutiveFailures)),
      td('webhook-pending', orDash(health.pending)),
      td('webhook-in-flight', orDash(health.inFlight)),
      td('webhook-disabled-reason', orDash(webhook.disabledReason)),
      el('td', {}, el('div', { class: 'row-actions' }, actions(webhook))));
  }

  function renderTable() {
    if (state.webhooks.length === 0) {
      replaceKeepingFocus(tableBox, el('p', { 'data-testid': 'no-webhooks' }, 'No webhooks yet.'));
      return;
    }
    const head = ['ID', 'URL', 'Provider', 'Status', 'Success (1 h)', 'Last success', 'Last failure', 'Last error',
      'Failures in a row', 'Pending', 'In flight', 'Disabled reason', 'Actions'];
    replaceKeepingFocus(tableBox, el('table', { 'data-testid': 'webhook-list' },
      el('caption', {}, 'Webhooks and their health'),
      el('thead', {}, el('tr', {}, head.map((name) => el('th', { scope: 'col' }, name)))),
      el('tbody', {}, state.webhooks.map(row))));
  }

  function renderProviders() {
    const chosen = providerSelect.value;
    providerSelect.replaceChildren(...state.providers.map((provider) => el('option', {
      value: provider.providerId, selected: String(provider.providerId) === chosen,
    }, provider.providerId + ' ' + provider.name)));
    if (state.providers.length === 0) {
      replaceKeepingFocus(providersBox, el('p', {}, 'No providers yet: create one to register webhooks on it.'));
      return;
    }
    replaceKeepingFocus(providersBox, el('table', { 'data-testid': 'provider-list' },
      el('caption', {}, 'Providers'),
      el('thead', {}, el('tr', {}, ['ID', 'Name', 'Channel type'].map((name) => el('th', { scope: 'col' }, name)))),
      el('tbody', {}, state.providers.map((provider) => el('tr', { 'data-testid': 'provider-row' },
        el('th', { scope: 'row' }, String(provider.providerId)),
        el('td', {}, provider.name),
        el('td', {}, String(provider.channelType)))))));
  }

  /** Reads the lists again; re-renders only what changed (or everything when `force`). */
  async function refresh(force = false) {
    try {
      const data = await newest(async () => ({
        providers: (await gql(PROVIDERS)).providers,
        webhooks: await allWebhooks(WEBHOOK_FIELDS),
      }));
      clearErrors('poll');
      const seen = JSON.stringify(data);
      if (!force && seen === state.seen) {
        return;
      }
      state.seen = seen;
      state.providers = data.providers;
      state.webhooks = data.webhooks;
      if (state.confirmDelete && !state.webhooks.some((w) => w.id === state.confirmDelete)) {
        state.confirmDelete = null;
      }
      renderTable();
      renderProviders();
    } catch (e) {
      reportError(e, 'poll');
      throw e;
    }
  }

  return { root, refresh };
}
