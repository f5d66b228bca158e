// What I recorded on this tablet, and what became of each finding: waiting, sent, made into
// an entry (with its owner and due date), linked, dismissed with the reason, or withdrawn.
// The story comes with the pull (docs/sync-protocol.md §7.2). Until the office has triaged a
// finding, its recorder may correct or withdraw it; the server checks, and a change that
// arrives after triage is refused in words shown here.
import * as db from '../db.js';
import * as outbox from '../outbox.js';
import { current, may } from '../session.js';
import * as sync from '../sync.js';
import { LABELS, choices, day, field, fillForm, formValues, h, show, showErrors, toast, when } from '../ui.js';

const CORRECTABLE = ['area', 'description', 'action_taken', 'risk'];

function entryWords(story, localEntry) {
  const entry = story?.entry || (localEntry && { title: localEntry.decision || localEntry.concern, due_date: localEntry.due_date });
  if (!entry) return 'Linked to an entry in the office\'s log.';
  const verb = story?.outcome === 'made_into' ? 'Made into' : 'Linked to';
  const owner = entry.owner_name ? `owner ${entry.owner_name}` : (story ? 'no owner yet' : null);
  const due = entry.due_date ? `due ${day(entry.due_date)}` : 'no due date yet';
  return `${verb} the entry “${entry.title}”${owner ? `, ${owner}` : ''}, ${due}.`;
}

/** The finding's story in plain words, and the badge's tone. */
function story(f, localEntry) {
  if (f.rejected) return ['bad', 'Not accepted – tap the status bar to see why'];
  if (f.pending) return ['waiting', f.version ? 'Your change is waiting to send' : 'Waiting to send'];
  if (f.triage_state === 'withdrawn') return ['muted', 'You withdrew this finding.'];
  if (f.triage_state === 'dismissed') return ['muted', `Dismissed by the office. Reason: ${f.dismissed_reason || 'none given'}`];
  if (f.triage_state === 'linked') return ['sent', entryWords(f.story, localEntry)];
  return ['sent', 'Sent to the office'];
}

/** A correction or withdrawal the office refused (it had triaged the finding meanwhile). */
function refusal(item) {
  if (!item) return null;
  const what = item.mutation.op === 'transition' ? 'Your withdrawal was not made' : 'Your correction was not made';
  return h('p', { class: 'notice notice-bad', role: 'status' }, `${what}: ${item.result?.reason || 'the office did not accept it.'}`);
}

/** The office's copy of the finding, kept beside a local change until it is answered. */
function serverCopy(f) {
  if (f._server) return f._server;
  const { _server: _none, ...copy } = f;
  return { ...copy, pending: false };
}

function areaOptions(service, current) {
  const names = [...(service?.areas || []), ...(service?.routines || [])];
  if (current && !names.includes(current)) names.unshift(current);
  return names.map((n) => [n, n]);
}

function correctForm(user, f, service, done) {
  const form = h('form', { novalidate: true, class: 'story-edit', 'aria-label': 'Correct this finding' },
    field({ name: 'area', label: 'Area or routine', options: areaOptions(service, f.area), required: true }),
    field({ name: 'description', label: 'What you saw', type: 'textarea', rows: 3, required: true }),
    field({ name: 'action_taken', label: 'What you did on the spot', type: 'textarea', rows: 2 }),
    choices({ name: 'risk', legend: 'Risk', options: Object.entries(LABELS.risk), required: true }),
    h('div', { class: 'button-row' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save correction'),
      h('button', { type: 'button', class: 'btn btn-secondary', 'data-cancel': '' }, 'Cancel')));
  fillForm(form, f);
  form.querySelector('[data-cancel]').addEventListener('click', done);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const values = formValues(form);
    const changes = {};
    for (const name of CORRECTABLE) {
      const value = typeof values[name] === 'string' ? values[name].trim() : values[name];
      if (value !== undefined && value !== (f[name] ?? '')) changes[name] = value;
    }
    const errors = {};
    if (!values.area) errors.area = 'Choose the area or routine.';
    if (!String(values.description || '').trim()) errors.description = 'Say what you saw.';
    showErrors(form, errors);
    if (Object.keys(errors).length) return;
    if (!Object.keys(changes).length) { done(); return; }
    const base = Object.fromEntries(Object.keys(changes).map((k) => [k, f[k] ?? null]));
    await outbox.queueChange(user, { entity_type: 'finding', entity_id: f.id, op: 'update',
      base_version: f.version, changes, base_values: base },
    { record: { ...f, ...changes, entityType: 'finding', _server: serverCopy(f) } });
    await sync.afterSave();
    toast('Correction saved. It goes to the office with your next sync.');
    done();
  });
  return form;
}

function withdrawForm(user, f, done) {
  const form = h('form', { novalidate: true, class: 'story-edit', 'aria-label': 'Withdraw this finding' },
    h('p', {}, 'Withdraw this finding if it was recorded by mistake. The office will see that you withdrew it.'),
    field({ name: 'reason', label: 'Why are you withdrawing it?', type: 'textarea', rows: 2 }),
    h('div', { class: 'button-row' },
      h('button', { type: 'submit', class: 'btn btn-danger' }, 'Withdraw finding'),
      h('button', { type: 'button', class: 'btn btn-secondary', 'data-cancel': '' }, 'Keep it')));
  form.querySelector('[data-cancel]').addEventListener('click', done);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const reason = formValues(form).reason.trim() || null;
    await outbox.queueChange(user, { entity_type: 'finding', entity_id: f.id, op: 'transition',
      base_version: f.version, base_values: { triage_state: f.triage_state },
      transition: { action: 'withdraw', reason } },
    { record: { ...f, triage_state: 'withdrawn', entityType: 'finding', _server: serverCopy(f) } });
    await sync.afterSave();
    toast('Finding withdrawn. The office is told with your next sync.');
    done();
  });
  return form;
}

/** Correct and Withdraw, for a sent finding the office has not triaged yet. */
function changeButtons(user, f, service, rerender) {
  if (f.pending || f.rejected || f.triage_state !== 'new' || !f.version) return null;
  if (!may('finding.create', f.service_id, user)) return null;
  const slot = h('div', { class: 'story-change' });
  const open = (make) => { slot.replaceChildren(make()); slot.querySelector('input, select, textarea, button')?.focus(); };
  slot.append(h('div', { class: 'button-row' },
    h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => open(() => correctForm(user, f, service, rerender)) }, 'Correct'),
    h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => open(() => withdrawForm(user, f, rerender)) }, 'Withdraw')));
  return slot;
}

function card(user, f, ctx) {
  const [tone, words] = story(f, ctx.entries.get(String(f.log_entry_id)));
  return h('li', { class: 'card finding', 'data-finding': f.id },
    h('h2', {}, `${LABELS.kind[f.kind] || f.kind} – ${f.area}`),
    h('p', {}, f.description),
    h('p', { class: 'meta' }, `${when(f.recorded_at)} · ${LABELS.risk[f.risk] || ''} risk${f.follow_up_needed ? ' · follow-up needed' : ''}`),
    h('p', { class: `story story-${tone}` }, words),
    refusal(ctx.refused.get(String(f.id))),
    changeButtons(user, f, ctx.services.get(String(f.service_id)), () => render(user)));
}

// After each sync the list is drawn again in place (the office's answers and new stories),
// unless a correction or withdrawal is being typed; focus stays where it was.
let watching = false;
function watchSyncs() {
  if (watching) return;
  watching = true;
  sync.onSyncEnd(() => {
    const user = current();
    if (!user || !location.hash.startsWith('#/recent')) return;
    if (document.querySelector('#main .story-edit')) return;
    render(user, { quiet: true });
  });
}

export async function render(user, { quiet = false } = {}) {
  watchSyncs();
  const findings = (await db.listRecords(user.id, 'finding'))
    .filter((f) => f.recorded_by === user.id)
    .sort((a, b) => String(b.recorded_at).localeCompare(String(a.recorded_at)));
  const ctx = {
    entries: new Map((await db.listRecords(user.id, 'log_entry')).map((e) => [String(e.id), e])),
    services: new Map((await db.listServices(user.id)).map((s) => [String(s.id), s])),
    refused: new Map((await outbox.listOutbox(user.id))
      .filter((i) => i.state === outbox.REJECTED && i.mutation.entity_type === 'finding' && ['update', 'transition'].includes(i.mutation.op))
      .map((i) => [String(i.mutation.entity_id), i])),
  };
  const screen = [h('h1', {}, 'What I recorded'),
    findings.length ? h('ul', { class: 'list', 'aria-label': 'Recorded findings' }, findings.map((f) => card(user, f, ctx)))
      : h('p', { class: 'notice' }, 'Nothing recorded on this tablet yet.')];
  if (quiet) document.getElementById('main').replaceChildren(...screen);
  else show(...screen);
}
