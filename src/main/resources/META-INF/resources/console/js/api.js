// GraphQL over POST /graphql, and the API key. The key lives only in sessionStorage (or, where the browser denies it,
// in the page) and travels only as the x-api-key header (never in a URL, a cookie or a log line).

const KEY_ITEM = 'herald.console.apiKey';

// Bumped at every sign-in and sign-out: an answer that arrives after one belongs to a session that is over.
let generation = 0;

// Framed by another site's page (a portal), a browser may deny the console its storage: the key then lives in this
// page only, and a reload signs out.
let pageKey = null;

function tabStorage() {
  try {
    return window.sessionStorage;
  } catch (e) {
    return null;
  }
}

export function storedKey() {
  const storage = tabStorage();
  return (storage && storage.getItem(KEY_ITEM)) || pageKey;
}

export function storeKey(key) {
  generation += 1;
  const storage = tabStorage();
  try {
    storage.setItem(KEY_ITEM, key);
  } catch (e) {
    pageKey = key; // no storage, or full
  }
}

export function forgetKey() {
  generation += 1;
  const storage = tabStorage();
  if (storage) {
    storage.removeItem(KEY_ITEM);
  }
  pageKey = null;
}

/** A GraphQL answer with errors: `messages` are the errors' message texts, `classification` the first one's. */
export class ApiError extends Error {
  constructor(messages, classification) {
    super(messages.join('\n'));
    this.messages = messages;
    this.classification = classification;
  }
}

/**
 * An answer nobody waits for any more: it came after a sign-out or sign-in, or after a newer request of the same
 * view (newestOnly). Views drop it without a word.
 */
export class StaleAnswer extends Error {
  constructor() {
    super('stale answer');
  }
}

/**
 * For a view's reads: wraps each request so that only the answer to the latest one is used; an older one that
 * arrives later (a poll overtaken by a Filter click) rejects with StaleAnswer instead of drawing old data.
 */
export function newestOnly() {
  let latest = 0;
  return async (request) => {
    latest += 1;
    const mine = latest;
    const answer = await request();
    if (mine !== latest) {
      throw new StaleAnswer();
    }
    return answer;
  };
}

/** Runs one operation with the stored key (or `key`); resolves to `data`, rejects with an ApiError. */
export async function gql(query, variables = {}, key = storedKey()) {
  const session = generation;
  const data = await send(query, variables, key);
  if (session !== generation) {
    throw new StaleAnswer();
  }
  return data;
}

async function send(query, variables, key) {
  if (!key) {
    throw new ApiError(['Not signed in'], 'UNAUTHORIZED');
  }
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': key },
      body: JSON.stringify({ query, variables }),
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
    });
  } catch (e) {
    throw new ApiError(['Herald cannot be reached (' + e.message + ')'], 'NETWORK');
  }
  let answer = null;
  try {
    answer = await response.json();
  } catch (e) {
    answer = null;
  }
  if (answer && Array.isArray(answer.errors) && answer.errors.length > 0) {
    const messages = answer.errors.map((error) => String(error && error.message));
    const first = answer.errors[0];
    throw new ApiError(messages, (first && first.extensions && first.extensions.classification) || null);
  }
  if (!response.ok || !answer || typeof answer.data !== 'object' || answer.data === null) {
    throw new ApiError(['Herald answered HTTP ' + response.status], 'HTTP_' + response.status);
  }
  return answer.data;
}

/** Webhooks a page of allWebhooks asks for: a page with health by minute stays within Herald's query cost. */
const WEBHOOK_PAGE = 100;

/**
 * Every webhook of the caller, a page at a time (the API answers lists in pages): `selection` is what each webhook
 * answers; its id is always asked for, to page on. Resolves to the list, in id order.
 */
export async function allWebhooks(selection) {
  const query = `query ConsoleWebhookPage($after: ID) {
  webhooks(limit: ${WEBHOOK_PAGE}, after: $after) { id ${selection} }
}`;
  const all = [];
  let after = null;
  for (;;) {
    const page = (await gql(query, { after })).webhooks;
    all.push(...page);
    if (page.length < WEBHOOK_PAGE) {
      return all;
    }
    after = page[page.length - 1].id;
  }
}

/** What the portal token signed in names ({access, providerId, webhookId, expiresAt}); null for a key. */
let scope = null;

export function portalScope() {
  return scope;
}

/** Whether the signed-in caller may change things (any key; a portal token with access MANAGE). */
export function mayManage() {
  return scope === null || scope.access === 'MANAGE';
}

/**
 * Which kind of key this is, by harmless queries that exist: `portalScope` names a portal token's scope (null for a
 * key); `providers` answers for an application key and is FORBIDDEN for the admin key. Resolves to 'portal',
 * 'application' or 'admin'; rejects (e.g. UNAUTHORIZED) otherwise.
 */
export async function roleOf(key) {
  scope = (await gql('query WhoAmI { portalScope { access providerId webhookId expiresAt } }', {}, key)).portalScope;
  if (scope) {
    return 'portal';
  }
  try {
    await gql('query WhoAmI { providers { providerId } }', {}, key);
    return 'application';
  } catch (e) {
    if (e instanceof ApiError && e.classification === 'FORBIDDEN') {
      return 'admin';
    }
    throw e;
  }
}
