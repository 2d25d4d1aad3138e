// Attempts per minute per webhook over the last hour, succeeded (each a delivery delivered) and failed, as inline
// SVG built with createElementNS, from Webhook.health.minutes.
import { newestOnly, allWebhooks } from './api.js';
import { el, svg, replaceKeepingFocus, clearErrors, reportError } from './dom.js';

export const MINUTES_FIELDS = 'webhookUrl health { minutes { minute succeeded failed } }';

const MINUTES = 60;

/** A webhook's last 60 minutes, oldest first, as {minute (ISO string or null), succeeded, failed}. */
export function minutesOf(webhook) {
  const given = (webhook.health && Array.isArray(webhook.health.minutes) ? webhook.health.minutes : [])
    .slice(-MINUTES)
    .map((m) => ({ minute: m.minute || null, succeeded: Number(m.succeeded) || 0, failed: Number(m.failed) || 0 }));
  const padding = [];
  for (let i = given.length; i < MINUTES; i++) {
    padding.push({ minute: null, succeeded: 0, failed: 0 });
  }
  return padding.concat(given);
}

function minuteLabel(iso) {
  const match = /T(\d\d:\d\d)/.exec(iso || '');
  return match ? match[1] + ' UTC' : 'a minute';
}

/** The chart of one webhook: stacked bars, succeeded below, failed above. */
export function attemptsChart(webhook, minutes = minutesOf(webhook)) {
  const width = 640;
  const height = 170;
  const left = 40;
  const right = 8;
  const top = 10;
  const bottom = 24;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const most = Math.max(1, ...minutes.map((m) => m.succeeded + m.failed));
  const slot = plotW / MINUTES;
  const barW = Math.max(1, slot - 2);
  const y = (count) => (count / most) * plotH;
  const succeeded = minutes.reduce((sum, m) => sum + m.succeeded, 0);
  const failed = minutes.reduce((sum, m) => sum + m.failed, 0);
  const titleId = 'chart-title-' + webhook.id;

  const bars = minutes.map((m, i) => {
    const x = left + i * slot + 1;
    const okH = y(m.succeeded);
    const failH = y(m.failed);
    return svg('g', {
      'data-testid': 'chart-minute', 'data-minute': m.minute, 'data-succeeded': m.succeeded, 'data-failed': m.failed,
    },
    svg('title', {}, minuteLabel(m.minute) + ': ' + m.succeeded + ' succeeded, ' + m.failed + ' failed'),
    svg('rect', { class: 'bar-succeeded', x, y: top + plotH - okH, width: barW, height: okH }),
    svg('rect', { class: 'bar-failed', x, y: top + plotH - okH - failH, width: barW, height: failH }));
  });

  return svg('svg', {
    class: 'chart', viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-labelledby': titleId,
    'data-testid': 'attempts-chart', 'data-webhook-id': webhook.id,
  },
  svg('title', { id: titleId }, 'Attempts per minute to webhook ' + webhook.id + ' in the last hour: '
    + succeeded + ' succeeded, ' + failed + ' failed'),
  svg('line', { class: 'axis', x1: left, y1: top + plotH, x2: width - right, y2: top + plotH }),
  svg('line', { class: 'axis', x1: left, y1: top, x2: left, y2: top + plotH }),
  svg('text', { class: 'tick', x: left - 4, y: top + 8, 'text-anchor': 'end' }, String(most)),
  svg('text', { class: 'tick', x: left - 4, y: top + plotH, 'text-anchor': 'end' }, '0'),
  svg('text', { class: 'tick', x: left, y: height - 6 }, '60 min ago'),
  svg('text', { class: 'tick', x: width - right, y: height - 6, 'text-anchor': 'end' }, 'now'),
  bars);
}

function legend() {
  return el('p', { class: 'legend' },
    el('span', { class: 'swatch swatch-succeeded' }), ' delivered ',
    el('span', { class: 'swatch swatch-failed' }), ' failed attempts (retried until the last)');
}

export function createActivityView() {
  const state = { seen: null };
  const newest = newestOnly();
  const box = el('div');
  const root = el('section', { class: 'view', 'aria-labelledby': 'activity-title' },
    el('h2', { id: 'activity-title' }, 'Activity'),
    el('p', {}, 'Attempts per minute to each webhook over the last hour.'), legend(), box);

  async function refresh(force = false) {
    let data;
    try {
      data = await newest(async () => ({ webhooks: await allWebhooks(MINUTES_FIELDS) }));
    } catch (e) {
      reportError(e, 'poll');
      throw e;
    }
    clearErrors('poll');
    const seen = JSON.stringify(data);
    if (!force && seen === state.seen) {
      return;
    }
    state.seen = seen;
    if (data.webhooks.length === 0) {
      replaceKeepingFocus(box, el('p', {}, 'No webhooks yet.'));
      return;
    }
    replaceKeepingFocus(box, data.webhooks.map((webhook) => el('figure', { class: 'chart-box' },
      el('figcaption', {}, 'Webhook ' + webhook.id + ' ', el('span', { class: 'url' }, webhook.webhookUrl)),
      attemptsChart(webhook))));
  }

  return { root, refresh };
}
