// The conflicts queue: two values for the same field, side by side with who, when and from
// which device. A manager keeps the first, takes the other, or writes a new value; the
// server records the resolution in the record's history.
import * as api from '../api.js';
import { LABELS, day, h, show, toast, when } from '../ui.js';
import { alertBox, currentService, myServices, nameOf, pager, peopleOf, refusal, say, servicePicker } from './desk-common.js';

const FIELD_WORDS = {
  decision: 'Decision', concern: 'Concern', owner_id: 'Owner', due_date: 'Due date', evidence_needed: 'Evidence needed',
  interim_controls: 'Interim controls', risk: 'Risk', source: 'Source', status: 'Status', description: 'Description',
  action_taken: 'Action taken', area: 'Area',
};
const ENTITY_WORDS = { log_entry: 'Log entry', finding: 'Finding', walkaround: 'Walkaround' };
let page = 1;

async function deviceLabels(serviceId) {
  const labels = new Map();
  try {
    const body = await api.get(`/admin/devices?service_id=${serviceId}&per_page=200`);
    for (const d of body.items) labels.set(d.device_id, d.label || 'a tablet');
  } catch { /* only those who manage tablets may list them; the id is shown instead */ }
  return labels;
}

function valueText(conflict, value, names) {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (conflict.field === 'owner_id') return nameOf(names, value);
  if (conflict.field === 'due_date') return day(value);
  if (conflict.field === 'status') return LABELS.status[value] || value;
  if (conflict.field === 'risk') return LABELS.risk[value] || value;
  if (typeof value === 'object') {
    if (value.action) return `${value.action.replace(/_/g, ' ')}${value.reason ? `: ${value.reason}` : ''}`;
    return Object.entries(value).map(([k, v]) => `${FIELD_WORDS[k] || k}: ${v}`).join('; ');
  }
  return String(value);
}

function device(labels, id) {
  if (!id) return 'the desk';
  return labels.get(id) || `tablet ${String(id).slice(0, 8)}`;
}

function side(title, conflict, which, names, labels) {
  return h('div', { class: `desk-side desk-side-${which}` },
    h('h3', {}, title),
    h('p', { class: 'desk-value' }, valueText(conflict, conflict[`${which}_value`], names)),
    h('p', { class: 'meta' }, `By ${nameOf(names, conflict[`${which}_author`])}, ${when(conflict[`${which}_at`])}, from ${device(labels, conflict[`${which}_device`])}`));
}

function newValueControl(conflict, id) {
  if (conflict.field === 'due_date') return h('input', { type: 'date', id, name: 'value' });
  return h('textarea', { id, name: 'value', rows: 2 });
}

function conflictCard(conflict, names, labels, refresh) {
  const base = `conflict-${conflict.id}`;
  const message = alertBox();
  const canWrite = conflict.kind === 'field';
  const what = `${ENTITY_WORDS[conflict.entity_type] || conflict.entity_type}: ${FIELD_WORDS[conflict.field] || conflict.field || 'the record'}`;
  const resolve = async (choice, value) => {
    try {
      await api.post(`/conflicts/${conflict.id}/resolve`, choice === 'new' ? { choice, value } : { choice });
      toast('Conflict resolved; the decision is recorded in the history.');
      refresh();
    } catch (err) { say(message, refusal(err)); }
  };
  const card = h('li', { class: 'card desk-conflict' },
    h('h2', { id: `${base}-title` }, what),
    conflict.entity_type === 'log_entry' ? h('p', {}, h('a', { href: `#/desk/log/${conflict.entity_id}` }, 'Open the entry')) : null,
    conflict.base_value !== undefined && conflict.base_value !== null
      ? h('p', { class: 'meta' }, `Before either change: ${valueText(conflict, conflict.base_value, names)}`) : null,
    h('div', { class: 'desk-sides' },
      side('Kept (saved first)', conflict, 'kept', names, labels),
      side('The other value', conflict, 'other', names, labels)),
    h('div', { class: 'button-row' },
      h('button', { type: 'button', class: 'btn btn-secondary', 'aria-describedby': `${base}-title`, onclick: () => resolve('kept') }, 'Keep the saved value'),
      h('button', { type: 'button', class: 'btn btn-secondary', 'aria-describedby': `${base}-title`, onclick: () => resolve('other') }, 'Use the other value')),
    canWrite ? h('form', { novalidate: true, class: 'desk-new-value', onsubmit: (event) => {
      event.preventDefault();
      const value = event.target.elements.value.value.trim();
      if (!value) { say(message, 'New value: write the value to use, or keep one of the two above.'); return; }
      resolve('new', value);
    } },
    h('label', { for: `${base}-value` }, 'Or write a new value'),
    newValueControl(conflict, `${base}-value`),
    h('button', { type: 'submit', class: 'btn btn-primary' }, 'Use this new value')) : null,
    message);
  return card;
}

export async function render(user) {
  const list = await myServices();
  const service = await currentService();
  if (!service) {
    show(h('h1', {}, 'Conflicts to resolve'), h('p', { class: 'notice' }, 'You do not work in any service yet.'));
    return;
  }
  const redraw = () => render(user);
  let body;
  try {
    body = await api.get(`/conflicts?service_id=${service.id}&status=open&per_page=20&page=${page}`);
  } catch (err) {
    show(h('h1', {}, 'Conflicts to resolve'), h('p', { class: 'notice notice-bad', role: 'alert' }, refusal(err)));
    return;
  }
  const [names, labels] = await Promise.all([peopleOf(service.id), deviceLabels(service.id)]);
  show(h('h1', {}, 'Conflicts to resolve'),
    servicePicker(list, service, () => { page = 1; redraw(); }),
    h('p', {}, 'When two people change the same thing before their tablets sync, the value saved first is kept and the other waits here. Nothing is lost: choose which stands, or write a new value.'),
    body.items.length ? h('ul', { class: 'list' }, body.items.map((c) => conflictCard(c, names, labels, redraw)))
      : h('p', { class: 'notice' }, 'There are no conflicts waiting.'),
    pager(body, (p) => { page = p; redraw(); }, ['conflict', 'conflicts']));
}
