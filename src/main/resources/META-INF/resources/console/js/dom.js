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

/** A <time> showing an ISO timestamp as "2026-12-03 06:52:11 UTC"; a dash when there is none. */
export function time(iso) {
  if (!iso) {
    return el('span', { class: 'none' }, '—');
  }
  const text = String(iso).replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');
  return el('time', { datetime: iso }, text);
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

// The page's two message regions (index.html): errors (role="alert") and confirmations (role="status").
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

export function showStatus(message) {
  document.getElementById('status').textContent = message;
}

/** Shows an error thrown by gql (or anything else) in the alert region. */
export function reportError(error, source = 'action') {
  if (error instanceof StaleAnswer) {
    return;
  }
  showErrors(error && Array.isArray(error.messages) ? error.messages : [String(error && error.message || error)],
    source);
}

/** Runs an action from a button or form: disables `control` meanwhile, reports errors, clears old ones. */
export async function act(control, action) {
  if (control) {
    control.disabled = true;
  }
  clearErrors();
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
