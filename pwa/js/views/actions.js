// "My actions": the entries I own, readable offline; notes, evidence and "done" go
// through the outbox like everything else.
import * as db from '../db.js';
import * as drafts from '../drafts.js';
import * as outbox from '../outbox.js';
import { current } from '../session.js';
import * as submission from '../submission.js';
import * as sync from '../sync.js';
import { LABELS, actionBar, day, field, fillForm, formValues, h, londonToday, sendingWords, show, showErrors, toast, when } from '../ui.js';
import * as validation from '../validation.js';

// Drafts are not yet anyone's action, and closed ones are finished: the rest are listed.
const listed = (entry) => entry.status !== 'draft' && entry.status !== 'closed';
// Whether the owner may mark it done is the server's answer (entry.transitions, pulled).
const doable = (entry) => (entry.transitions || []).includes('mark_done');

async function myEntries(user) {
  const entries = await db.listRecords(user.id, 'log_entry');
  return entries.filter((e) => e.owner_id === user.id && listed(e))
    .sort((a, b) => String(a.due_date || '9999').localeCompare(String(b.due_date || '9999')));
}

function overdue(entry) {
  const today = londonToday(); // the server's overdue counts London days
  return entry.due_date && entry.due_date < today && doable(entry);
}

// A review's challenge (or call for further action) reaches the owner as a note whose
// opening words are fixed by the server (server/reviews/services.py NOTE_OPENINGS).
const REVIEW_NOTE = /^(Challenge from the|Further action asked for in the) /;

/** The newest review note on the entry that the owner has not answered since (with a note
 * or evidence of their own), or null. */
function unansweredReview(user, entryId, notes, evidence) {
  const mine = [...notes.filter((n) => n.entry_id === entryId && n.author_id === user.id),
    ...evidence.filter((e) => e.entry_id === entryId && e.added_by === user.id)];
  const asked = notes.filter((n) => n.entry_id === entryId && REVIEW_NOTE.test(n.body))
    .sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)))[0];
  if (!asked || mine.some((m) => String(m.created_at) > String(asked.created_at))) return null;
  return asked;
}

function reviewWord(note) {
  return note.body.startsWith('Challenge') ? 'Challenged in a review' : 'Further action asked for in a review';
}

// What the status line says: the status, and whether a change of the user's own still
// waits to be sent, or reached the office after someone had changed the action.
const WAITING = ' (your change is waiting to send)';
const CLASHED = ' (the office had already changed it: a manager decides which stands)';

async function statusWords(user, entry) {
  const label = LABELS.status[entry.status] || entry.status;
  if (entry.pending) return [label, WAITING];
  const clashes = (await db.listAttention(user.id))
    .filter((a) => a.kind === 'conflict' && String(a.mutation?.entity_id) === String(entry.id));
  return [label, clashes.length ? CLASHED : ''];
}

async function statusLine(user, entry) {
  const [label, state] = await statusWords(user, entry);
  return [h('span', {}, label), h('span', { class: 'status-state' }, state)];
}

// When a sync ends, the office has answered: the open action (or the list) is brought up to
// date in place, so nothing it answered still says "waiting to send". The detail changes
// only its status and waiting marks, never a form being typed in.
let watching = false;
function watchSyncs() {
  if (watching) return;
  watching = true;
  sync.onSyncEnd(() => {
    const user = current();
    if (!user) return;
    const [section, id] = (location.hash || '').replace(/^#\/?/, '').split('?')[0].split('/');
    if (section !== 'actions') return;
    if (id) refreshDetail(user, id);
    else renderList(user, { quiet: true });
  });
}

async function refreshDetail(user, entryId) {
  const status = document.getElementById('action-status');
  const entry = await db.getRecord(user.id, 'log_entry', entryId);
  if (!status || !entry) return;
  status.replaceChildren(...await statusLine(user, entry));
  for (const mark of document.querySelectorAll('#main [data-record]')) {
    const [type, id] = mark.dataset.record.split(':');
    const record = await db.getRecord(user.id, type, id);
    if (record) mark.textContent = stateText(record);
  }
}

export async function renderList(user, { quiet = false } = {}) {
  watchSyncs();
  const entries = await myEntries(user);
  const notes = await db.listRecords(user.id, 'note');
  const evidence = await db.listRecords(user.id, 'evidence');
  const items = entries.map((e) => [e, unansweredReview(user, e.id, notes, evidence)]).map(([e, asked]) => h('li', { class: 'card' },
    h('h2', {}, h('a', { href: `#/actions/${e.id}` }, e.decision || e.concern)),
    h('p', { class: 'meta' },
      `Due ${day(e.due_date)} · ${LABELS.status[e.status] || e.status} · ${LABELS.risk[e.risk] || ''} risk`),
    overdue(e) ? h('p', { class: 'badge badge-bad' }, 'Overdue') : null,
    asked ? h('p', { class: 'badge badge-bad' }, `${reviewWord(asked)}: open it to see what to do`) : null,
    e.pending ? h('p', { class: 'badge badge-waiting' }, 'Your change is waiting to send') : null));
  const screen = [h('h1', {}, 'My actions'),
    h('p', {}, 'Actions a manager has given you. They are kept on this tablet, so you can update them without signal.'),
    entries.length ? h('ul', { class: 'list' }, items)
      : h('p', { class: 'notice' }, 'You have no open actions on this tablet. New ones arrive the next time it connects.')];
  if (quiet) document.getElementById('main').replaceChildren(...screen);
  else show(...screen);
}

/** Show ``errors`` and the schema's for ``changes`` of ``entityType``; true when none. */
async function checked(form, entityType, changes, errors) {
  const all = { ...errors };
  for (const [f, text] of Object.entries(await validation.check(entityType, changes))) {
    all[form.querySelector(`[data-field="${f}"]`) ? f : `record:${f}`] ??= text;
  }
  showErrors(form, all);
  return !Object.keys(all).length;
}

/** Queue a note or evidence made by ``form`` (a refused one sent again keeps its id). */
async function append(user, form, entityType, changes, record, draftForm, refused) {
  const { entityId: id, mutationId } = submission.idsOf(form);
  const mutation = { mutation_id: mutationId, entity_type: entityType, entity_id: id, op: 'append', changes };
  const local = { entityType, id, ...changes, ...record, created_at: new Date().toISOString() };
  if (refused && !(await outbox.resend(user, mutation, local, refused.item.key))) {
    toast('This was already sent again or discarded.');
    return;
  }
  if (!refused) await outbox.queueChange(user, mutation, { record: local, draftForm });
  submission.done(form);
  if (!refused) drafts.cancel(draftForm);
  await sync.afterSave();
}

/** Back to the action after a save (a refused one was reopened at its own address). */
function back(user, entry) {
  if (location.hash === `#/actions/${entry.id}`) renderDetail(user, entry.id);
  else location.hash = `#/actions/${entry.id}`;
}

function evidenceForm(user, entry, refused = null) {
  const today = londonToday();
  const form = h('form', { novalidate: true, 'aria-labelledby': 'evidence-title' },
    h('h2', { id: 'evidence-title' }, 'Add evidence'),
    h('p', { class: 'hint' }, 'Say where the proof lives (a record, an audit, a check). Verbal reassurance is not evidence.'),
    field({ name: 'type', label: 'Type of evidence', required: true, options: Object.entries(LABELS.evidence) }),
    field({ name: 'location', label: 'Where it is kept', hint: 'For example "Care plan R-1042, section 4" or "Medication audit, 3 March".', required: true }),
    field({ name: 'evidence_date', label: 'Date of the evidence', type: 'date', required: true }),
    field({ name: 'description', label: 'What it shows', type: 'textarea', rows: 3 }),
    actionBar(h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Add evidence')));
  form.elements.evidence_date.value = today;
  submission.onSubmit(form, async () => {
    const v = formValues(form);
    const errors = {};
    if (!v.type) errors.type = 'Choose the type of evidence.';
    if (!v.location.trim()) errors.location = 'Say where the evidence is kept.';
    if (!v.evidence_date) errors.evidence_date = 'Give the date of the evidence.';
    const changes = { entry_id: entry.id, type: v.type, location: v.location.trim(), evidence_date: v.evidence_date,
      description: v.description.trim(), checked_by: user.id };
    if (!(await checked(form, 'evidence', changes, errors))) return;
    await append(user, form, 'evidence', changes, { added_by: user.id }, `evidence:${entry.id}`, refused);
    toast(refused ? 'Sent again. It keeps its place as the same record.' : `Evidence added. ${sendingWords(sync.getState().online)}`);
    back(user, entry);
  });
  return form;
}

function noteForm(user, entry, refused = null) {
  const form = h('form', { novalidate: true, 'aria-labelledby': 'note-title' },
    h('h2', { id: 'note-title' }, 'Add a note'),
    field({ name: 'body', label: 'Note', hint: 'What has been done, what is still to do. Notes cannot be changed later.', type: 'textarea', required: true }),
    actionBar(h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Add note')));
  submission.onSubmit(form, async () => {
    const body = formValues(form).body.trim();
    const changes = { entry_id: entry.id, body };
    if (!(await checked(form, 'note', changes, body ? {} : { body: 'Write the note first.' }))) return;
    await append(user, form, 'note', changes, { author_id: user.id }, `note:${entry.id}`, refused);
    toast(refused ? 'Sent again. It keeps its place as the same record.' : `Note added. ${sendingWords(sync.getState().online)}`);
    back(user, entry);
  });
  return form;
}

/** The entry as the office last sent it, kept beside a local change until it is answered. */
function serverCopy(entry) {
  if (entry._server) return entry._server;
  const { _server: _none, ...copy } = entry;
  return { ...copy, pending: false };
}

function doneForm(user, entry) {
  const form = h('form', { novalidate: true, 'aria-labelledby': 'done-title' },
    h('h2', { id: 'done-title' }, 'Mark done for checking'),
    h('p', {}, 'A care coordinator or manager will check it. Add evidence first if you have it.'),
    field({ name: 'reason', label: 'What was done', type: 'textarea', rows: 3 }),
    h('button', { type: 'submit', class: 'btn btn-primary' }, 'Mark done for checking'));
  submission.onSubmit(form, async () => {
    const reason = formValues(form).reason.trim() || null;
    await outbox.queueChange(user, {
      mutation_id: submission.idsOf(form).mutationId,
      entity_type: 'log_entry', entity_id: entry.id, op: 'transition', base_version: entry.version,
      base_values: { status: entry.status }, transition: { action: 'mark_done', reason },
    }, { record: { ...entry, status: 'awaiting_check', transitions: [], _server: serverCopy(entry) }, draftForm: `done:${entry.id}` });
    submission.done(form);
    drafts.cancel(`done:${entry.id}`);
    await sync.afterSave();
    toast('Marked done. It will be sent for checking when there is a connection.');
    renderDetail(user, entry.id);
  });
  return form;
}

/** A refused note or evidence reopened in its form (views/refusals.js), to fix and send again. */
export async function renderRefused(user, refused) {
  const m = refused.item.mutation;
  const entry = (await db.getRecord(user.id, 'log_entry', refused.changes.entry_id)) || { id: refused.changes.entry_id };
  const form = m.entity_type === 'note' ? noteForm(user, entry, refused) : evidenceForm(user, entry, refused);
  form.querySelector('button[type=submit]').textContent = 'Send again';
  show(h('p', {}, h('a', { href: `#/actions/${entry.id}` }, '‹ Back to the action')),
    h('h1', {}, entry.decision || entry.concern || 'An action'),
    refused.notice(user), form);
  fillForm(form, refused.changes);
  submission.resume(form, refused.entityId);
  refused.show(form);
}

function stateText(record) {
  if (record.rejected) return ' · not accepted: tap the status bar to fix it';
  return record.pending ? ' · waiting to send' : '';
}

export async function renderDetail(user, entryId) {
  watchSyncs();
  const entry = await db.getRecord(user.id, 'log_entry', entryId);
  if (!entry || entry.owner_id !== user.id) {
    show(h('h1', {}, 'Action not found'), h('p', {}, 'This action is not on this tablet.'), h('a', { href: '#/actions' }, 'Back to my actions'));
    return;
  }
  const notes = (await db.listRecords(user.id, 'note')).filter((n) => n.entry_id === entryId)
    .sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
  const allEvidence = await db.listRecords(user.id, 'evidence');
  const evidence = allEvidence.filter((e) => e.entry_id === entryId);
  const asked = unansweredReview(user, entryId, notes, allEvidence);
  const forms = [noteForm(user, entry), evidenceForm(user, entry)];
  if (doable(entry)) forms.push(doneForm(user, entry));
  for (const form of forms) {
    const name = `${form.getAttribute('aria-labelledby').replace('-title', '')}:${entry.id}`;
    await drafts.keep(form, user.id, name);
  }
  show(h('p', {}, h('a', { href: '#/actions' }, '‹ My actions')),
    h('h1', {}, entry.decision || entry.concern),
    asked ? h('div', { class: 'notice notice-bad' }, h('h2', {}, reviewWord(asked)), h('p', {}, asked.body),
      h('p', { class: 'meta' }, `${when(asked.created_at)}. Answer it with a note or evidence below.`)) : null,
    h('dl', { class: 'card' },
      h('dt', {}, 'Concern'), h('dd', {}, entry.concern),
      h('dt', {}, 'Status'), h('dd', { id: 'action-status' }, await statusLine(user, entry)),
      h('dt', {}, 'Due'), h('dd', {}, day(entry.due_date), overdue(entry) ? ' – overdue' : ''),
      h('dt', {}, 'Evidence needed'), h('dd', {}, entry.evidence_needed || 'Not stated'),
      h('dt', {}, 'Risk'), h('dd', {}, LABELS.risk[entry.risk] || entry.risk),
      entry.interim_controls ? [h('dt', {}, 'Interim controls'), h('dd', {}, entry.interim_controls)] : null),
    h('h2', {}, 'Notes'),
    notes.length ? h('ul', { class: 'list' }, notes.map((n) => h('li', { class: 'card' }, h('p', {}, n.body),
      h('p', { class: 'meta' }, when(n.created_at), h('span', { 'data-record': `note:${n.id}` }, stateText(n)))))) : h('p', {}, 'No notes yet.'),
    h('h2', {}, 'Evidence'),
    evidence.length ? h('ul', { class: 'list' }, evidence.map((e) => h('li', { class: 'card' },
      h('p', {}, `${LABELS.evidence[e.type] || e.type}: ${e.location}`),
      h('p', { class: 'meta' }, day(e.evidence_date), h('span', { 'data-record': `evidence:${e.id}` }, stateText(e)))))) : h('p', {}, 'No evidence yet.'),
    ...forms);
}
