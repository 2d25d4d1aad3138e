// The operator view (admin key): applications, the global backlog and delivery rate, the last hour's deliveries
// and backlog as charts, the ten endpoints failing most (queries applications and operatorOverview).
import { gql, newestOnly } from './api.js';
import {
  el, act, time, clip, orDash, withDates, copyButton, replaceKeepingFocus, showStatus, clearErrors, reportError,
} from './dom.js';
import { barChart, chartFigure, legend, lastHour, ATTEMPT_SERIES } from './chart.js';

const CREATE = `mutation ConsoleCreateApplication($input: CreateApplicationInput!) {
  createApplication(createApplicationInput: $input) { applicationId name apiKey }
}`;
const APPLICATIONS = 'query ConsoleApplications { applications { applicationId name } }';
const OVERVIEW = `query ConsoleOverview {
  operatorOverview {
    backlog held oldestPendingAgeSeconds deliveredPerMinute failedPerMinute
    minutes { minute delivered failed backlog }
    failingEndpoints(limit: 10) {
      webhookId applicationId webhookUrl status consecutiveFailures failingSince lastError
    }
  }
}`;

const BACKLOG_SERIES = [{ key: 'backlog', label: 'backlog', className: 'series-backlog', markZero: true }];

function seconds(value) {
  return value === null || value === undefined ? '—' : Math.round(value) + ' s';
}

function rate(value) {
  return value === null || value === undefined ? '—' : String(Math.round(value * 10) / 10);
}

export function createAdminView() {
  const state = { seenApplications: null, seenOverview: null };
  const newest = { seenApplications: newestOnly(), seenOverview: newestOnly() };
  const result = el('div', { class: 'result' });
  const applicationsBox = el('div', { class: 'scroll' });
  const overviewBox = el('div');
  const chartsBox = el('div', { class: 'chart-pair' });
  const failingBox = el('div', { class: 'scroll' });
  const root = el('section', { class: 'view', 'aria-labelledby': 'operator-title' },
    el('h2', { id: 'operator-title' }, 'Operator'),
    el('h3', {}, 'Delivery'), overviewBox, chartsBox,
    el('h3', {}, 'Endpoints failing most'), failingBox,
    el('h3', {}, 'Applications'), result, createForm(), applicationsBox);

  function createForm() {
    const name = el('input', { id: 'app-name', name: 'name', type: 'text', required: true });
    const button = el('button', { type: 'submit' }, 'Create application');
    const form = el('form', { class: 'form inline', 'aria-labelledby': 'create-app-title', novalidate: true },
      el('h4', { id: 'create-app-title' }, 'Create an application'),
      el('div', { class: 'field' }, el('label', { for: 'app-name' }, 'Application name'), name),
      el('div', { class: 'actions' }, button));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      act(button, async () => {
        const data = await gql(CREATE, { input: { name: name.value.trim() } });
        const created = data.createApplication;
        form.reset();
        showStatus('Application ' + created.applicationId + ' created');
        const panel = el('div', { class: 'panel', 'data-testid': 'new-application', tabindex: '-1' },
          el('h4', {}, 'API key of application ' + created.applicationId + ' ' + created.name),
          el('p', {}, 'Shown once: Herald keeps only its hash. Copy it now.'),
          el('p', {}, el('code', { class: 'secret', 'data-testid': 'new-api-key' }, created.apiKey), ' ',
            copyButton(() => created.apiKey)),
          el('button', { type: 'button', on: { click: () => result.replaceChildren() } }, 'Hide'));
        result.replaceChildren(panel);
        panel.focus();
        state.seenApplications = null;
        await refresh();
      });
    });
    return form;
  }

  function renderApplications(applications) {
    if (applications.length === 0) {
      replaceKeepingFocus(applicationsBox, el('p', {}, 'No applications yet.'));
      return;
    }
    replaceKeepingFocus(applicationsBox, el('table', { class: 'one-line', 'data-testid': 'application-list' },
      el('caption', {}, 'Applications'),
      el('thead', {}, el('tr', {}, ['ID', 'Name'].map((n) => el('th', { scope: 'col' }, n)))),
      el('tbody', {}, applications.map((a) => el('tr', { 'data-testid': 'application-row' },
        el('th', { scope: 'row' }, String(a.applicationId)), el('td', {}, clip('wide', a.name, orDash(a.name))))))));
  }

  function renderOverview(overview) {
    replaceKeepingFocus(overviewBox, el('dl', { class: 'figures' },
      el('div', {}, el('dt', {}, 'Backlog'), el('dd', { 'data-testid': 'backlog' }, orDash(overview.backlog))),
      el('div', {}, el('dt', {}, 'Held (webhooks off)'), el('dd', { 'data-testid': 'held' }, orDash(overview.held))),
      el('div', {}, el('dt', {}, 'Oldest waiting'),
        el('dd', { 'data-testid': 'oldest-pending' }, seconds(overview.oldestPendingAgeSeconds))),
      el('div', {}, el('dt', {}, 'Delivered per minute'),
        el('dd', { 'data-testid': 'delivered-per-minute' }, rate(overview.deliveredPerMinute))),
      el('div', {}, el('dt', {}, 'Failed attempts per minute'),
        el('dd', { 'data-testid': 'failed-per-minute' }, rate(overview.failedPerMinute)))));
    renderCharts(overview.minutes || []);
    const failing = (overview.failingEndpoints || []).slice(0, 10);
    if (failing.length === 0) {
      replaceKeepingFocus(failingBox, el('p', { 'data-testid': 'no-failing-endpoints' }, 'No endpoint is failing.'));
      return;
    }
    replaceKeepingFocus(failingBox, el('table', { class: 'one-line', 'data-testid': 'failing-endpoint-list' },
      el('caption', {}, 'The ten endpoints failing most'),
      el('thead', {}, el('tr', {}, ['Webhook', 'Application', 'URL', 'Status', 'Failures in a row', 'Failing since',
        'Last error'].map((n) => el('th', { scope: 'col' }, n)))),
      el('tbody', {}, failing.map((f) => el('tr', { 'data-testid': 'failing-endpoint-row' },
        el('th', { scope: 'row' }, String(f.webhookId)),
        el('td', {}, String(f.applicationId)),
        el('td', {}, clip('wide', f.webhookUrl, el('span', { class: 'url' }, f.webhookUrl))),
        el('td', {}, f.status === 1 ? 'on' : 'off'),
        el('td', {}, String(f.consecutiveFailures)),
        el('td', {}, time(f.failingSince)),
        el('td', {}, clip('text', withDates(f.lastError), orDash(withDates(f.lastError)))))))));
  }

  /** The last hour of the whole Herald: attempts delivered and failed, and the backlog, minute by minute. */
  function renderCharts(given) {
    const deliveries = lastHour(given.map((m) => ({ minute: m.minute, succeeded: m.delivered, failed: m.failed })),
      ATTEMPT_SERIES);
    const backlog = lastHour(given.map((m) => ({ minute: m.minute, backlog: m.backlog })), BACKLOG_SERIES);
    const sum = (key) => deliveries.reduce((total, m) => total + (Number(m[key]) || 0), 0);
    const recorded = backlog.filter((m) => m.backlog !== null && m.backlog !== undefined);
    const latest = recorded.length === 0 ? null : recorded[recorded.length - 1].backlog;
    replaceKeepingFocus(chartsBox,
      chartFigure('Attempts per minute, all webhooks', barChart({
        testid: 'delivery-chart', id: 'operator-deliveries',
        title: 'Attempts per minute to all webhooks in the last hour: ' + sum('succeeded') + ' delivered, '
          + sum('failed') + ' failed',
        series: ATTEMPT_SERIES, stacked: true, minutes: deliveries,
      }), legend(ATTEMPT_SERIES, '(a failed attempt is retried until the last)')),
      chartFigure('Backlog, minute by minute', barChart({
        testid: 'backlog-chart', id: 'operator-backlog',
        title: 'Backlog in the last hour, as last read in each minute: '
          + (latest === null ? 'not read yet' : 'latest ' + latest),
        series: BACKLOG_SERIES, minutes: backlog,
      }), legend(BACKLOG_SERIES, '(deliveries not yet final for webhooks that are on)')));
  }

  /** Runs one query; renders its answer when it changed (or when forced). */
  async function load(query, seenKey, render, force) {
    const data = await newest[seenKey](() => gql(query));
    const seen = JSON.stringify(data);
    if (force || seen !== state[seenKey]) {
      state[seenKey] = seen;
      render(data);
    }
  }

  async function refresh(force = false) {
    const outcomes = await Promise.allSettled([
      load(APPLICATIONS, 'seenApplications', (d) => renderApplications(d.applications), force),
      load(OVERVIEW, 'seenOverview', (d) => renderOverview(d.operatorOverview), force),
    ]);
    const failed = outcomes.find((o) => o.status === 'rejected');
    if (failed) {
      reportError(failed.reason, 'poll');
      throw failed.reason;
    }
    clearErrors('poll');
  }

  return { root, refresh };
}
