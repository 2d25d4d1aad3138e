// An application's providers and webhooks: health, register, edit, switch off/on, rotate secret, test, delete; and in
// dev mode the echo receiver to register (/dev/echo) with what it received.
import { gql, newestOnly, allWebhooks, portalScope, mayManage } from './api.js';
import {
  el, act, time, clip, formatTime, withDates, orDash, milliseconds, copyButton, confirmation, replaceKeepingFocus,
  showStatus, clearErrors, reportError,
} from './dom.js';

const PROVIDERS = 'query ConsoleProviders { providers(limit: 1000) { providerId name channelType } }';
const EVENT_TYPES = 'query ConsoleEventTypes { eventTypes { name description schema } }';
const WEBHOOK_FIELDS = `webhookUrl providerId operational eventTypes status description disabledReason createdOn updatedOn
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

/** Herald's dev-mode echo receiver (404 in production): GET lists the requests it received, newest first. */
const DEV_RECEIVER = '/dev/echo';
const DEV_REQUESTS_SHOWN = 10;

function percent(rate) {
  return rate === null || rate === undefined ? '—' : (Math.round(rate * 1000) / 10) + '%';
}

export function createWebhooksView() {
  // open: webhooks whose actions are shown; confirming: {id, action} waiting for its confirmation
  const state = {
    providers: [], eventTypes: [], openSchemas: new Set(), webhooks: [], seen: null, editing: null, open: new Set(), confirming: null, devSeen: null,
  };
  const newest = newestOnly();
  const newestDevAnswer = newestOnly();

  const result = el('div', { class: 'result' });
  const editBox = el('div');
  const tableBox = el('div', { class: 'scroll' });
  const devBox = el('div', { class: 'dev-receiver-box' });
  const providersBox = el('div', { class: 'scroll' });
  const eventTypesBox = el('div', { class: 'scroll' });
  const providerSelect = el('select', { id: 'reg-provider', name: 'provider', required: true });
  const root = el('section', { class: 'view', 'aria-labelledby': 'webhooks-title' },
    el('h2', { id: 'webhooks-title' }, 'Webhooks'),
    result, editBox, tableBox,
    el('div', { class: 'side-by-side' }, mayRegister() ? registerForm() : null, devBox),
    el('h2', { id: 'providers-title' }, 'Providers'),
    providersBox,
    portalScope() ? null : providerForm(),
    el('h2', { id: 'event-types-title' }, 'Event types'),
    eventTypesBox);

  /** A portal token registers only when it may manage a provider's webhooks (not one webhook's). */
  function mayRegister() {
    return mayManage() && !(portalScope() && portalScope().webhookId);
  }

  function show(panel) {
    result.replaceChildren(panel);
    panel.focus();
  }

  /** Clears the panel above the table when it shows the webhook just deleted: its new secret or its test event. */
  function forgetPanelOf(id) {
    if (result.firstElementChild?.dataset.webhook === String(id)) {
      result.replaceChildren();
    }
  }

  function showSecret(id, title, secret, note) {
    show(el('div', { class: 'panel', 'data-testid': 'secret-panel', 'data-webhook': String(id), tabindex: '-1' },
      el('h3', {}, title),
      el('p', {}, 'Shown once: copy it now and give it to the receiver, which verifies signatures with it.'),
      el('p', {}, el('code', { class: 'secret', 'data-testid': 'secret-value' }, secret), ' ',
        copyButton(() => secret)),
      note ? el('p', {}, note) : null,
      el('button', { type: 'button', on: { click: () => result.replaceChildren() } }, 'Hide')));
  }

  function showTestDelivery(id, test) {
    show(el('div', { class: 'panel', 'data-testid': 'test-delivery', 'data-webhook': String(id), tabindex: '-1' },
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
        showSecret(data.webhook.id, 'Signing secret of webhook ' + data.webhook.id, data.webhook.secret);
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
    const confirmBox = el('div');
    const saveEdit = async () => {
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
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (webhook.status === 1 && !active.checked) {
        // saving switches it off: asked first, as the row's "Switch off" asks
        save.disabled = true;
        confirmBox.replaceChildren(confirmation({
          question: 'Save and switch off webhook ' + webhook.id + '? Its deliveries are held until it is switched on'
            + ' again.',
          confirmLabel: 'Confirm switch off', focusKey: 'edit-' + webhook.id + '-switch',
          onConfirm: saveEdit,
          onCancel: () => {
            confirmBox.replaceChildren();
            save.disabled = false;
            save.focus();
          },
        }));
        confirmBox.querySelector('[data-focus-key$="-cancel"]').focus();
        return;
      }
      act(save, saveEdit);
    });
    form.append(confirmBox);
    editBox.replaceChildren(form);
    url.focus();
  }

  function actionButton(webhook, label, key, action) {
    const button = el('button', { type: 'button', 'data-focus-key': 'webhook-' + webhook.id + '-' + key }, label);
    button.addEventListener('click', () => act(button, action));
    return button;
  }

  /** Shows `action`'s confirmation in place of the webhook's buttons, with the focus on Cancel. */
  function askFirst(webhook, action) {
    return async () => {
      state.confirming = { id: webhook.id, action };
      renderTable();
      focusKey('webhook-' + webhook.id + '-' + action + '-cancel');
    };
  }

  function backToButtons(id, action) {
    state.confirming = null;
    renderTable();
    focusKey('webhook-' + id + '-' + action);
  }

  // What each action that cannot be taken back asks, and does once confirmed.
  const CONFIRMED = {
    switch: {
      question: (id) => 'Switch off webhook ' + id + '? Its deliveries are held until it is switched on again.',
      label: 'Confirm switch off',
      run: async (id) => {
        await gql(UPDATE, { input: { id, status: 0 } });
        showStatus('Webhook ' + id + ' switched off');
      },
    },
    rotate: {
      question: (id) => 'Give webhook ' + id + ' a new signing secret? Its receiver must verify with the new one;'
        + ' the old one keeps signing next to it for a grace period.',
      label: 'Confirm rotate',
      run: async (id) => {
        const data = await gql(ROTATE, { id });
        const rotated = data.rotateWebhookSecret;
        showStatus('Webhook ' + id + ' has a new signing secret');
        showSecret(id, 'New signing secret of webhook ' + id, rotated.secret,
          rotated.previousSecretExpiresAt
            ? 'The previous secret keeps signing until ' + formatTime(rotated.previousSecretExpiresAt) + '.'
            : 'The previous secret no longer signs.');
      },
    },
    delete: {
      question: (id) => 'Delete webhook ' + id + '? Its waiting deliveries are dropped; this cannot be undone.',
      label: 'Confirm delete',
      run: async (id) => {
        await gql(DELETE, { id });
        state.open.delete(id);
        forgetPanelOf(id);
        showStatus('Webhook ' + id + ' deleted');
      },
    },
  };

  function actions(webhook) {
    const id = webhook.id;
    if (!mayManage()) {
      return [el('p', {}, 'Read only: this portal token cannot change webhooks.')];
    }
    const asked = state.confirming && state.confirming.id === id ? state.confirming.action : null;
    if (asked) {
      const spec = CONFIRMED[asked];
      return [confirmation({
        question: spec.question(id), confirmLabel: spec.label, focusKey: 'webhook-' + id + '-' + asked,
        onConfirm: async () => {
          await spec.run(id);
          state.confirming = null;
          await refresh(true);
        },
        onCancel: () => backToButtons(id, asked),
      })];
    }
    const on = webhook.status === 1;
    return [
      actionButton(webhook, 'Edit', 'edit', async () => {
        state.editing = webhook;
        renderEditor();
      }),
      on ? actionButton(webhook, 'Switch off', 'switch', askFirst(webhook, 'switch'))
        : actionButton(webhook, 'Switch on', 'switch', async () => {
          await gql(UPDATE, { input: { id, status: 1 } });
          showStatus('Webhook ' + id + ' switched on');
          await refresh(true);
        }),
      actionButton(webhook, 'Rotate secret', 'rotate', askFirst(webhook, 'rotate')),
      actionButton(webhook, 'Send test event', 'test', async () => {
        showStatus('Sending a test event to webhook ' + id + '…');
        const data = await gql(SEND_TEST, { id });
        showStatus('Test event to webhook ' + id + ' answered');
        showTestDelivery(id, data.sendTestEvent);
      }),
      actionButton(webhook, 'Delete', 'delete', askFirst(webhook, 'delete')),
    ];
  }

  function focusKey(key) {
    const node = [...root.querySelectorAll('[data-focus-key]')].find((n) => n.getAttribute('data-focus-key') === key);
    if (node) {
      node.focus();
    }
  }

  /** A cell of one line: long text is cut with an ellipsis and shown whole as its tooltip. */
  function textCell(testid, text, size = 'text') {
    return el('td', { 'data-testid': testid }, clip(size, text, orDash(text)));
  }

  function rows(webhook) {
    const health = webhook.health || {};
    const td = (testid, ...content) => el('td', { 'data-testid': testid }, ...content);
    const open = state.open.has(webhook.id);
    const detailsId = 'actions-of-' + webhook.id;
    const reason = withDates(webhook.disabledReason);
    const toggle = el('button', {
      type: 'button', 'aria-expanded': open ? 'true' : 'false', 'aria-controls': open ? detailsId : null,
      'data-focus-key': 'webhook-' + webhook.id + '-actions',
      on: { click: () => {
        if (state.open.has(webhook.id)) {
          state.open.delete(webhook.id);
          if (state.confirming && state.confirming.id === webhook.id) {
            state.confirming = null;
          }
        } else {
          state.open.add(webhook.id);
        }
        renderTable();
      } },
    }, 'Actions');
    const main = el('tr', { 'data-testid': 'webhook-row', 'data-webhook-id': webhook.id },
      el('th', { scope: 'row' }, webhook.id),
      el('td', { 'data-testid': 'webhook-url' }, clip('wide',
        webhook.webhookUrl + (webhook.description ? ' (' + webhook.description + ')' : ''),
        el('span', { class: 'url' }, webhook.webhookUrl),
        webhook.description ? [' ', el('span', { class: 'description', 'data-testid': 'webhook-description' },
          webhook.description)] : null)),
      // an operational webhook receives events about the application's own webhooks, not a provider's
      td('webhook-provider', webhook.operational
        ? el('span', { class: 'operational' }, 'Operational: ' + (webhook.eventTypes || []).join(', '))
        : String(webhook.providerId) + (webhook.eventTypes ? ' (' + webhook.eventTypes.join(', ') + ')' : '')),
      el('td', { 'data-testid': 'webhook-status', title: reason || null },
        el('span', { class: webhook.status === 1 ? 'badge on' : 'badge off' }, webhook.status === 1 ? 'on' : 'off')),
      td('webhook-success-rate', percent(health.successRate1h)),
      td('webhook-last-success', time(health.lastSuccessAt)),
      td('webhook-last-failure', time(health.lastFailureAt)),
      textCell('webhook-last-error', health.lastError),
      td('webhook-consecutive-failures', orDash(health.consecutiveFailures)),
      td('webhook-pending', orDash(health.pending)),
      td('webhook-in-flight', orDash(health.inFlight)),
      el('td', {}, toggle));
    if (!open) {
      return [main];
    }
    return [main, el('tr', { id: detailsId, class: 'details', 'data-testid': 'webhook-actions' },
      el('td', { colspan: '12' },
        el('div', { class: 'row-details' },
          el('p', { class: 'full-url' }, 'Webhook ' + webhook.id + ': ', el('span', { class: 'url' }, webhook.webhookUrl),
            webhook.description ? [' — ', webhook.description] : null),
          reason ? el('p', {}, 'Switched off: ', el('span', { 'data-testid': 'webhook-disabled-reason' }, reason))
            : null,
          el('div', { class: 'row-actions' }, actions(webhook)))))];
  }

  function renderTable() {
    if (state.webhooks.length === 0) {
      replaceKeepingFocus(tableBox, el('p', { 'data-testid': 'no-webhooks' }, 'No webhooks yet.'));
      return;
    }
    const head = ['ID', 'URL', 'Provider', 'Status', 'Success (1 h)', 'Last success', 'Last failure', 'Last error',
      'Failures in a row', 'Pending', 'In flight', 'Actions'];
    replaceKeepingFocus(tableBox, el('table', { class: 'one-line', 'data-testid': 'webhook-list' },
      el('caption', {}, 'Webhooks and their health'),
      el('thead', {}, el('tr', {}, head.map((name) => el('th', { scope: 'col' }, name)))),
      el('tbody', {}, state.webhooks.map(rows))));
  }

  /** What the dev receiver received, newest first; null when Herald serves none (production) or cannot be reached. */
  async function readDevReceiver() {
    try {
      const response = await fetch(DEV_RECEIVER, {
        headers: { accept: 'application/json' }, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer',
      });
      return response.status === 200 ? await response.json() : null;
    } catch (e) {
      return null; // not reachable: the GraphQL reads of the same poll say so
    }
  }

  /** The dev receiver's panel, when Herald serves one (dev mode): its URL to register, and what it received. */
  async function refreshDevReceiver() {
    let requests;
    try {
      requests = await newestDevAnswer(readDevReceiver);
    } catch (e) {
      return; // overtaken by a newer read
    }
    const seen = JSON.stringify(requests);
    if (seen === state.devSeen) {
      return;
    }
    state.devSeen = seen;
    if (!Array.isArray(requests)) {
      replaceKeepingFocus(devBox);
      return;
    }
    const url = location.origin + DEV_RECEIVER;
    const shown = requests.slice(0, DEV_REQUESTS_SHOWN);
    replaceKeepingFocus(devBox, el('section', {
      class: 'panel dev-receiver', 'data-testid': 'dev-receiver', 'aria-labelledby': 'dev-receiver-title',
    },
    el('h3', { id: 'dev-receiver-title' }, 'Dev receiver'),
    el('p', {}, 'Herald in dev mode receives webhooks itself: register this URL to try deliveries, and see them'
      + ' below with their signature checked against the secrets of the webhooks registered at it.'),
    el('p', {}, el('code', { class: 'secret', 'data-testid': 'dev-receiver-url' }, url), ' ', copyButton(() => url)),
    shown.length === 0 ? el('p', { 'data-testid': 'dev-receiver-empty' }, 'Nothing received yet.')
      : el('div', { class: 'scroll' }, el('table', { class: 'one-line', 'data-testid': 'dev-request-list' },
        el('caption', {}, 'Its last ' + shown.length + ' requests, newest first'),
        el('thead', {}, el('tr', {}, ['Received', 'Signature', 'Message ID', 'Body']
          .map((name) => el('th', { scope: 'col' }, name)))),
        el('tbody', {}, shown.map((request) => el('tr', { 'data-testid': 'dev-request' },
          el('td', {}, time(request.receivedAt)),
          el('td', { 'data-testid': 'dev-request-signature' }, el('span', {
            class: request.signatureValid ? 'badge on' : 'badge off',
          }, request.signatureValid ? 'verified' : 'not verified')),
          textCell('dev-request-id', request.webhookId, 'short'),
          textCell('dev-request-body', request.body, 'wide'))))))));
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
    replaceKeepingFocus(providersBox, el('table', { class: 'one-line', 'data-testid': 'provider-list' },
      el('caption', {}, 'Providers'),
      el('thead', {}, el('tr', {}, ['ID', 'Name', 'Channel type'].map((name) => el('th', { scope: 'col' }, name)))),
      el('tbody', {}, state.providers.map((provider) => el('tr', { 'data-testid': 'provider-row' },
        el('th', { scope: 'row' }, String(provider.providerId)),
        el('td', {}, clip('wide', provider.name, provider.name)),
        el('td', {}, String(provider.channelType)))))));
  }

  /** A type's schema, folded; it stays open across the list's refreshes once opened. */
  function schemaDetails(type) {
    return el('details', {
      open: state.openSchemas.has(type.name),
      on: { toggle: (event) => (event.target.open ? state.openSchemas.add(type.name)
        : state.openSchemas.delete(type.name)) },
    }, el('summary', {}, 'JSON Schema'), el('pre', { class: 'excerpt' }, type.schema));
  }

  /** The application's catalogue: what producers tag events with, and the schema each type's events satisfy. */
  function renderEventTypes() {
    if (state.eventTypes.length === 0) {
      replaceKeepingFocus(eventTypesBox, el('p', {}, 'No event types: events are untyped OsmoX notifications.'));
      return;
    }
    replaceKeepingFocus(eventTypesBox, el('table', { class: 'one-line', 'data-testid': 'event-type-list' },
      el('caption', {}, 'Event types'),
      el('thead', {}, el('tr', {}, ['Name', 'Description', 'Schema'].map((name) => el('th', { scope: 'col' }, name)))),
      el('tbody', {}, state.eventTypes.map((type) => el('tr', { 'data-testid': 'event-type-row' },
        el('th', { scope: 'row', 'data-testid': 'event-type-name' }, type.name),
        textCell('event-type-description', type.description, 'wide'),
        el('td', { 'data-testid': 'event-type-schema' }, type.schema
          ? schemaDetails(type)
          : 'any JSON'))))));
  }

  /** Reads the lists again; re-renders only what changed (or everything when `force`). */
  async function refresh(force = false) {
    refreshDevReceiver();
    try {
      const data = await newest(async () => ({
        providers: (await gql(PROVIDERS)).providers,
        eventTypes: (await gql(EVENT_TYPES)).eventTypes,
        webhooks: await allWebhooks(WEBHOOK_FIELDS),
      }));
      clearErrors('poll');
      const seen = JSON.stringify(data);
      if (!force && seen === state.seen) {
        return;
      }
      state.seen = seen;
      state.providers = data.providers;
      state.eventTypes = data.eventTypes;
      state.webhooks = data.webhooks;
      const ids = new Set(state.webhooks.map((w) => w.id));
      if (state.confirming && !ids.has(state.confirming.id)) {
        state.confirming = null;
      }
      state.open = new Set([...state.open].filter((id) => ids.has(id)));
      renderTable();
      renderProviders();
      renderEventTypes();
    } catch (e) {
      reportError(e, 'poll');
      throw e;
    }
  }

  return { root, refresh };
}
