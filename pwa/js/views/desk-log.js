// The leadership log at the desk: filtered, searched, sorted and paged on the server.
import * as api from '../api.js';
import { LABELS, day, field, formValues, h, show } from '../ui.js';
import { currentService, myServices, nameOf, pager, peopleOf, refusal, servicePicker } from './desk-common.js';

const PER_PAGE = 20;
const SORTS = [['-updated_at', 'Recently changed'], ['due_date', 'Due soonest'], ['risk', 'Highest risk'], ['-created_at', 'Newest']];
// Kept while the app is open, so coming back from an entry shows the same list.
let filters = { status: '', owner_id: '', overdue: '', risk: '', source: '', q: '', sort: '-updated_at', page: 1 };

function query(serviceId) {
  const params = new URLSearchParams({ service_id: serviceId, per_page: PER_PAGE, page: filters.page, sort: filters.sort });
  for (const name of ['status', 'owner_id', 'overdue', 'risk', 'source', 'q']) {
    if (filters[name]) params.set(name, filters[name].trim ? filters[name].trim() : filters[name]);
  }
  return `/entries?${params}`;
}

function filterForm(names, onApply) {
  const form = h('form', { class: 'card desk-filters', role: 'search', 'aria-label': 'Filter the log' },
    h('div', { class: 'desk-filter-grid' },
      field({ name: 'q', label: 'Search concern and decision', type: 'search' }),
      field({ name: 'status', label: 'Status', options: Object.entries(LABELS.status) }),
      field({ name: 'owner_id', label: 'Owner', options: [...names].map(([id]) => [id, nameOf(names, id)]) }),
      field({ name: 'overdue', label: 'Overdue', options: [['true', 'Overdue only'], ['false', 'Not overdue']] }),
      field({ name: 'risk', label: 'Risk', options: Object.entries(LABELS.risk) }),
      field({ name: 'source', label: 'Source', options: Object.entries(LABELS.source) }),
      field({ name: 'sort', label: 'Order', options: SORTS })),
    h('div', { class: 'button-row' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, 'Show entries'),
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => {
        filters = { status: '', owner_id: '', overdue: '', risk: '', source: '', q: '', sort: '-updated_at', page: 1 };
        onApply();
      } }, 'Clear filters')));
  // Every filter may be left empty: "(optional)" on each would only be noise here.
  for (const mark of form.querySelectorAll('.hint-inline')) mark.remove();
  for (const el of form.elements) if (el.name && el.name in filters) el.value = filters[el.name];
  form.elements.sort.querySelector('option[value=""]')?.remove();
  form.elements.sort.value = filters.sort;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    filters = { ...filters, ...formValues(form), page: 1 };
    onApply();
  });
  return form;
}

function row(entry, names) {
  const overdue = entry.flags?.some((f) => f.code === 'overdue');
  return h('li', { class: `card desk-row risk-${entry.risk}` },
    h('h2', {}, h('a', { href: `#/desk/log/${entry.id}` }, entry.decision || entry.concern)),
    entry.decision ? h('p', { class: 'desk-concern' }, entry.concern) : null,
    h('p', { class: 'meta' },
      h('span', { class: `badge badge-status status-${entry.status}` }, LABELS.status[entry.status] || entry.status), ' ',
      h('span', { class: `badge badge-risk badge-risk-${entry.risk}` }, `${LABELS.risk[entry.risk]} risk`), ' ',
      overdue ? h('span', { class: 'badge badge-bad' }, 'Overdue') : null, ' ',
      `Owner: ${entry.owner_id ? nameOf(names, entry.owner_id) : 'none'} · due ${day(entry.due_date)} · ${LABELS.source[entry.source] || entry.source}`),
    entry.flags?.length ? h('p', { class: 'desk-flag-line' }, entry.flags.map((f) => f.message).join(' ')) : null);
}

export async function render(user) {
  const list = await myServices();
  const service = await currentService();
  if (!service) {
    show(h('h1', {}, 'The leadership log'), h('p', { class: 'notice' }, 'You do not work in any service yet.'));
    return;
  }
  const names = await peopleOf(service.id);
  const redraw = () => render(user);
  let body;
  try {
    body = await api.get(query(service.id));
  } catch (err) {
    show(h('h1', {}, 'The leadership log'), filterForm(names, redraw),
      h('p', { class: 'notice notice-bad', role: 'alert' }, refusal(err)));
    return;
  }
  const go = (page) => { filters.page = page; redraw(); };
  show(h('h1', {}, 'The leadership log'),
    servicePicker(list, service, () => { filters.page = 1; redraw(); }),
    filterForm(names, redraw),
    h('p', { class: 'meta', role: 'status' }, body.total ? `${body.total} entr${body.total === 1 ? 'y' : 'ies'} match.` : ''),
    body.items.length ? h('ul', { class: 'list desk-list' }, body.items.map((e) => row(e, names)))
      : h('p', { class: 'notice' }, 'No entries match these filters.'),
    pager(body, go));
}
