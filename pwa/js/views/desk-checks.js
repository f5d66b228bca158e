// Completion checks for the care coordinator: what fell due on the previous working day
// and today, done or not, and what is unresolved, recorded in one pass. A "not done"
// needs a note, which is added to the entry; closing stays the registered manager's.
import * as api from '../api.js';
import { LABELS, day, h, show, toast } from '../ui.js';
import { TODAY, alertBox, currentService, myServices, refusal, say, servicePicker } from './desk-common.js';

const TITLE = 'Completion checks';

function outcome(item) {
  const base = `check-${item.entry.id}`;
  const radio = (value, label) => h('label', { class: 'choice' },
    h('input', { type: 'radio', name: `${base}-outcome`, value, checked: (value === 'done') === item.done }), ` ${label}`);
  return h('li', { class: 'card desk-check', 'data-entry': item.entry.id },
    h('h2', { id: `${base}-title` }, h('a', { href: `#/desk/log/${item.entry.id}` }, item.entry.concern)),
    h('p', { class: 'meta' }, `Due ${day(item.entry.due_date)} · ${LABELS.risk[item.entry.risk] || item.entry.risk} risk · `
      + (item.done ? 'marked done' : 'not marked done')),
    item.unresolved.length ? h('ul', { class: 'desk-unresolved' }, item.unresolved.map((u) => h('li', {}, u))) : null,
    h('fieldset', { 'aria-describedby': `${base}-title` },
      h('legend', {}, 'Outcome of the check'),
      radio('done', 'Done'), radio('not_done', 'Not done')),
    h('div', { class: 'field' },
      h('label', { for: `${base}-note` }, 'What is not done (needed for “not done”)'),
      h('textarea', { id: `${base}-note`, name: 'note', rows: 2 })));
}

export async function render(user) {
  const list = await myServices();
  const service = await currentService();
  if (!service) {
    show(h('h1', {}, TITLE), h('p', { class: 'notice' }, 'You do not work in any service yet.'));
    return;
  }
  let body;
  try {
    body = await api.get(`/services/${service.id}/completion-checks?day=${TODAY()}`);
  } catch (err) {
    show(h('h1', {}, TITLE), h('p', { class: 'notice notice-bad', role: 'alert' }, refusal(err)));
    return;
  }
  const message = alertBox();
  const form = h('form', { novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const results = [...form.querySelectorAll('.desk-check')].map((li) => ({
      entry_id: li.dataset.entry,
      outcome: li.querySelector('input[type=radio]:checked')?.value || 'not_done',
      note: li.querySelector('textarea').value.trim(),
    }));
    const missing = results.findIndex((r) => r.outcome === 'not_done' && !r.note);
    if (missing >= 0) {
      say(message, `Check ${missing + 1}: write what is not done, or mark it done.`);
      form.querySelectorAll('textarea')[missing].focus();
      return;
    }
    try {
      await api.post(`/services/${service.id}/completion-checks`, { day: body.day, results });
      toast('Completion checks recorded.');
      render(user);
    } catch (err) { say(message, refusal(err)); }
  } },
  h('ul', { class: 'list' }, body.items.map(outcome)),
  message,
  h('button', { type: 'submit', class: 'btn btn-primary' }, 'Record the checks'));
  show(h('h1', {}, TITLE),
    servicePicker(list, service, () => render(user)),
    h('p', {}, `Actions due from ${day(body.due_from)} to ${day(body.due_to)}: ${body.done} done, ${body.not_done} not done.`),
    body.items.length ? form : h('p', { class: 'notice' }, 'Nothing fell due in this period.'));
}
