// Tiny DOM helpers. Nodes are built with createElement/createElementNS; data only ever becomes textContent or an
// attribute value, never markup.

import { StaleAnswer } from './api.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

function fill(node, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === 'on') {
      for (const [type, listener] of Object.entries(value)) {
        node.addEventListener(type, listener);
      }
    } else if (value === true) {
      node.setAttribute(name, '');
    } else if (value !== false && value !== null && value !== undefined) {
      node.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** el('button', {type: 'button', on: {click: f}}, 'Text', otherNode) */
export function el(tag, attrs, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

/** The same for SVG elements. */
export function svg(tag, attrs, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

/**
 * Replaces a container's children, keeping keyboard focus on the element with the same data-focus-key, so that
 * polling does not throw a keyboard user back to the top.
 */
export function replaceKeepingFocus(container, ...children) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.getAttribute('data-focus-key') : null;
  container.replaceChildren(...children.flat(Infinity).filter(Boolean));
  if (key) {
    for (const node of container.querySelectorAll('[data-focus-key]')) {
      if (node.getAttribute('data-focus-key') === key) {
        node.focus();
        break;
      }
    }
  }
}

// Every date the console shows, in one format: "2026-12-03 06:52:11 UTC" (formatTime), and parsed back in that format
// where a date is typed (parseTime).
const DATE_FORMAT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2}))?(?: UTC)?$/;

/** An ISO timestamp (or a Date) as "2026-12-03 06:52:11 UTC"; the text as it came when it is not a date. */
export function formatTime(value) {
  const date = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(date.getTime())) {
    return String(value);
  }
  return date.toISOString().slice(0, 19).replace('T', ' ') + ' UTC';
}

/** "2026-12-03 06:52:11 UTC" (seconds and " UTC" optional) as a Date; null when the text is not that. */
export function parseTime(text) {
  const match = DATE_FORMAT.exec(String(text).trim());
  if (!match) {
    return null;
  }
  const [, year, month, day, hour, minute, second] = match.map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second || 0));
  const valid = date.getUTCMonth() === month - 1 && date.getUTCDate() === day && date.getUTCHours() === hour
    && date.getUTCMinutes() === minute;
  return valid ? date : null;
}

/** Text from Herald with the ISO timestamps in it (e.g. a disabled reason) in the console's format. */
export function withDates(text) {
  return text === null || text === undefined ? text
    : String(text).replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, (iso) => formatTime(iso));
}

/** A <time> showing an ISO timestamp in the console's format; a dash when there is none. */
export function time(iso) {
  if (!iso) {
    return el('span', { class: 'none' }, '—');
  }
  return el('time', { datetime: iso }, formatTime(iso));
}

/**
 * Content kept to one line: what does not fit ends with an ellipsis, and `title` (the whole text) is its tooltip.
 * `size`: 'short', 'text' or 'wide' (console.css).
 */
export function clip(size, title, ...content) {
  return el('div', { class: 'clip ' + size, title: title || null }, ...content);
}

export function milliseconds(value) {
  return value === null || value === undefined ? '—' : value + ' ms';
}

export function orDash(value) {
  return value === null || value === undefined || value === '' ? '—' : String(value);
}

/** A "Copy" button that copies text() with navigator.clipboard and says whether it worked. */
export function copyButton(text, label = 'Copy') {
  const said = el('span', { class: 'copy-result', role: 'status' });
  const button = el('button', {
    type: 'button',
    on: {
      click: async () => {
        try {
          await navigator.clipboard.writeText(text());
          said.textContent = 'Copied';
        } catch (e) {
          said.textContent = 'Copying failed: select the text and copy it by hand';
        }
      },
    },
  }, label);
  return el('span', { class: 'copy' }, button, ' ', said);
}

// The page's two message regions (index.html): errors (role="alert") and what an action did (role="status").
let alertSource = null;

/** Shows error messages (text only). `source` lets a later success of the same source clear them. */
export function showErrors(messages, source = 'action') {
  const region = document.getElementById('alert');
  alertSource = source;
  region.replaceChildren(...messages.map((message) => el('p', {}, message)));
}

export function clearErrors(source) {
  if (source && source !== alertSource) {
    return;
  }
  const region = document.getElementById('alert');
  region.replaceChildren();
  alertSource = null;
}

/** How long a status message stays; the next action clears it sooner. */
const STATUS_MS = 6000;
let statusTimer = null;

/** Says in the status region what an action did, for a few seconds. */
export function showStatus(message) {
  const region = document.getElementById('status');
  region.textContent = message;
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => {
    if (region.textContent === message) {
      region.textContent = '';
    }
  }, STATUS_MS);
}

export function clearStatus() {
  clearTimeout(statusTimer);
  document.getElementById('status').textContent = '';
}

/** Shows an error thrown by gql (or anything else) in the alert region. */
export function reportError(error, source = 'action') {
  if (error instanceof StaleAnswer) {
    return;
  }
  showErrors(error && Array.isArray(error.messages) ? error.messages : [String(error && error.message || error)],
    source);
}

/**
 * Runs an action from a button or form: disables `control` meanwhile, reports errors, clears old ones and the status
 * of the action before.
 */
export async function act(control, action) {
  if (control) {
    control.disabled = true;
  }
  clearErrors();
  clearStatus();
  try {
    return await action();
  } catch (e) {
    reportError(e);
    return undefined;
  } finally {
    if (control) {
      control.disabled = false;
    }
  }
}

/**
 * An in-page confirmation for an action that cannot be taken back: the question, a button that does it and "Cancel".
 * `onConfirm` runs through act(); `onCancel` puts back what was there. Focus goes to Cancel, the harmless choice.
 */
export function confirmation({ question, confirmLabel, focusKey, onConfirm, onCancel }) {
  const confirm = el('button', { type: 'button', class: 'danger', 'data-focus-key': focusKey + '-confirm' }, confirmLabel);
  const cancel = el('button', { type: 'button', 'data-focus-key': focusKey + '-cancel' }, 'Cancel');
  confirm.addEventListener('click', () => act(confirm, onConfirm));
  cancel.addEventListener('click', () => onCancel());
  return el('div', { class: 'confirm', role: 'group', 'aria-label': question, 'data-testid': 'confirmation' },
    el('span', { class: 'question' }, question), confirm, cancel);
}
