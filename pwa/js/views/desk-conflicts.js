// The conflicts queue: two versions of the same thing, side by side with who, where and
// when. The server says each conflict in words (``words``: what it is about, each side, the
// choices in plain terms); this screen only lays them out. A manager keeps the first, takes
// the other, or (for a field) writes a new value; the server records it in the history.
import * as api from '../api.js';
import { h, show, toast } from '../ui.js';
import { alertBox, currentService, myServices, pager, refusal, say, servicePicker } from './desk-common.js';

let page = 1;

function side(title, words, which) {
  const said = words[which];
  return h('div', { class: `desk-side desk-side-${which}` },
    h('h3', {}, title),
    h('p', { class: 'desk-value' }, said.value),
    h('p', { class: 'meta' }, `${said.who}, ${said.where}, ${said.when}`));
}

function newValueControl(kind, id) {
  if (kind === 'date') return h('input', { type: 'date', id, name: 'value' });
  return h('textarea', { id, name: 'value', rows: 2 });
}

function conflictCard(conflict, refresh) {
  const base = `conflict-${conflict.id}`;
  const words = conflict.words;
  const message = alertBox();
  const resolve = async (choice, value) => {
    try {
      await api.post(`/conflicts/${conflict.id}/resolve`, choice === 'new' ? { choice, value } : { choice });
      toast('Conflict resolved; the decision is recorded in the history.');
      refresh();
    } catch (err) { say(message, refusal(err)); }
  };
  return h('li', { class: 'card desk-conflict' },
    h('h2', { id: `${base}-title` }, words.title),
    h('p', {}, conflict.entity_type === 'log_entry'
      ? h('a', { href: `#/desk/log/${conflict.entity_id}` }, words.about) : words.about),
    h('p', { class: 'desk-conflict-summary' }, words.summary),
    words.before ? h('p', { class: 'meta' }, `Before either change: ${words.before}`) : null,
    h('div', { class: 'desk-sides' },
      side('Kept for now (saved first)', words, 'kept'),
      side('Waiting for your decision', words, 'other')),
    words.blocked ? h('p', { class: 'notice' }, words.blocked) : null,
    h('div', { class: 'button-row' }, words.choices.map((c) => h('button', {
      type: 'button', class: 'btn btn-secondary', 'aria-describedby': `${base}-title`, onclick: () => resolve(c.choice),
    }, c.label))),
    words.new_value ? h('form', { novalidate: true, class: 'desk-new-value', onsubmit: (event) => {
      event.preventDefault();
      const value = event.target.elements.value.value.trim();
      if (!value) { say(message, 'New value: write the value to use, or choose one of the two above.'); return; }
      resolve('new', value);
    } },
    h('label', { for: `${base}-value` }, 'Or write a new value'),
    newValueControl(words.new_value, `${base}-value`),
    h('button', { type: 'submit', class: 'btn btn-primary' }, 'Use this new value')) : null,
    message);
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
  show(h('h1', {}, 'Conflicts to resolve'),
    servicePicker(list, service, () => { page = 1; redraw(); }),
    h('p', {}, 'When two people change the same thing before their tablets sync, the change saved first is kept and the other waits here. Nothing is lost: choose which stands.'),
    body.items.length ? h('ul', { class: 'list' }, body.items.map((c) => conflictCard(c, redraw)))
      : h('p', { class: 'notice' }, 'There are no conflicts waiting.'),
    pager(body, (p) => { page = p; redraw(); }, ['conflict', 'conflicts']));
}
