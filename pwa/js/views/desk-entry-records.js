// An entry's records at the desk: its reviews, its open sync conflicts, notes and evidence
// (append-only, each with its form), carry-forwards, the findings linked to it, and the
// whole history as a timeline.
import * as api from '../api.js';
import { LABELS, day, field, h, showErrors, toast, when } from '../ui.js';
import * as session from '../session.js';
import { TODAY, alertBox, checkedValues, chooseService, nameOf, refusal, say } from './desk-common.js';

export const REVIEW_KINDS = { rm_weekly: 'weekly review', provider_monthly: "provider's monthly review", ad_hoc: 'ad hoc review' };
export const REVIEW_OUTCOMES = { assurance: 'Assurance', challenge: 'Challenge', further_action: 'Further action' };

const EVIDENCE_TYPES = { ...LABELS.evidence, verbal_reassurance: 'Verbal reassurance (not enough to close)' };
/** Every item of a paged list (200 at a time). */
export async function allPages(path) {
  const items = [];
  for (let page = 1; ; page += 1) {
    const body = await api.get(`${path}${path.includes('?') ? '&' : '?'}per_page=200&page=${page}`);
    items.push(...body.items);
    if (!body.has_more) return items;
  }
}

// The server says each event in words (``words``: who, where, when, a summary and a line
// per change); the timeline lays them out.
function timeline(events) {
  if (!events.length) return h('p', {}, 'No history yet.');
  return h('ol', { class: 'desk-timeline' }, events.map((event) => h('li', {},
    h('p', {}, event.words.summary),
    h('p', { class: 'meta' }, `${event.words.when} · ${event.words.where}`),
    event.words.lines.length ? h('ul', { class: 'desk-changes' }, event.words.lines.map((line) => h('li', {}, line))) : null)));
}

function noteForm(entry, onChanged) {
  const form = h('form', { novalidate: true, 'aria-labelledby': 'desk-note-title' },
    h('h3', { id: 'desk-note-title' }, 'Add a note'),
    field({ name: 'body', label: 'Note', type: 'textarea', rows: 3, required: true, hint: 'Notes cannot be changed later.' }),
    h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Add note'));
  const message = alertBox();
  form.append(message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = form.elements.body.value.trim();
    showErrors(form, body ? {} : { body: 'Note: write the note first.' });
    if (!body) return;
    try {
      await api.post(`/entries/${entry.id}/notes`, { body });
      toast('Note added.');
      onChanged(await api.get(`/entries/${entry.id}`));
    } catch (err) { say(message, refusal(err)); }
  });
  return form;
}

function evidenceForm(user, entry, names, onChanged) {
  const form = h('form', { novalidate: true, 'aria-labelledby': 'desk-evidence-title' },
    h('h3', { id: 'desk-evidence-title' }, 'Add evidence'),
    h('p', { class: 'hint' }, 'Say where the proof lives. Verbal reassurance alone does not allow closure.'),
    field({ name: 'type', label: 'Type of evidence', required: true, options: Object.entries(EVIDENCE_TYPES) }),
    field({ name: 'location', label: 'Where it is kept', required: true, hint: 'For example "Medication audit, 3 March, office file".' }),
    field({ name: 'evidence_date', label: 'Date of the evidence', type: 'date', required: true }),
    field({ name: 'checked_by', label: 'Checked by', required: true, options: [...names].map(([id]) => [id, nameOf(names, id)]) }),
    field({ name: 'description', label: 'What it shows', type: 'textarea', rows: 2 }),
    h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Add evidence'));
  form.elements.evidence_date.value = TODAY();
  form.elements.checked_by.value = user.id;
  const message = alertBox();
  form.append(message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = checkedValues(form, (v) => ({
      type: !v.type && 'Type of evidence: choose one.',
      location: !v.location.trim() && 'Where it is kept: say where the evidence is.',
      evidence_date: !v.evidence_date && 'Date of the evidence: give the date.',
      checked_by: !v.checked_by && 'Checked by: choose who checked it.',
    }));
    if (!v) return;
    try {
      await api.post(`/entries/${entry.id}/evidence`, { type: v.type, location: v.location.trim(),
        evidence_date: v.evidence_date, checked_by: v.checked_by, description: v.description.trim() });
      toast('Evidence added.');
      onChanged(await api.get(`/entries/${entry.id}`));
    } catch (err) {
      if (err instanceof api.ApiError) showErrors(form, err.fields);
      say(message, refusal(err));
    }
  });
  return form;
}

function linkedFindings(findings) {
  if (!findings.length) return h('p', {}, 'No findings are linked to this entry.');
  return h('ul', { class: 'list' }, findings.map((f) => h('li', { class: 'card desk-small' },
    h('p', {}, f.description),
    h('p', { class: 'meta' }, `${f.area} · ${LABELS.source[f.source] || f.source} · ${LABELS.risk[f.risk]} risk · received ${when(f.received_at)}`))));
}

async function findingsOf(entry) {
  const body = await api.get(`/findings?log_entry_id=${entry.id}&per_page=200`);
  return body.items;
}

function reviewsSection(reviews) {
  return h('section', { class: 'card', 'aria-labelledby': 'reviews-title' },
    h('h2', { id: 'reviews-title' }, 'Reviews of this entry'),
    reviews.length ? h('ul', { class: 'list' }, reviews.map((r) => h('li', { class: `desk-small desk-review-outcome outcome-${r.outcome}` },
      h('p', {}, h('strong', {}, REVIEW_OUTCOMES[r.outcome] || r.outcome), ` in the ${REVIEW_KINDS[r.kind] || 'review'}`),
      r.comment ? h('p', {}, r.comment) : null,
      h('p', { class: 'meta' }, `${r.reviewer_name} · ${when(r.reviewed_at)}`))))
      : h('p', {}, 'No review has recorded an outcome on this entry yet.'));
}

async function conflictsSection(entry) {
  if (!session.may('conflict.resolve', entry.service_id)) return null; // only those who decide them see them
  const conflicts = await allPages(`/entries/${entry.id}/conflicts`);
  return h('section', { class: 'card', 'aria-labelledby': 'conflicts-title' },
    h('h2', { id: 'conflicts-title' }, 'Open conflicts'),
    conflicts.length ? [
      h('ul', { class: 'list' }, conflicts.map((c) => h('li', { class: 'desk-small' },
        h('p', {}, h('strong', {}, c.words.title), `: ${c.words.summary}`),
        h('p', { class: 'meta' }, `Kept for now: ${c.words.kept.value} · waiting: ${c.words.other.value}`)))),
      h('p', {}, h('a', { href: '#/desk/conflicts', onclick: () => chooseService(entry.service_id) },
        `Decide ${conflicts.length === 1 ? 'it' : 'them'} in the conflicts queue`))]
      : h('p', {}, 'No open conflicts on this entry.'));
}

export async function recordsSections(user, entry, names, onChanged, reviews = []) {
  const [notes, events, conflicts] = await Promise.all([
    allPages(`/entries/${entry.id}/notes`), allPages(`/entries/${entry.id}/history`), conflictsSection(entry)]);
  const findings = await findingsOf(entry);
  const open = entry.status !== 'closed';
  return [
    reviewsSection(reviews),
    conflicts,
    h('section', { class: 'card', 'aria-labelledby': 'evidence-title' },
      h('h2', { id: 'evidence-title' }, 'Evidence'),
      entry.evidence.length ? h('ul', { class: 'list' }, entry.evidence.map((e) => h('li', { class: 'desk-small' },
        h('p', {}, h('strong', {}, EVIDENCE_TYPES[e.type] || e.type), `: ${e.location}`),
        e.description ? h('p', {}, e.description) : null,
        h('p', { class: 'meta' }, `${day(e.evidence_date)} · checked by ${nameOf(names, e.checked_by)}`))))
        : h('p', {}, 'No evidence yet.'),
      open ? evidenceForm(user, entry, names, onChanged) : null),
    h('section', { class: 'card', 'aria-labelledby': 'notes-title' },
      h('h2', { id: 'notes-title' }, 'Notes'),
      notes.length ? h('ul', { class: 'list' }, notes.map((n) => h('li', { class: 'desk-small' }, h('p', {}, n.body),
        h('p', { class: 'meta' }, `${nameOf(names, n.author_id)} · ${when(n.created_at)}`)))) : h('p', {}, 'No notes yet.'),
      noteForm(entry, onChanged)),
    h('section', { class: 'card', 'aria-labelledby': 'carry-title' },
      h('h2', { id: 'carry-title' }, 'Carry-forwards'),
      entry.carry_forwards.length ? h('ul', { class: 'list' }, entry.carry_forwards.map((c) => h('li', { class: 'desk-small' },
        h('p', {}, `${day(c.from_date)} → ${day(c.to_date)}: ${c.reason}`),
        h('p', { class: 'meta' }, `${nameOf(names, c.author_id)} · ${when(c.created_at)}`))))
        : h('p', {}, 'The due date has not been moved.')),
    h('section', { class: 'card', 'aria-labelledby': 'linked-title' },
      h('h2', { id: 'linked-title' }, 'Linked findings'), linkedFindings(findings)),
    h('section', { class: 'card', 'aria-labelledby': 'history-title' },
      h('h2', { id: 'history-title' }, 'History'), timeline(events)),
  ];
}
