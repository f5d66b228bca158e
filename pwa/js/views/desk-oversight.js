// Provider oversight: every service ranked by where grip is slipping, with the reasons in
// words, the counts, the review cadence and each measure's chart (SVG drawn by the server,
// the same picture the PDF reports carry). Paged and filtered on the server.
import * as api from '../api.js';
import { day, h, show } from '../ui.js';
import { logLink, pager, refusal } from './desk-common.js';

const PER_PAGE = 10;
// desk-common.js keeps the service the desk looks at under this key: a count's link
// opens the log on that service.
// Kept while the app is open, so coming back from the log shows the same page.
let state = { page: 1, slipping: false };

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function query() {
  const params = new URLSearchParams({ page: state.page, per_page: PER_PAGE });
  if (state.slipping) params.set('slipping', 'true');
  return `/oversight/dashboard?${params}`;
}

function tile(value, label, bad = false) {
  return h('li', { class: `ovs-tile${bad && value ? ' ovs-tile-bad' : ''}` },
    h('span', { class: 'ovs-number' }, String(value)), h('span', { class: 'ovs-label' }, label));
}

function totals(body) {
  const t = body.totals;
  return h('section', { class: 'ovs-totals', 'aria-labelledby': 'ovs-totals-h' },
    h('h2', { id: 'ovs-totals-h' }, `Across ${plural(t.services, 'service')}`),
    h('ul', { class: 'list ovs-tiles' },
      tile(t.open, 'open actions'),
      tile(t.overdue, 'overdue', true),
      tile(t.high_risk_open, 'high-risk open'),
      tile(t.services_slipping, `of ${t.services} services slipping`, true),
      tile(t.rm_reviews_overdue + t.provider_reviews_overdue, 'reviews overdue', true),
      tile(`${t.measures_on_target} of ${t.measures}`, 'measures on target')));
}

function filters(redraw) {
  const box = h('input', { type: 'checkbox', id: 'ovs-slipping', checked: state.slipping });
  box.addEventListener('change', () => { state = { slipping: box.checked, page: 1 }; redraw(); });
  return h('div', { class: 'ovs-filter' }, box,
    h('label', { for: 'ovs-slipping' }, 'Only services where grip is slipping'));
}

function toLog(service, text, filters = {}) {
  // The log reads its filters from the address: the link opens it already filtered.
  return h('a', { href: logLink({ service_id: service.service_id, ...filters }) }, text);
}

function counts(service) {
  const c = service.counts;
  const item = (n, words, bad, filters) => h('li', { class: bad && n ? 'ovs-count-bad' : null },
    toLog(service, [h('strong', {}, String(n)), ` ${words}`], filters));
  return h('ul', { class: 'list ovs-counts', 'aria-label': `Actions at ${service.service_name}` },
    item(c.open, 'open', false, {}), item(c.overdue, 'overdue', true, { overdue: 'true' }),
    item(c.high_risk_open, 'high-risk open', false, { risk: 'high' }),
    item(c.high_risk_overdue, 'high-risk overdue', true, { risk: 'high', overdue: 'true' }));
}

function review(title, track) {
  const last = track.last_reviewed_on
    ? `last on ${day(track.last_reviewed_on)}${track.reviewed_by ? ` (${track.reviewed_by.display_name})` : ''}`
    : 'never recorded';
  return h('li', {},
    h('strong', {}, title), `: ${last}; ${track.overdue ? 'was due' : 'next due'} ${day(track.next_due)}. `,
    track.overdue ? h('span', { class: 'badge badge-bad ovs-overdue' }, `Review overdue by ${plural(track.days_overdue, 'day')}`) : null);
}

function reasons(service) {
  const grip = service.grip;
  if (!grip.score) return h('p', { class: 'ovs-steady' }, grip.summary);
  const groups = new Map(service.warnings.map((w) => [w.signal, w]));
  return h('ol', { class: 'ovs-reasons' }, grip.reasons.map((r) => {
    const group = groups.get(r.code);
    return h('li', {},
      h('span', { class: 'ovs-reason-head' }, h('span', { class: 'badge ovs-points' }, plural(r.points, 'point')), ' ', h('strong', {}, r.label)),
      h('span', { class: 'ovs-reason' }, r.reason),
      group && group.reasons.length > 1 ? h('details', {},
        h('summary', {}, `All ${group.reasons.length} warnings of this kind`),
        h('ul', {}, group.reasons.map((text) => h('li', {}, text)))) : null);
  }));
}

const STATUS = { on_target: ['On target', 'ovs-ok'], below_target: ['Below target', 'ovs-bad'], missed: ['Missed its deadline', 'ovs-bad'], no_data: ['No data yet', ''] };

function measures(service) {
  if (!service.measures.length) return h('p', { class: 'meta' }, 'No improvement measures set for this service.');
  return h('ul', { class: 'list ovs-charts' }, service.measures.map((m) => {
    const [words, cls] = STATUS[m.progress.status] || [m.progress.status, ''];
    return h('li', { class: 'ovs-chart' },
      h('p', { class: 'ovs-chart-title' }, h('span', { class: `badge ${cls}` }, words)),
      h('img', { src: m.chart_url, alt: m.summary, width: 640, height: 300, loading: 'lazy', decoding: 'async' }));
  }));
}

function card(service) {
  const id = `ovs-s-${service.service_id}`;
  const score = service.grip.score;
  return h('li', { class: `card ovs-service${score ? '' : ' ovs-service-steady'}`, 'aria-labelledby': id },
    h('h2', { id },
      h('span', { class: 'ovs-rank' }, `${service.rank}.`), ' ', service.service_name, ' ',
      h('span', { class: `badge ovs-score${score ? ' ovs-bad' : ' ovs-ok'}` }, plural(score, 'point'))),
    score ? h('p', { class: 'ovs-summary' }, service.grip.summary) : null,
    h('div', { class: 'ovs-body' },
      h('div', {},
        h('h3', {}, 'Actions'), counts(service),
        h('h3', {}, 'Reviews of the log'),
        h('ul', { class: 'ovs-reviews' },
          review("Registered manager's weekly review", service.cadence.rm),
          review("Provider's monthly review", service.cadence.provider))),
      h('div', {}, h('h3', {}, 'Why it ranks here'), reasons(service))),
    h('h3', {}, 'Improvement measures'), measures(service));
}

export async function render(user) {
  const redraw = () => render(user);
  const title = h('h1', {}, 'Provider oversight');
  let body;
  try {
    body = await api.get(query());
  } catch (err) {
    show(title, h('p', { class: 'notice notice-bad', role: 'alert' }, refusal(err)));
    return;
  }
  if (!body.services.length && body.total && state.page > 1) { state.page = 1; redraw(); return; }
  const go = (page) => { state.page = page; redraw(); };
  show(title,
    h('p', { class: 'meta' }, `${body.provider_name}, as of ${day(body.as_of)}. Services are ranked by where grip is slipping, worst first; each shows why.`),
    totals(body),
    h('section', { 'aria-labelledby': 'ovs-ranked-h' },
      h('h2', { id: 'ovs-ranked-h' }, 'Services ranked'),
      filters(redraw),
      h('p', { class: 'meta', role: 'status' }, body.total
        ? `${plural(body.total, 'service')}${state.slipping ? ' where grip is slipping' : ''}.` : ''),
      body.services.length
        ? h('ol', { class: 'list ovs-services' }, body.services.map(card))
        : h('p', { class: 'notice' }, state.slipping ? 'No service shows signs of slipping grip.' : 'There are no services to show.'),
      pager(body, go, ['service', 'services'])));
}
