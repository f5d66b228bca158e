// The ownership board for the duty manager: follow-ups with no named owner, oldest first,
// each given an owner in one step before shift end; findings needing an entry are listed
// with a link to the triage inbox. One bad choice refuses the whole step, and says which.
// Both lists are paged on the server.
import * as api from '../api.js';
import { LABELS, day, h, show, toast, when } from '../ui.js';
import { alertBox, currentService, myServices, pager, refusal, say, servicePicker } from './desk-common.js';

const TITLE = 'Ownership board';
const PER_PAGE = 25;
const pages = { entries: 1, findings: 1 }; // kept while the app is open

function ownerSelect(entry, people) {
  const id = `owner-${entry.id}`;
  return h('div', { class: 'field' },
    h('label', { for: id }, 'Owner'),
    h('select', { id, name: 'owner', 'data-entry': entry.id, 'data-version': entry.version },
      h('option', { value: '' }, 'Leave without an owner for now'),
      people.map((p) => h('option', { value: p.id }, p.display_name))));
}

function entryCard(entry, people) {
  return h('li', { class: 'card desk-board-entry' },
    h('h2', {}, h('a', { href: `#/desk/log/${entry.id}` }, entry.concern)),
    h('p', { class: 'meta' }, `${LABELS.risk[entry.risk] || entry.risk} risk · ${entry.status.replace(/_/g, ' ')} · `
      + `due ${day(entry.due_date)} · recorded ${when(entry.created_at)}`),
    ownerSelect(entry, people));
}

function findingItem(finding) {
  return h('li', { class: 'card' },
    h('p', {}, finding.description),
    h('p', { class: 'meta' }, `${finding.area} · ${LABELS.risk[finding.risk] || finding.risk} risk · received ${when(finding.received_at)}`));
}

export async function render(user) {
  const list = await myServices();
  const service = await currentService();
  if (!service) {
    show(h('h1', {}, TITLE), h('p', { class: 'notice' }, 'You do not work in any service yet.'));
    return;
  }
  let board; let people;
  const query = `per_page=${PER_PAGE}&page=${pages.entries}&findings_page=${pages.findings}`;
  try {
    [board, people] = await Promise.all([
      api.get(`/services/${service.id}/ownership?${query}`), api.get(`/services/${service.id}/people`)]);
  } catch (err) {
    show(h('h1', {}, TITLE), h('p', { class: 'notice notice-bad', role: 'alert' }, refusal(err)));
    return;
  }
  // Assigning can empty the last page: go back to one that has something on it.
  for (const which of ['entries', 'findings']) {
    if (!board[which].items.length && pages[which] > 1) { pages[which] = 1; render(user); return; }
  }
  const message = alertBox();
  const form = h('form', { novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const assignments = [...form.querySelectorAll('select[name=owner]')].filter((s) => s.value)
      .map((s) => ({ entry_id: s.dataset.entry, owner_id: s.value, version: Number(s.dataset.version) }));
    if (!assignments.length) { say(message, 'Choose an owner for at least one entry.'); return; }
    try {
      await api.post(`/services/${service.id}/ownership`, { assignments });
      toast(`${assignments.length} ${assignments.length === 1 ? 'entry has' : 'entries have'} a named owner now.`);
      render(user);
    } catch (err) { say(message, refusal(err)); }
  } },
  h('ul', { class: 'list' }, board.entries.items.map((e) => entryCard(e, people.items))),
  message,
  h('button', { type: 'submit', class: 'btn btn-primary' }, 'Assign the chosen owners'));
  const turn = (which) => (page) => { pages[which] = page; render(user); };
  show(h('h1', {}, TITLE),
    servicePicker(list, service, () => { pages.entries = 1; pages.findings = 1; render(user); }),
    h('p', {}, 'Every follow-up needs a named owner before the shift ends.'),
    board.entries.items.length ? [form, pager(board.entries, turn('entries'))]
      : h('p', { class: 'notice' }, 'Every entry has a named owner.'),
    h('h2', {}, 'Findings that need an entry first'),
    board.findings.items.length
      ? [h('ul', { class: 'list' }, board.findings.items.map(findingItem)),
        pager(board.findings, turn('findings'), ['finding', 'findings']),
        h('p', {}, h('a', { href: '#/desk/inbox' }, 'Turn them into entries in the triage inbox'))]
      : h('p', { class: 'notice' }, 'No finding is waiting for an entry.'));
}
