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
const ACTION_WORDS = {
  create: 'created the entry', update: 'changed', open: 'opened it', start: 'started it',
  mark_done: 'marked it done', send_back: 'sent it back', close: 'closed it', sign_off: 'signed it off',
  challenge: 'challenged it', reopen: 'reopened it', note: 'added a note', evidence: 'added evidence',
  carry_forward: 'moved the due date', link_findings: 'linked findings', escalation: 'recorded an escalation decision',
  resolve_conflict: 'resolved a conflict',
};
const FIELD_WORDS = {
  status: 'status', owner_id: 'owner', due_date: 'due date', original_due_date: 'first due date',
  decision: 'decision', concern: 'concern', evidence_needed: 'evidence needed', interim_controls: 'interim controls',
  risk: 'risk', source: 'source', reason: 'reason', body: 'note', from: 'from', to: 'to',
  referral_made_on: 'safeguarding referral made on', referral_not_needed: 'why no safeguarding referral was needed',
  cqc_notified_on: 'CQC notified on', cqc_not_needed: 'why no CQC notification was needed',
};
const HIDDEN_KEYS = new Set(['opened_at', 'closed_at', 'closed_by', 'signed_off_by', 'completed_on', 'vague_override_by',
  'done_by', 'done_at', 'checked_by', 'checked_at', 'signed_off_at', // the step itself says who and when
  'note_id', 'evidence_id', 'id', 'entry_id', 'version', 'finding_ids', 'statement_ids', 'updated_at', 'review_id']);

/** Every item of a paged list (200 at a time). */
export async function allPages(path) {
  const items = [];
  for (let page = 1; ; page += 1) {
    const body = await api.get(`${path}${path.includes('?') ? '&' : '?'}per_page=200&page=${page}`);
    items.push(...body.items);
    if (!body.has_more) return items;
  }
}

function shown(key, value, names) {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (key === 'status') return LABELS.status[value] || value;
  if (key === 'risk') return LABELS.risk[value] || value;
  if (['owner_id', 'author_id', 'checked_by', 'added_by'].includes(key)) return nameOf(names, value);
  if (key === 'source') return LABELS.source[value] || value;
  if (key === 'type') return EVIDENCE_TYPES[value] || value;
  if (/date$|^from$|^to$/.test(key) && /^\d{4}-\d{2}-\d{2}$/.test(value)) return day(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function changeLines(event, names) {
  return Object.entries(event.changes || {}).filter(([k]) => !HIDDEN_KEYS.has(k)).map(([key, value]) => {
    const what = FIELD_WORDS[key] || key.replace(/_/g, ' ');
    if (Array.isArray(value) && value.length === 2 && !['finding_ids'].includes(key)) {
      return h('li', {}, `${what}: ${shown(key, value[0], names)} → ${shown(key, value[1], names)}`);
    }
    return h('li', {}, `${what}: ${shown(key, value, names)}`);
  });
}

function timeline(events, names) {
  if (!events.length) return h('p', {}, 'No history yet.');
  return h('ol', { class: 'desk-timeline' }, events.map((event) => h('li', {},
    h('p', {}, h('strong', {}, nameOf(names, event.actor_id)), ` ${ACTION_WORDS[event.action] || event.action.replace(/_/g, ' ')}`),
    h('p', { class: 'meta' }, `${when(event.at)} · ${event.channel === 'sync' ? 'from a tablet' : 'at the desk'}`),
    h('ul', { class: 'desk-changes' }, changeLines(event, names)))));
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

function conflictValue(conflict, value, names) {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (conflict.field === 'owner_id') return nameOf(names, value);
  if (conflict.field === 'status') return LABELS.status[value] || value;
  if (typeof value === 'object') return value.action ? value.action.replace(/_/g, ' ') : JSON.stringify(value);
  return String(value);
}

async function conflictsSection(entry, names) {
  if (!session.may('conflict.resolve', entry.service_id)) return null; // only those who decide them see them
  const conflicts = await allPages(`/entries/${entry.id}/conflicts`);
  return h('section', { class: 'card', 'aria-labelledby': 'conflicts-title' },
    h('h2', { id: 'conflicts-title' }, 'Open conflicts'),
    conflicts.length ? [
      h('ul', { class: 'list' }, conflicts.map((c) => h('li', { class: 'desk-small' },
        h('p', {}, h('strong', {}, FIELD_WORDS[c.field] ? FIELD_WORDS[c.field][0].toUpperCase() + FIELD_WORDS[c.field].slice(1) : c.field),
          `: kept “${conflictValue(c, c.kept_value, names)}”; ${nameOf(names, c.other_author)} also wrote “${conflictValue(c, c.other_value, names)}”`),
        h('p', { class: 'meta' }, when(c.other_at))))),
      h('p', {}, h('a', { href: '#/desk/conflicts', onclick: () => chooseService(entry.service_id) },
        `Decide ${conflicts.length === 1 ? 'it' : 'them'} in the conflicts queue`))]
      : h('p', {}, 'No open conflicts on this entry.'));
}

export async function recordsSections(user, entry, names, onChanged, reviews = []) {
  const [notes, events, conflicts] = await Promise.all([
    allPages(`/entries/${entry.id}/notes`), allPages(`/entries/${entry.id}/history`), conflictsSection(entry, names)]);
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
      h('h2', { id: 'history-title' }, 'History'), timeline(events, names)),
  ];
}
