// The console's entry point: sign-in, the role of the key, the views and the 5 s poll.
// Test hooks (accessible names and data-testid values) are listed in index.html.
import { storedKey, storeKey, forgetKey, roleOf, portalScope, ApiError } from './api.js';
import { el, clearErrors, showStatus, reportError } from './dom.js';
import { renderSignIn } from './signin.js';
import { createWebhooksView } from './webhooks.js';
import { createDeliveriesView } from './deliveries.js';
import { createActivityView } from './chart.js';
import { createAdminView } from './admin.js';

const POLL_MS = 5000;

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const signOutButton = document.getElementById('sign-out');

let session = 0; // bumped at every sign-in and sign-out, so late answers of an old session are ignored
let current = null;
let timer = null;
let busy = false;

function failed(e, mine) {
  if (mine !== session) {
    return;
  }
  if (e instanceof ApiError && e.classification === 'UNAUTHORIZED') {
    signOut();
    reportError(new ApiError(['Herald no longer accepts this key: sign in again.'], e.classification));
  }
}

async function refresh(force) {
  const mine = session;
  const view = current;
  if (!view) {
    return;
  }
  try {
    await view.refresh(force);
  } catch (e) {
    failed(e, mine);
  }
}

async function tick() {
  if (busy || document.hidden) {
    return;
  }
  busy = true;
  try {
    await refresh(false);
  } finally {
    busy = false;
  }
}

function show(view, navButtons, button) {
  current = view;
  for (const other of navButtons) {
    other.removeAttribute('aria-current');
  }
  if (button) {
    button.setAttribute('aria-current', 'page');
  }
  main.replaceChildren(view.root);
  refresh(true);
}

function enter(role) {
  session += 1;
  clearErrors();
  signOutButton.hidden = false;
  who.textContent = role === 'admin' ? 'Signed in with the admin key'
    : role === 'portal' ? portalText(portalScope()) : 'Signed in with an application key';
  const views = role === 'admin'
    ? [['Operator', createAdminView()]]
    : [['Webhooks', createWebhooksView()], ['Deliveries', createDeliveriesView()], ['Activity', createActivityView()]];
  const buttons = views.map(([name, view]) => {
    const button = el('button', { type: 'button', 'data-testid': 'nav-' + name.toLowerCase() }, name);
    button.addEventListener('click', () => show(view, buttons, button));
    return button;
  });
  nav.replaceChildren(...buttons);
  nav.hidden = views.length < 2;
  show(views[0][1], buttons, buttons[0]);
  clearInterval(timer);
  timer = setInterval(tick, POLL_MS);
}

/** Who a portal token lets in, in words. */
function portalText(scope) {
  const what = scope.webhookId ? 'webhook ' + scope.webhookId
    : scope.providerId ? 'the webhooks of provider ' + scope.providerId : 'every webhook of the application';
  return 'Portal: ' + what + (scope.access === 'MANAGE' ? '' : ', read only');
}

function signOut() {
  session += 1;
  forgetKey();
  clearInterval(timer);
  timer = null;
  current = null;
  nav.replaceChildren();
  nav.hidden = true;
  who.textContent = '';
  signOutButton.hidden = true;
  renderSignIn(main, enter);
}

signOutButton.addEventListener('click', () => {
  signOut();
  clearErrors();
  showStatus('Signed out');
});

async function start() {
  // an embedding page hands a portal token over in the fragment (never sent to a server): kept, then taken out of
  // the address. A link opened in a tab that is signed in already does not replace its key (a page of another site
  // could sign the tab in as someone else); a framed console takes it always.
  if (/(?:^#|&)token=/.test(location.hash)) {
    const handed = new URLSearchParams(location.hash.slice(1)).get('token');
    history.replaceState(null, '', location.pathname + location.search);
    if (handed && handed.startsWith('hp_') && (window.top !== window || !storedKey())) {
      storeKey(handed);
    }
  }
  const key = storedKey();
  if (!key) {
    renderSignIn(main, enter);
    return;
  }
  try {
    enter(await roleOf(key));
  } catch (e) {
    forgetKey(); // not known, or Herald not reachable: sign in again either way (Sign out is not shown here)
    renderSignIn(main, enter);
    reportError(e);
  }
}

start();
