// The attempt log: deliveries filtered by webhook, status and event id, each expandable to its attempts; replay
// one delivery, or a webhook's failed deliveries since a time.
import { gql, newestOnly, mayManage } from './api.js';
import {
  el, act, time, clip, formatTime, parseTime, orDash, milliseconds, replaceKeepingFocus, showStatus, clearErrors, reportError,
} from './dom.js';

const PAGE_SIZE = 50;
const STATUSES = ['PENDING', 'IN_FLIGHT', 'DELIVERED', 'FAILED'];

const LIST = `query ConsoleDeliveries($webhookId: ID, $eventId: ID, $status: DeliveryStatus, $after: String,
    $limit: Int) {
  webhooks(limit: 500) { id webhookUrl }
  deliveries(webhookId: $webhookId, eventId: $eventId, status: $status, after: $after, limit: $limit) {
    totalCount totalCountCapped nextCursor
    items {
      id eventId webhookId status attemptCount nextAttemptAt createdAt finishedAt
      attempts { attemptedAt durationMs statusCode error responseExcerpt }
    }
  }
}`;
const REPLAY = 'mutation ConsoleReplay($id: ID!) { replayDelivery(deliveryId: $id) { id status } }';
const REPLAY_FAILED = `mutation ConsoleReplayFailed($webhookId: ID!, $since: DateTime) {
  replayFailed(webhookId: $webhookId, since: $since)
}`;
const RECOVER = `mutation ConsoleRecover($webhookId: ID!, $since: DateTime!, $until: DateTime) {
  recoverWebhook(webhookId: $webhookId, since: $since, until: $until)
}`;

/** One hour ago to the minute, in the console's date format. */
function hourAgo() {
  const d = new Date(Date.now() - 3600 * 1000);
  d.setUTCSeconds(0, 0);
  return formatTime(d);
}

/** A text input for a time in the console's date format (UTC). */
function timeInput(id, value) {
  return el('input', {
    id, name: id, type: 'text', value, placeholder: 'YYYY-MM-DD HH:MM:SS UTC', spellcheck: 'false', autocomplete: 'off',
  });
}

/** The input's time as ISO-8601, or an error naming the field and the form it takes. */
function isoTimeOf(input, name) {
  const at = parseTime(input.value);
  if (!at) {
    const now = formatTime(new Date());
    throw new Error(name + ': write a time as ' + now.slice(0, 16) + ' or ' + now);
  }
  return at.toISOString();
}

export function createDeliveriesView() {
  const newest = newestOnly();
  const state = {
    filter: { webhookId: '', status: '', eventId: '' },
    cursors: [null], // cursors[i]: the `after` of page i; the last one is the page shown
    expanded: new Set(),
    webhooks: [],
    page: null,
    seen: null,
    seenWebhooks: null,
  };

  const filterWebhook = el('select', { id: 'filter-webhook', name: 'webhookId' });
  const replayWebhook = el('select', { id: 'replay-webhook', name: 'webhookId', required: true });
  const recoverWebhook = el('select', { id: 'recover-webhook', name: 'webhookId', required: true });
  const summary = el('p', { 'data-testid': 'delivery-summary', 'aria-live': 'polite' });
  const tableBox = el('div', { class: 'scroll' });
  const pager = el('div', { class: 'actions pager' });
  const root = el('section', { class: 'view', 'aria-labelledby': 'deliveries-title' },
    el('h2', { id: 'deliveries-title' }, 'Deliveries'),
    filterForm(), summary, tableBox, pager, mayManage() ? [replayFailedForm(), recoverForm()] : null);

  function filterForm() {
    const status = el('select', { id: 'filter-status', name: 'status' },
      el('option', { value: '' }, 'Any'), STATUSES.map((s) => el('option', { value: s }, s)));
    const eventId = el('input', { id: 'filter-event', name: 'eventId', type: 'text', inputmode: 'numeric' });
    const button = el('button', { type: 'submit' }, 'Filter');
    const form = el('form', { class: 'form inline', 'aria-labelledby': 'filter-title', novalidate: true },
      el('h3', { id: 'filter-title' }, 'Filter deliveries'),
      el('div', { class: 'field' }, el('label', { for: 'filter-webhook' }, 'Webhook'), filterWebhook),
      el('div', { class: 'field' }, el('label', { for: 'filter-status' }, 'Status'), status),
      el('div', { class: 'field' }, el('label', { for: 'filter-event' }, 'Event ID'), eventId),
      el('div', { class: 'actions' }, button));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      state.filter = { webhookId: filterWebhook.value, status: status.value, eventId: eventId.value.trim() };
      state.cursors = [null];
      act(button, () => refresh(true));
    });
    return form;
  }

  function replayFailedForm() {
    const since = timeInput('replay-since', hourAgo());
    const button = el('button', { type: 'submit' }, 'Replay failed since');
    const form = el('form', { class: 'form inline', 'aria-labelledby': 'replay-title', novalidate: true },
      el('h3', { id: 'replay-title' }, 'Replay failed deliveries'),
      el('div', { class: 'field' }, el('label', { for: 'replay-webhook' }, 'Webhook to replay'), replayWebhook),
      el('div', { class: 'field' }, el('label', { for: 'replay-since' }, 'Failed since (UTC; empty: all)'), since),
      el('div', { class: 'actions' }, button));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      act(button, async () => {
        if (!replayWebhook.value) {
          throw new Error('Webhook to replay: choose a webhook');
        }
        const variables = {
          webhookId: replayWebhook.value,
          since: since.value.trim() ? isoTimeOf(since, 'Failed since') : null,
        };
        const data = await gql(REPLAY_FAILED, variables);
        showStatus('Replayed ' + data.replayFailed + ' failed deliveries of webhook ' + variables.webhookId);
        await refresh(true);
      });
    });
    return form;
  }

  /** Deliveries for the events a webhook missed (it was off, say): recoverWebhook over a window of acceptance. */
  function recoverForm() {
    const since = timeInput('recover-since', hourAgo());
    const until = timeInput('recover-until', '');
    const button = el('button', { type: 'submit' }, 'Recover missed events');
    const form = el('form', { class: 'form inline', 'aria-labelledby': 'recover-title', novalidate: true },
      el('h3', { id: 'recover-title' }, 'Recover missed events'),
      el('div', { class: 'field' }, el('label', { for: 'recover-webhook' }, 'Webhook to recover'), recoverWebhook),
      el('div', { class: 'field' }, el('label', { for: 'recover-since' }, 'Accepted since (UTC)'), since),
      el('div', { class: 'field' }, el('label', { for: 'recover-until' }, 'Until (UTC; empty: now)'), until),
      el('div', { class: 'actions' }, button));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      act(button, async () => {
        if (!recoverWebhook.value) {
          throw new Error('Webhook to recover: choose a webhook');
        }
        const variables = {
          webhookId: recoverWebhook.value,
          since: isoTimeOf(since, 'Accepted since'),
          until: until.value.trim() ? isoTimeOf(until, 'Until') : null,
        };
        const data = await gql(RECOVER, variables);
        showStatus('Recovered ' + data.recoverWebhook + ' missed events for webhook ' + variables.webhookId);
        await refresh(true);
      });
    });
    return form;
  }

  function urlOf(webhookId) {
    const webhook = state.webhooks.find((w) => w.id === webhookId);
    return webhook ? webhook.webhookUrl : '';
  }

  function renderWebhookSelects() {
    const options = (chosen) => state.webhooks.map((w) => el('option', { value: w.id, selected: w.id === chosen },
      w.id + ' ' + w.webhookUrl));
    const filterChosen = filterWebhook.value;
    filterWebhook.replaceChildren(el('option', { value: '' }, 'All'), ...options(filterChosen));
    const replayChosen = replayWebhook.value;
    replayWebhook.replaceChildren(...options(replayChosen));
    const recoverChosen = recoverWebhook.value;
    recoverWebhook.replaceChildren(...options(recoverChosen));
  }

  function attemptsTable(delivery) {
    if (delivery.attempts.length === 0) {
      return el('p', {}, 'No attempts yet.');
    }
    return el('table', { class: 'attempts one-line', 'data-testid': 'attempt-list' },
      el('caption', {}, 'Attempts of delivery ' + delivery.id),
      el('thead', {}, el('tr', {}, ['Time', 'Status code', 'Duration', 'Error', 'Response excerpt']
        .map((name) => el('th', { scope: 'col' }, name)))),
      el('tbody', {}, delivery.attempts.map((attempt) => el('tr', { 'data-testid': 'attempt-row' },
        el('td', { 'data-testid': 'attempt-time' }, time(attempt.attemptedAt)),
        el('td', { 'data-testid': 'attempt-status-code' }, orDash(attempt.statusCode)),
        el('td', { 'data-testid': 'attempt-duration' }, milliseconds(attempt.durationMs)),
        el('td', { 'data-testid': 'attempt-error' }, clip('text', attempt.error, orDash(attempt.error))),
        el('td', {}, el('pre', { class: 'excerpt', 'data-testid': 'attempt-excerpt' },
          orDash(attempt.responseExcerpt)))))));
  }

  function rows(delivery) {
    const open = state.expanded.has(delivery.id);
    const detailsId = 'attempts-of-' + delivery.id;
    const toggle = el('button', {
      type: 'button', 'aria-expanded': open ? 'true' : 'false', 'aria-controls': open ? detailsId : null,
      'data-focus-key': 'delivery-' + delivery.id + '-toggle',
      on: { click: () => {
        if (state.expanded.has(delivery.id)) {
          state.expanded.delete(delivery.id);
        } else {
          state.expanded.add(delivery.id);
        }
        render();
      } },
    }, (open ? 'Hide attempts' : 'Show attempts') + ' (' + delivery.attempts.length + ')');
    let replay = null;
    if (delivery.status === 'FAILED' && mayManage()) {
      replay = el('button', { type: 'button', 'data-focus-key': 'delivery-' + delivery.id + '-replay' }, 'Replay');
      replay.addEventListener('click', () => act(replay, async () => {
        const data = await gql(REPLAY, { id: delivery.id });
        showStatus('Delivery ' + data.replayDelivery.id + ' replayed: ' + data.replayDelivery.status);
        await refresh(true);
      }));
    }
    const main = el('tr', { 'data-testid': 'delivery-row', 'data-delivery-id': delivery.id },
      el('td', {}, toggle),
      el('th', { scope: 'row' }, delivery.id),
      el('td', { 'data-testid': 'delivery-event' }, delivery.eventId),
      el('td', { 'data-testid': 'delivery-webhook' }, clip('wide', urlOf(delivery.webhookId),
        delivery.webhookId, ' ', el('span', { class: 'url' }, urlOf(delivery.webhookId)))),
      el('td', { 'data-testid': 'delivery-status' }, el('span', { class: 'badge ' + delivery.status.toLowerCase() },
        delivery.status)),
      el('td', { 'data-testid': 'delivery-attempt-count' }, String(delivery.attemptCount)),
      el('td', {}, time(delivery.createdAt)),
      el('td', {}, delivery.finishedAt ? time(delivery.finishedAt)
        : delivery.nextAttemptAt ? ['next ', time(delivery.nextAttemptAt)] : '—'),
      el('td', {}, replay));
    if (!open) {
      return [main];
    }
    return [main, el('tr', { id: detailsId, class: 'details', 'data-testid': 'attempts-row' },
      el('td', { colspan: '9' }, attemptsTable(delivery)))];
  }

  function render() {
    const page = state.page;
    if (!page) {
      return;
    }
    summary.textContent = page.totalCount + (page.totalCountCapped ? '+' : '') + ' deliveries match; page '
      + state.cursors.length + '.';
    if (page.items.length === 0) {
      replaceKeepingFocus(tableBox, el('p', { 'data-testid': 'no-deliveries' }, 'No deliveries match.'));
    } else {
      replaceKeepingFocus(tableBox, el('table', { class: 'one-line', 'data-testid': 'delivery-list' },
        el('caption', {}, 'Deliveries, newest first'),
        el('thead', {}, el('tr', {}, ['Attempts', 'ID', 'Event', 'Webhook', 'Status', 'Tries', 'Created',
          'Finished / next attempt', 'Actions'].map((name) => el('th', { scope: 'col' }, name)))),
        el('tbody', {}, page.items.map(rows))));
    }
    const buttons = [];
    if (state.cursors.length > 1) {
      buttons.push(el('button', { type: 'button', 'data-focus-key': 'page-previous', on: { click: () => {
        state.cursors.pop();
        act(null, () => refresh(true));
      } } }, 'Previous page'));
    }
    if (page.nextCursor) {
      buttons.push(el('button', { type: 'button', 'data-focus-key': 'page-next', on: { click: () => {
        state.cursors.push(page.nextCursor);
        act(null, () => refresh(true));
      } } }, 'Next page'));
    }
    replaceKeepingFocus(pager, buttons);
  }

  async function refresh(force = false) {
    const { webhookId, status, eventId } = state.filter;
    const variables = {
      webhookId: webhookId || null, status: status || null, eventId: eventId || null,
      after: state.cursors[state.cursors.length - 1], limit: PAGE_SIZE,
    };
    try {
      const data = await newest(() => gql(LIST, variables));
      clearErrors('poll');
      const webhooks = JSON.stringify(data.webhooks);
      if (webhooks !== state.seenWebhooks) {
        state.seenWebhooks = webhooks;
        state.webhooks = data.webhooks;
        renderWebhookSelects();
      }
      const seen = JSON.stringify([variables, data.deliveries]);
      if (!force && seen === state.seen) {
        return;
      }
      state.seen = seen;
      state.page = data.deliveries;
      render();
    } catch (e) {
      reportError(e, 'poll');
      throw e;
    }
  }

  return { root, refresh };
}
