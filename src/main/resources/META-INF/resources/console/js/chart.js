// The console's charts: the last hour minute by minute, as inline SVG built with createElementNS (no script, style or
// font from anywhere else). One helper, barChart, draws them all: a webhook's attempts and response times on the
// Activity page, the whole Herald's deliveries and backlog on the operator page.
import { newestOnly, allWebhooks } from './api.js';
import { el, svg, formatTime, replaceKeepingFocus, clearErrors, reportError } from './dom.js';

export const MINUTES = 60;

const ATTEMPTS_FIELDS = 'webhookUrl health { minutes { minute succeeded failed } }';
const RESPONSE_TIME_FIELDS = 'responseTimes { minute attempts p50Ms p99Ms }';
/** Response times come from the attempt log (not from the health rows): read again at most this often. */
const RESPONSE_TIMES_MS = 30000;

/** The attempts chart's series: succeeded below, failed above. */
export const ATTEMPT_SERIES = [
  { key: 'succeeded', label: 'delivered', className: 'series-succeeded' },
  { key: 'failed', label: 'failed', className: 'series-failed' },
];
export const RESPONSE_TIME_SERIES = [
  { key: 'p99', label: 'p99', className: 'series-p99' },
  { key: 'p50', label: 'p50', className: 'series-p50' },
];

/**
 * `given` (oldest first, each with `minute`) as the hour's 60 minutes: the newest 60, with empty minutes (every
 * series null) in front when fewer came.
 */
export function lastHour(given, series) {
  const minutes = (Array.isArray(given) ? given : []).slice(-MINUTES);
  const empty = Object.fromEntries(series.map((s) => [s.key, null]));
  const padding = [];
  for (let i = minutes.length; i < MINUTES; i++) {
    padding.push({ minute: null, ...empty });
  }
  return padding.concat(minutes);
}

function numberOrNull(value) {
  return value === null || value === undefined || Number.isNaN(Number(value)) ? null : Number(value);
}

function shown(value, unit) {
  return value === null ? 'none' : Math.round(value) + unit;
}

/**
 * A bar chart of the hour: one group per minute (data-testid="chart-minute", data-minute and a data-KEY per series,
 * empty when the minute has no value), each with a title saying its values.
 *
 * @param {object} chart
 * @param {string} chart.testid   the SVG's data-testid
 * @param {object} chart.attrs    more attributes of the SVG (e.g. data-webhook-id)
 * @param {string} chart.id       unique in the page: the accessible title's id
 * @param {string} chart.title    the accessible title: what is drawn, with its totals
 * @param {Array}  chart.series   [{key, label, className, markZero}], drawn in this order
 * @param {boolean} chart.stacked true: each minute's values stacked; false: each from zero, later ones in front
 * @param {string} chart.unit     after a value in titles and on the axis, e.g. ' ms'
 * @param {Array}  chart.minutes  the 60 minutes, oldest first: {minute (ISO or null), KEY: number or null, ...}
 */
export function barChart({ testid, attrs = {}, id, title, series, stacked = false, unit = '', minutes }) {
  const width = 640;
  const height = 170;
  const left = 48;
  const right = 8;
  const top = 10;
  const bottom = 24;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const values = minutes.map((m) => series.map((s) => numberOrNull(m[s.key])));
  const heights = values.map((v) => (stacked ? v.reduce((sum, x) => sum + (x || 0), 0) : Math.max(0, ...v.map((x) => x || 0))));
  const most = Math.max(1, Math.ceil(Math.max(0, ...heights)));
  const slot = plotW / MINUTES;
  const barW = Math.max(1, slot - 2);
  const y = (value) => (value / most) * plotH;
  const titleId = 'chart-title-' + id;

  const groups = minutes.map((m, i) => {
    const x = left + i * slot + 1;
    let base = 0;
    const bars = series.map((s, j) => {
      const value = values[i][j] || 0;
      const bottomAt = stacked ? base : 0;
      base += value;
      // a series that marks its zeros (the backlog) draws a recorded 0 as a sliver, told apart from a minute without
      // a value
      const h = s.markZero && values[i][j] === 0 ? 2 : y(value);
      return svg('rect', { class: s.className, x, y: top + plotH - y(bottomAt) - h, width: barW, height: h });
    });
    const data = Object.fromEntries(series.map((s, j) => ['data-' + s.key, values[i][j] === null ? '' : values[i][j]]));
    return svg('g', { 'data-testid': 'chart-minute', 'data-minute': m.minute, ...data },
      svg('title', {}, (m.minute ? formatTime(m.minute) : 'A minute') + ': '
        + series.map((s, j) => s.label + ' ' + shown(values[i][j], unit)).join(', ')),
      bars);
  });

  return svg('svg', {
    class: 'chart', viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-labelledby': titleId,
    'data-testid': testid, ...attrs,
  },
  svg('title', { id: titleId }, title),
  svg('line', { class: 'axis', x1: left, y1: top + plotH, x2: width - right, y2: top + plotH }),
  svg('line', { class: 'axis', x1: left, y1: top, x2: left, y2: top + plotH }),
  svg('text', { class: 'tick', x: left - 4, y: top + 8, 'text-anchor': 'end' }, most + unit),
  svg('text', { class: 'tick', x: left - 4, y: top + plotH, 'text-anchor': 'end' }, '0'),
  svg('text', { class: 'tick', x: left, y: height - 6 }, '60 min ago'),
  svg('text', { class: 'tick', x: width - right, y: height - 6, 'text-anchor': 'end' }, 'now'),
  groups);
}

/** What each colour of a chart means. */
export function legend(series, note) {
  return el('p', { class: 'legend' },
    series.map((s) => [el('span', { class: 'swatch ' + s.className }), ' ' + s.label + ' ']),
    note || null);
}

/** A figure: caption, chart, legend. */
export function chartFigure(caption, chart, legendNode) {
  return el('figure', { class: 'chart-box' }, el('figcaption', {}, caption), chart, legendNode);
}

function total(minutes, key) {
  return minutes.reduce((sum, m) => sum + (numberOrNull(m[key]) || 0), 0);
}

/** A webhook's attempts per minute (Webhook.health.minutes): stacked bars, delivered below, failed above. */
export function attemptsChart(webhook) {
  const minutes = lastHour(webhook.health && webhook.health.minutes, ATTEMPT_SERIES);
  return barChart({
    testid: 'attempts-chart', attrs: { 'data-webhook-id': webhook.id }, id: 'attempts-' + webhook.id,
    title: 'Attempts per minute to webhook ' + webhook.id + ' in the last hour: ' + total(minutes, 'succeeded')
      + ' succeeded, ' + total(minutes, 'failed') + ' failed',
    series: ATTEMPT_SERIES, stacked: true, minutes,
  });
}

/** A webhook's response times per minute (Webhook.responseTimes): p99 behind, p50 in front. */
export function responseTimeChart(webhookId, responseTimes) {
  const minutes = lastHour((responseTimes || []).map((m) => ({
    minute: m.minute, p50: m.p50Ms, p99: m.p99Ms, attempts: m.attempts,
  })), RESPONSE_TIME_SERIES);
  const p99s = minutes.map((m) => numberOrNull(m.p99)).filter((v) => v !== null);
  return barChart({
    testid: 'response-time-chart', attrs: { 'data-webhook-id': webhookId }, id: 'response-times-' + webhookId,
    title: 'Response times of webhook ' + webhookId + ' per minute in the last hour, p50 and p99: '
      + (p99s.length === 0 ? 'no attempts counted' : 'p99 at most ' + Math.round(Math.max(...p99s)) + ' ms'),
    series: RESPONSE_TIME_SERIES, unit: ' ms', minutes,
  });
}

export function createActivityView() {
  const state = { seen: null, responseTimes: new Map(), responseTimesAt: 0 };
  const newest = newestOnly();
  const box = el('div');
  const root = el('section', { class: 'view', 'aria-labelledby': 'activity-title' },
    el('h2', { id: 'activity-title' }, 'Activity'),
    el('p', {}, 'Each webhook over the last hour, minute by minute: its attempts, and how long its receiver took to'
      + ' answer them (median and 99th percentile; an attempt counts once its delivery is final).'),
    box);

  async function read(force) {
    const webhooks = await allWebhooks(ATTEMPTS_FIELDS);
    if (force || Date.now() - state.responseTimesAt >= RESPONSE_TIMES_MS) {
      const timed = await allWebhooks(RESPONSE_TIME_FIELDS);
      return { webhooks, responseTimes: new Map(timed.map((w) => [w.id, w.responseTimes])), at: Date.now() };
    }
    return { webhooks, responseTimes: state.responseTimes, at: state.responseTimesAt };
  }

  async function refresh(force = false) {
    let data;
    try {
      data = await newest(() => read(force));
    } catch (e) {
      reportError(e, 'poll');
      throw e;
    }
    clearErrors('poll');
    state.responseTimes = data.responseTimes;
    state.responseTimesAt = data.at;
    const seen = JSON.stringify([data.webhooks, [...data.responseTimes]]);
    if (!force && seen === state.seen) {
      return;
    }
    state.seen = seen;
    if (data.webhooks.length === 0) {
      replaceKeepingFocus(box, el('p', {}, 'No webhooks yet.'));
      return;
    }
    replaceKeepingFocus(box, data.webhooks.map((webhook) => el('section', {
      class: 'webhook-charts', 'aria-labelledby': 'charts-of-' + webhook.id,
    },
    el('h3', { id: 'charts-of-' + webhook.id }, 'Webhook ' + webhook.id + ' ',
      el('span', { class: 'url', title: webhook.webhookUrl }, webhook.webhookUrl)),
    el('div', { class: 'chart-pair' },
      chartFigure('Attempts per minute', attemptsChart(webhook),
        legend(ATTEMPT_SERIES, '(a failed attempt is retried until the last)')),
      chartFigure('Response times per minute', responseTimeChart(webhook.id, data.responseTimes.get(webhook.id)),
        legend(RESPONSE_TIME_SERIES, '(milliseconds)'))))));
  }

  return { root, refresh };
}
