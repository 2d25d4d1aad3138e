// The operator view (admin key): applications, the global backlog and delivery rate, the ten endpoints failing
// most. Only createApplication exists in Herald today; APPLICATIONS and OVERVIEW are proposed operations, each
// asked for separately so that a Herald without one still shows the rest.
import { gql, isSchemaMismatch } from './api.js';
import {
  el, act, time, orDash, copyButton, replaceKeepingFocus, showStatus, clearErrors, reportError,
} from './dom.js';

const CREATE = `mutation ConsoleCreateApplication($input: CreateApplicationInput!) {
  createApplication(createApplicationInput: $input) { applicationId name apiKey }
}`;
// proposed: applications: [Application!]! (admin key only; apiKey null)
const APPLICATIONS = 'query ConsoleApplications { applications { applicationId name } }';
// proposed: operatorOverview: OperatorOverview! (admin key only)
const OVERVIEW = `query ConsoleOverview {
  operatorOverview {
    backlog deliveredPerMinute failedPerMinute
    failingEndpoints(limit: 10) {
      webhookId applicationId webhookUrl consecutiveFailures failingSince lastError
    }
  }
}`;

function rate(value) {
  return value === null || value === undefined ? '—' : String(Math.round(value * 10) / 10);
}

function unavailable(testid, what) {
  return el('p', { 'data-testid': testid }, 'This Herald does not answer ' + what + ' yet.');
}

export function createAdminView() {
  const state = { seenApplications: null, seenOverview: null, noApplications: false, noOverview: false };
  const result = el('div', { class: 'result' });
  const applicationsBox = el('div', { class: 'scroll' });
  const overviewBox = el('div');
  const failingBox = el('div', { class: 'scroll' });
  const root = el('section', { class: 'view', 'aria-labelledby': 'operator-title' },
    el('h2', { id: 'operator-title' }, 'Operator'),
    el('h3', {}, 'Delivery'), overviewBox,
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
    replaceKeepingFocus(applicationsBox, el('table', { 'data-testid': 'application-list' },
      el('caption', {}, 'Applications'),
      el('thead', {}, el('tr', {}, ['ID', 'Name'].map((n) => el('th', { scope: 'col' }, n)))),
      el('tbody', {}, applications.map((a) => el('tr', { 'data-testid': 'application-row' },
        el('th', { scope: 'row' }, String(a.applicationId)), el('td', {}, orDash(a.name)))))));
  }

  function renderOverview(overview) {
    replaceKeepingFocus(overviewBox, el('dl', { class: 'figures' },
      el('div', {}, el('dt', {}, 'Backlog'), el('dd', { 'data-testid': 'backlog' }, orDash(overview.backlog))),
      el('div', {}, el('dt', {}, 'Delivered per minute'),
        el('dd', { 'data-testid': 'delivered-per-minute' }, rate(overview.deliveredPerMinute))),
      el('div', {}, el('dt', {}, 'Failed per minute'),
        el('dd', { 'data-testid': 'failed-per-minute' }, rate(overview.failedPerMinute)))));
    const failing = (overview.failingEndpoints || []).slice(0, 10);
    if (failing.length === 0) {
      replaceKeepingFocus(failingBox, el('p', { 'data-testid': 'no-failing-endpoints' }, 'No endpoint is failing.'));
      return;
    }
    replaceKeepingFocus(failingBox, el('table', { 'data-testid': 'failing-endpoint-list' },
      el('caption', {}, 'The ten endpoints failing most'),
      el('thead', {}, el('tr', {}, ['Webhook', 'Application', 'URL', 'Failures in a row', 'Failing since',
        'Last error'].map((n) => el('th', { scope: 'col' }, n)))),
      el('tbody', {}, failing.map((f) => el('tr', { 'data-testid': 'failing-endpoint-row' },
        el('th', { scope: 'row' }, String(f.webhookId)),
        el('td', {}, String(f.applicationId)),
        el('td', { class: 'url' }, f.webhookUrl),
        el('td', {}, String(f.consecutiveFailures)),
        el('td', {}, time(f.failingSince)),
        el('td', {}, orDash(f.lastError)))))));
  }

  /** One proposed query: rendered when it answers, replaced by a note once Herald says it has no such field. */
  async function load(query, flag, seenKey, box, testid, what, render, force) {
    if (state[flag]) {
      return;
    }
    let data;
    try {
      data = await gql(query);
    } catch (e) {
      if (isSchemaMismatch(e)) {
        state[flag] = true;
        box.replaceChildren(unavailable(testid, what));
        return;
      }
      throw e;
    }
    const seen = JSON.stringify(data);
    if (force || seen !== state[seenKey]) {
      state[seenKey] = seen;
      render(data);
    }
  }

  async function refresh(force = false) {
    const outcomes = await Promise.allSettled([
      load(APPLICATIONS, 'noApplications', 'seenApplications', applicationsBox, 'applications-unavailable',
        'the list of applications (query applications)', (d) => renderApplications(d.applications), force),
      load(OVERVIEW, 'noOverview', 'seenOverview', overviewBox, 'overview-unavailable',
        'the backlog, rates and failing endpoints (query operatorOverview)', (d) => {
          renderOverview(d.operatorOverview);
        }, force),
    ]);
    if (state.noOverview) {
      failingBox.replaceChildren();
    }
    const failed = outcomes.find((o) => o.status === 'rejected');
    if (failed) {
      reportError(failed.reason, 'poll');
      throw failed.reason;
    }
    clearErrors('poll');
  }

  return { root, refresh };
}
