// The leadership log at the desk: filtered, searched, sorted and paged on the server. The
// filters live in the address (#/desk/log?status=open&figure=overdue), so a link from the
// dashboard, a bookmark or a reload opens the same list. The filters fold away behind a
// "Filters" button (folded at first on a narrow screen; the choice is remembered), with
// the filters in use always said in words.
import * as api from '../api.js';
import { LABELS, day, field, formValues, h, show, showErrors } from '../ui.js';
import {
  SIGNALS, chooseService, currentService, hashParams, logLink, myServices, nameOf, pager, peopleOf, refusal, rememberLog,
} from './desk-common.js';

const TITLE = 'The leadership log';
const PER_PAGE = 20;
const SORTS = [['-updated_at', 'Recently changed'], ['due_date', 'Due soonest'], ['risk', 'Highest risk'], ['-created_at', 'Newest']];
const NAMES = ['service_id', 'q', 'status', 'owner_id', 'overdue', 'figure', 'risk', 'source', 'statement_id', 'signal', 'sort', 'page'];
const KEY_QUESTIONS = { safe: 'Safe', effective: 'Effective', caring: 'Caring', responsive: 'Responsive', 'well-led': 'Well-led' };
const FIELD_NAMES = {
  service_id: 'Service', q: 'Search', status: 'Status', owner_id: 'Owner', overdue: 'Overdue', figure: 'Dashboard count',
  risk: 'Risk', source: 'Source', statement_id: 'CQC quality statement', signal: 'Early-warning signal', sort: 'Order',
};
const OVERDUE = { true: 'Overdue only', false: 'Not overdue' };
// Whether the filters are shown: the person's last choice, else open on a wide screen only.
const FOLD_KEY = 'careloop-log-filters';
let statements = null;
let figureList = null;

function filtersShown() {
  const saved = localStorage.getItem(FOLD_KEY);
  return saved ? saved === 'open' : !matchMedia('(max-width: 1199px)').matches;
}

/** The filters in the address; no service named means the one the desk is looking at. */
function readFilters(service) {
  const params = hashParams();
  const filters = Object.fromEntries(NAMES.map((n) => [n, params.get(n) || '']));
  filters.service_id ||= service.id;
  filters.sort ||= '-updated_at';
  filters.page = Math.max(1, Number(filters.page) || 1);
  return filters;
}

function query(filters) {
  const params = new URLSearchParams({ per_page: PER_PAGE });
  for (const name of NAMES) {
    const value = String(filters[name] ?? '').trim();
    if (value && !(name === 'service_id' && value === 'all')) params.set(name, value);
  }
  return `/entries?${params}`;
}

async function statementList() {
  if (!statements) statements = (await api.get('/cqc/statements')).items;
  return statements;
}

/** The dashboard's figures, each with its plain label and meaning (GET /figures). */
async function figures() {
  if (!figureList) figureList = new Map((await api.get('/figures')).items.map((f) => [f.name, f]));
  return figureList;
}

/** A select whose empty choice reads "Any", for a filter that may be left open. */
function anyField(spec) {
  const box = field(spec);
  const empty = box.querySelector('option[value=""]');
  if (empty) empty.textContent = spec.any || 'Any';
  return box;
}

function statementField(list) {
  const box = anyField({ name: 'statement_id', label: FIELD_NAMES.statement_id, options: [], any: 'Any statement' });
  const groups = Object.keys(KEY_QUESTIONS).map((kq) => h('optgroup', { label: KEY_QUESTIONS[kq] },
    list.filter((s) => s.key_question === kq).map((s) => h('option', { value: s.id }, `${s.code} ${s.title}`))));
  box.querySelector('select').append(...groups.filter((g) => g.children.length));
  return box;
}

/** The filters in use, in words: what the folded filters still say. */
function chosenWords(filters, { names, statementItems, figureItems }) {
  const words = {
    q: (v) => `“${v}”`, status: (v) => LABELS.status[v] || v, owner_id: (v) => nameOf(names, v),
    overdue: (v) => OVERDUE[v] || v, figure: (v) => figureItems.get(v)?.label || v, risk: (v) => LABELS.risk[v] || v,
    source: (v) => LABELS.source[v] || v, signal: (v) => SIGNALS[v] || v,
    statement_id: (v) => statementItems.find((s) => s.id === v)?.code || v,
  };
  return Object.entries(words).filter(([name]) => filters[name]).map(([name, say]) => `${FIELD_NAMES[name]}: ${say(filters[name])}`);
}

function filterForm(filters, { services, names, statementItems, figureItems }, apply) {
  const serviceOptions = services.map((s) => [s.id, s.name]);
  if (services.length > 1) serviceOptions.unshift(['all', 'All my services']);
  const chosen = chosenWords(filters, { names, statementItems, figureItems });
  const shown = filtersShown();
  const body = h('div', { id: 'desk-filter-body', hidden: !shown },
    h('div', { class: 'desk-filter-grid' },
      services.length > 1 ? field({ name: 'service_id', label: FIELD_NAMES.service_id, options: serviceOptions }) : null,
      field({ name: 'q', label: 'Search concern and decision', type: 'search' }),
      anyField({ name: 'status', label: FIELD_NAMES.status, options: Object.entries(LABELS.status) }),
      anyField({ name: 'owner_id', label: FIELD_NAMES.owner_id, options: [...names].map(([id]) => [id, nameOf(names, id)]),
        any: filters.service_id === 'all' ? 'Anyone (choose one service to pick an owner)' : 'Anyone' }),
      anyField({ name: 'overdue', label: FIELD_NAMES.overdue, options: Object.entries(OVERDUE), any: 'Overdue or not' }),
      anyField({ name: 'figure', label: FIELD_NAMES.figure, options: [...figureItems.values()].map((f) => [f.name, f.label]),
        any: 'Any entry' }),
      anyField({ name: 'risk', label: FIELD_NAMES.risk, options: Object.entries(LABELS.risk) }),
      anyField({ name: 'source', label: FIELD_NAMES.source, options: Object.entries(LABELS.source) }),
      statementField(statementItems),
      anyField({ name: 'signal', label: FIELD_NAMES.signal, options: Object.entries(SIGNALS), any: 'No signal chosen' }),
      field({ name: 'sort', label: FIELD_NAMES.sort, options: SORTS })),
    h('p', { class: 'hint' }, 'Early warnings about findings and walkarounds (repeat findings, walkarounds with no follow-up, '
      + 'families or people chasing) are not log entries: their records are listed under each warning on the ',
    h('a', { href: '#/desk/oversight' }, 'Oversight screen'), '.'),
    h('div', { class: 'button-row' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, 'Show entries'),
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => apply({ service_id: filters.service_id }) }, 'Clear filters')));
  const toggle = h('button', { type: 'button', class: 'btn btn-secondary desk-filters-toggle', 'aria-expanded': String(shown),
    'aria-controls': 'desk-filter-body' }, chosen.length ? `Filters (${chosen.length})` : 'Filters');
  toggle.addEventListener('click', () => {
    const open = body.hidden;
    body.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    localStorage.setItem(FOLD_KEY, open ? 'open' : 'closed');
    if (open) body.querySelector('input, select')?.focus();
  });
  const form = h('form', { class: 'card desk-filters', role: 'search', 'aria-label': 'Filter the log', novalidate: true },
    h('div', { class: 'desk-filter-bar' }, toggle,
      h('p', { class: 'desk-filter-summary' }, chosen.length ? `In use: ${chosen.join(' · ')}` : 'No filters in use: every entry is listed.')),
    body);
  // Every filter may be left empty: "(optional)" on each would only be noise here.
  for (const mark of form.querySelectorAll('.hint-inline')) mark.remove();
  form.elements.sort.querySelector('option[value=""]')?.remove();
  if (filters.service_id === 'all') form.elements.owner_id.disabled = true;
  for (const el of form.elements) if (el.name && el.name in filters) el.value = filters[el.name];
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = formValues(form);
    // Owners belong to a service: a new service starts with anyone.
    if (values.service_id && values.service_id !== filters.service_id) values.owner_id = '';
    apply({ ...filters, ...values, page: 1 });
  });
  return form;
}

function row(entry, names, serviceName) {
  const overdue = entry.flags?.some((f) => f.code === 'overdue');
  const waiting = entry.flags?.some((f) => f.code === 'past_due_waiting');
  return h('li', { class: `card desk-row risk-${entry.risk}` },
    h('h2', {}, h('a', { href: `#/desk/log/${entry.id}` }, entry.decision || entry.concern)),
    entry.decision ? h('p', { class: 'desk-concern' }, entry.concern) : null,
    h('p', { class: 'meta' },
      h('span', { class: `badge badge-status status-${entry.status}` }, LABELS.status[entry.status] || entry.status), ' ',
      h('span', { class: `badge badge-risk badge-risk-${entry.risk}` }, `${LABELS.risk[entry.risk]} risk`), ' ',
      overdue ? h('span', { class: 'badge badge-bad' }, 'Overdue') : null, ' ',
      waiting ? h('span', { class: 'badge badge-waiting' }, 'Past due, waiting for check or sign-off') : null, ' ',
      serviceName ? `${serviceName} · ` : '',
      `Owner: ${entry.owner_id ? nameOf(names, entry.owner_id) : 'none'} · due ${day(entry.due_date)} · ${LABELS.source[entry.source] || entry.source}`),
    entry.flags?.length ? h('p', { class: 'desk-flag-line' }, entry.flags.map((f) => f.message).join(' ')) : null);
}

/** Everyone named on the page, across services when the list spans several. */
async function namesFor(filters, items) {
  if (filters.service_id !== 'all') return peopleOf(filters.service_id);
  const names = new Map();
  for (const id of new Set(items.map((e) => e.service_id))) {
    for (const [person, name] of await peopleOf(id)) names.set(person, name);
  }
  return names;
}

function summary(body, filters, services, figureItems) {
  const chosen = Object.entries(filters).filter(([k, v]) => v && !['page', 'sort', 'service_id'].includes(k));
  const where = filters.service_id === 'all' ? 'All your services' : services.find((s) => s.id === filters.service_id)?.name;
  const count = `${body.total} entr${body.total === 1 ? 'y' : 'ies'}`;
  const verb = body.total === 1 ? 'matches' : 'match';
  const figure = figureItems.get(filters.figure);
  return h('p', { class: 'meta', role: 'status' }, `${where || 'This service'}: ${chosen.length ? `${count} ${verb}` : count}.`,
    figure ? ` ${figure.label[0].toUpperCase()}${figure.label.slice(1)}: ${figure.meaning}` : '');
}

export async function render(user) {
  const services = await myServices();
  const current = await currentService();
  if (!current) {
    show(h('h1', {}, TITLE), h('p', { class: 'notice' }, 'You do not work in any service yet.'));
    return;
  }
  const filters = readFilters(current);
  if (filters.service_id !== 'all' && !services.some((s) => s.id === filters.service_id)) filters.service_id = current.id;
  const apply = (next) => {
    if (next.service_id && next.service_id !== 'all') chooseService(next.service_id);
    const link = logLink(next);
    history.replaceState(null, '', link);
    render(user);
  };
  rememberLog(logLink(filters));
  let body; let statementItems = []; let figureItems = new Map();
  try {
    [statementItems, figureItems] = await Promise.all([statementList(), figures()]);
    body = await api.get(query(filters));
  } catch (err) {
    const form = filterForm(filters, { services, names: new Map(), statementItems, figureItems }, apply);
    show(h('h1', {}, TITLE), form, h('p', { class: 'notice notice-bad', role: 'alert' }, refusal(err)));
    if (err instanceof api.ApiError && Object.keys(err.fields).length) {
      // The refused filter must be seen: unfold the filters.
      if (form.querySelector('#desk-filter-body').hidden) form.querySelector('.desk-filters-toggle').click();
      showErrors(form, Object.fromEntries(Object.entries(err.fields).map(([f, why]) => [f, `${FIELD_NAMES[f] || f}: ${why}`])));
    }
    return;
  }
  const names = await namesFor(filters, body.items);
  const serviceNames = new Map(services.map((s) => [s.id, s.name]));
  show(h('h1', {}, TITLE),
    filterForm(filters, { services, names: filters.service_id === 'all' ? new Map() : names, statementItems, figureItems }, apply),
    summary(body, filters, services, figureItems),
    body.items.length
      ? h('ul', { class: 'list desk-list' }, body.items.map((e) => row(e, names, filters.service_id === 'all' ? serviceNames.get(e.service_id) : null)))
      : h('p', { class: 'notice' }, 'No entries match these filters.'),
    pager(body, (page) => apply({ ...filters, page })));
}
