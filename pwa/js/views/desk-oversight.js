// Provider oversight: every service ranked by where grip is slipping, with the reasons in
// words, the counts, the review cadence and each measure's chart (SVG drawn by the server,
// the same picture the PDF reports carry). Paged and filtered on the server.
import * as api from '../api.js';
import { LABELS, day, h, show } from '../ui.js';
import { SIGNALS, logLink, pager, refusal } from './desk-common.js';

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

// The figures a card or tile counts, and what each means: from the server (GET
// /oversight/dashboard's "figures"), the same words as docs/reports.md.
let figures = new Map();
let scaleWords = '';

function tile(value, label, bad = false, link = null) {
  const inner = [h('span', { class: 'ovs-number' }, String(value)), h('span', { class: 'ovs-label' }, label)];
  return h('li', { class: `ovs-tile${bad && value ? ' ovs-tile-bad' : ''}${link ? ' ovs-tile-link' : ''}` },
    link ? h('a', { href: link }, inner) : inner);
}

/** A count's tile, opening the log (all the services in view) on exactly its records. */
function figureTile(t, name, bad = false) {
  const figure = figures.get(name);
  return tile(t[name], figure.label, bad, logLink({ service_id: 'all', ...figure.log_filter }));
}

function meanings(body) {
  return h('details', { class: 'ovs-meanings' },
    h('summary', {}, 'What these numbers mean'),
    h('dl', {}, body.figures.flatMap((f) => [h('dt', {}, f.label), h('dd', {}, f.meaning)])),
    h('p', {}, h('strong', {}, 'The grip score'), ' adds up points for what shows grip slipping; every card says where its points come from. ',
      'Read it against this scale:'),
    scale(body.grip_scale));
}

function scale(ratings) {
  return h('ul', { class: 'ovs-scale' }, ratings.map((r) => h('li', {},
    h('span', { class: `badge ovs-rag ovs-rag-${r.rating}` }, `${RAG[r.rating]} · ${r.points}`), ' ', sentence(r.meaning))));
}

const RAG = { red: 'Red', amber: 'Amber', green: 'Green' };
// "Amber: grip is slipping…" beside the "Amber" badge reads "Grip is slipping…".
const sentence = (meaning) => {
  const rest = meaning.replace(/^\w+: /, '');
  return rest[0].toUpperCase() + rest.slice(1);
};

function totals(body) {
  const t = body.totals;
  return h('section', { class: 'ovs-totals', 'aria-labelledby': 'ovs-totals-h' },
    h('h2', { id: 'ovs-totals-h' }, `Across ${plural(t.services, 'service')}`),
    h('ul', { class: 'list ovs-tiles' },
      figureTile(t, 'open'),
      figureTile(t, 'overdue', true),
      figureTile(t, 'past_due_waiting', true),
      figureTile(t, 'high_risk_open'),
      tile(t.services_slipping, `of ${t.services} services slipping`, true),
      tile(t.rm_reviews_overdue + t.provider_reviews_overdue, 'reviews overdue', true),
      tile(`${t.measures_on_target} of ${t.measures}`, 'measures on target')),
    meanings(body));
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

const BAD = new Set(['overdue', 'past_due_waiting', 'high_risk_overdue', 'overdue_without_interim_controls']);

// Overdue with no interim controls is shown as its early warning, with its own link.
const ON_CARD = (f) => f.name !== 'overdue_without_interim_controls';

function counts(service) {
  // Every figure of the card, each opening the log on exactly the records it counts.
  return h('ul', { class: 'list ovs-counts', 'aria-label': `Actions at ${service.service_name}` },
    [...figures.values()].filter(ON_CARD).map((f) => {
      const n = service.counts[f.name];
      return h('li', { class: BAD.has(f.name) && n ? 'ovs-count-bad' : null },
        toLog(service, [h('strong', {}, String(n)), ` ${f.label}`], f.log_filter));
    }));
}

function review(title, track) {
  const last = track.last_reviewed_on
    ? `last on ${day(track.last_reviewed_on)}${track.reviewed_by ? ` (${track.reviewed_by.display_name})` : ''}`
    : 'never recorded';
  return h('li', {},
    h('strong', {}, title), `: ${last}; ${track.overdue ? 'was due' : 'next due'} ${day(track.next_due)}. `,
    track.overdue ? h('span', { class: 'badge badge-bad ovs-overdue' }, `Review overdue by ${plural(track.days_overdue, 'day')}`) : null);
}

// A part of the grip score that is a count of the log opens the log on it.
const PART_FIGURES = { overdue: 'overdue', high_risk_overdue: 'high_risk_overdue' };

function reasons(service) {
  const grip = service.grip;
  if (!grip.score) return h('p', { class: 'ovs-steady' }, grip.summary);
  const groups = new Map(service.warnings.map((w) => [w.signal, w]));
  return h('ol', { class: 'ovs-reasons' }, grip.reasons.map((r) => {
    const group = groups.get(r.code);
    const figure = figures.get(PART_FIGURES[r.code]);
    return h('li', {},
      h('span', { class: 'ovs-reason-head' }, h('span', { class: 'badge ovs-points' }, plural(r.points, 'point')), ' ', h('strong', {}, r.label)),
      h('span', { class: 'ovs-reason' }, r.reason),
      figure ? h('span', { class: 'ovs-links' }, toLog(service, `Open the ${plural(service.counts[figure.name], 'entry', 'entries')} in the log`, figure.log_filter)) : null,
      group ? records(service, group) : null,
      group && group.reasons.length > 1 ? h('details', {},
        h('summary', {}, `All ${group.reasons.length} warnings of this kind`),
        h('ul', {}, group.reasons.map((text) => h('li', {}, text)))) : null);
  }));
}

/** A warning's records: the log filter for a warning about entries, and the list of its
 * records (findings and walkarounds too) read when opened. */
function records(service, group) {
  const many = plural(group.count, 'record');
  const box = h('div', { class: 'ovs-records', 'aria-live': 'polite' });
  const open = h('details', { class: 'ovs-records-open' }, h('summary', {}, `Show the ${many} flagged`), box);
  open.addEventListener('toggle', async () => {
    if (!open.open || open.dataset.loaded) return;
    open.dataset.loaded = 'yes';
    box.replaceChildren(h('p', { class: 'meta' }, 'Loading the records…'));
    try {
      const params = new URLSearchParams({ service_id: service.service_id, signal: group.signal });
      box.replaceChildren(...recordList(service, await api.get(`/early-warnings/records?${params}`)));
    } catch (err) {
      delete open.dataset.loaded;
      box.replaceChildren(h('p', { class: 'notice notice-bad', role: 'alert' }, refusal(err)));
    }
  });
  return h('span', { class: 'ovs-links' },
    group.signal in SIGNALS && group.signal !== 'high_risk_no_escalation'
      ? [toLog(service, `Open the ${plural(group.count, 'entry', 'entries')} in the log`, { signal: group.signal }), ' ']
      : null,
    open);
}

function recordList(service, answer) {
  const items = answer.records.map(recordItem);
  const entries = answer.records.filter((r) => r.type === 'log_entry').length;
  return [
    h('ul', { class: 'ovs-record-list' }, items),
    answer.records.length < answer.count
      ? h('p', { class: 'meta' }, `The ${answer.records.length} most pressing of ${answer.count} are listed.`) : null,
    answer.log_filter && entries && answer.signal === 'high_risk_no_escalation'
      ? h('p', {}, toLog(service, `Open the ${plural(entries, 'entry', 'entries')} among them in the log`, answer.log_filter)) : null,
  ];
}

const TRIAGE = { new: 'waiting in the triage inbox', linked: 'linked to an entry', dismissed: 'dismissed at triage', withdrawn: 'withdrawn' };

function recordItem(r) {
  if (r.type === 'log_entry') {
    return h('li', {}, h('a', { href: `#/desk/log/${r.id}` }, r.title),
      h('span', { class: 'meta' }, ` ${LABELS.status[r.state] || r.state} · ${LABELS.risk[r.risk] || r.risk} risk · due ${day(r.at)}`));
  }
  if (r.type === 'walkaround') {
    return h('li', {}, `${r.state === 'visibility_round' ? 'Visibility round' : 'Walkaround'}: ${r.title}`,
      h('span', { class: 'meta' }, ` led by ${r.by || 'someone'} · ${day(r.at)} · nothing followed up`));
  }
  const who = r.by ? `${LABELS.respondent[r.by] || r.by} · ` : '';
  const where = r.entry_id ? h('a', { href: `#/desk/log/${r.entry_id}` }, TRIAGE.linked)
    : r.state === 'new' ? h('a', { href: '#/desk/inbox' }, TRIAGE.new) : (TRIAGE[r.state] || r.state);
  return h('li', {}, r.title,
    h('span', { class: 'meta' }, ` ${who}${r.area} · ${LABELS.risk[r.risk] || r.risk} risk · received ${day(r.at)} · `, where));
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

function rating(service) {
  const r = service.grip.rating;
  return h('p', { class: 'ovs-rating' },
    h('span', { class: `badge ovs-rag ovs-rag-${r.rating}` }, RAG[r.rating]), ' ',
    sentence(r.meaning), ' ',
    h('span', { class: 'meta' }, `(${plural(service.grip.score, 'point')} on a scale of ${scaleWords})`));
}

function card(service) {
  const id = `ovs-s-${service.service_id}`;
  const score = service.grip.score;
  return h('li', { class: `card ovs-service ovs-service-${service.grip.rating.rating}`, 'aria-labelledby': id },
    h('h2', { id },
      h('span', { class: 'ovs-rank' }, `${service.rank}.`), ' ', service.service_name, ' ',
      h('span', { class: `badge ovs-score ovs-rag-${service.grip.rating.rating}` }, plural(score, 'point'))),
    rating(service),
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
  figures = new Map(body.figures.map((f) => [f.name, f]));
  scaleWords = body.grip_scale.map((r) => `${r.rating} ${r.points}`).join(', ');
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
