// One log entry at the desk: its fields (with the vague-action check as you type), the
// status actions the rules allow from here, its escalation decision, and its records
// (desk-entry-records.js: reviews, open conflicts, evidence, notes, history).
// Every write sends the version it was based on; a stale one gets the current copy back.
import * as api from '../api.js';
import { LABELS, choices, day, field, h, show, showErrors, toast, when } from '../ui.js';
import * as session from '../session.js';
import { alertBox, backToLog, checkedValues, nameOf, peopleOf, refusal, say } from './desk-common.js';
import { REVIEW_KINDS, allPages, recordsSections } from './desk-entry-records.js';
import { FOLLOW_THROUGH, FOLLOW_THROUGH_LABELS, followThroughFields, followThroughLines, signOffPanel, stepsLine } from './desk-sign-off.js';

const LABEL = {
  concern: 'Concern', decision: 'Decision', owner_id: 'Owner', due_date: 'Due date',
  carry_forward_reason: 'Why the due date is moving', evidence_needed: 'Evidence needed',
  interim_controls: 'Interim controls', risk: 'Risk', source: 'Source',
  vague_override_reason: 'Reason to accept the wording', version: 'Version',
};
const EDITABLE = ['concern', 'decision', 'owner_id', 'due_date', 'evidence_needed', 'interim_controls', 'risk', 'source'];

// The words on each status action's button, in the order they are shown. Which of them an
// entry offers is the server's answer (entry.transitions: its status machine and what this
// person may do); the server checks the action again when it is sent.
const BUTTONS = {
  open: 'Open entry', start: 'Start', mark_done: 'Mark done', close: 'Close', send_back: 'Send back',
  sign_off: 'Sign off', challenge: 'Challenge', reopen: 'Reopen',
};
const NEEDS_REASON = new Set(['send_back', 'challenge', 'reopen']);
const REASON_WORDS = { send_back: 'send back', challenge: 'challenge', reopen: 'reopen' };

function debounce(fn, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

/** Check the decision's wording against the server's rule as it is typed. */
function wireVagueCheck(textarea, region) {
  let asked = 0;
  const check = debounce(async () => {
    const text = textarea.value.trim();
    const mine = ++asked;
    if (!text) { region.replaceChildren(); return; }
    try {
      const result = await api.get(`/vague-check?decision=${encodeURIComponent(text)}`);
      if (mine !== asked) return; // an older answer arriving late
      region.className = `desk-vague ${result.passes ? 'passes' : 'flagged'}`;
      region.replaceChildren(...(result.passes
        ? [h('p', {}, 'This decision says what will be done: it passes the vague-action check.')]
        : [h('p', { class: 'desk-vague-title' }, 'This wording is too vague to open the entry:'),
          h('ul', {}, result.flags.map((f) => h('li', {}, f.explanation)))]));
    } catch { region.replaceChildren(); }
  }, 400);
  textarea.addEventListener('input', check);
  check();
}

function detailsForm(entry, names, onSaved) {
  const owners = [...names].map(([id, name]) => [id, nameOf(names, id) || name]);
  if (entry.owner_id && !names.has(entry.owner_id)) owners.push([entry.owner_id, 'The current owner']);
  const form = h('form', { novalidate: true, class: 'card desk-details', 'aria-labelledby': 'details-title' },
    h('h2', { id: 'details-title' }, 'The decision'),
    field({ name: 'concern', label: LABEL.concern, type: 'textarea', rows: 3, required: true, hint: 'The baseline issue, as it was found.' }),
    field({ name: 'decision', label: LABEL.decision, type: 'textarea', rows: 3, required: true,
      hint: 'What will be done, by whom and how often. Checked for vague wording as you type. Needed to open the entry.' }),
    h('div', { id: 'vague-result', class: 'desk-vague', 'aria-live': 'polite' }),
    h('div', { class: 'desk-two' },
      field({ name: 'owner_id', label: LABEL.owner_id, options: owners, required: true, hint: 'The named person who will do it.' }),
      field({ name: 'due_date', label: LABEL.due_date, type: 'date', required: true, hint: 'Overdue from the day after.' })),
    entry.due_date ? field({ name: 'carry_forward_reason', label: LABEL.carry_forward_reason, type: 'textarea', rows: 2,
      hint: 'Only if you move the due date: a moved date is a carry-forward and is counted.' }) : null,
    field({ name: 'evidence_needed', label: LABEL.evidence_needed, type: 'textarea', rows: 2, required: true,
      hint: 'What will show the change has happened: a record, an audit, feedback or a practice check.' }),
    field({ name: 'interim_controls', label: LABEL.interim_controls, type: 'textarea', rows: 2,
      hint: 'What keeps people safe until the action is done.' }),
    h('div', { class: 'desk-two' },
      field({ name: 'risk', label: LABEL.risk, required: true, options: Object.entries(LABELS.risk) }),
      field({ name: 'source', label: LABEL.source, required: true, options: Object.entries(LABELS.source) })),
    h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save changes')));
  const message = alertBox();
  form.append(message);
  for (const name of EDITABLE) form.elements[name].value = entry[name] ?? '';
  form.elements.decision.setAttribute('aria-describedby',
    `${form.elements.decision.getAttribute('aria-describedby')} vague-result`);
  wireVagueCheck(form.elements.decision, form.querySelector('#vague-result'));
  if (entry.status === 'closed') {
    for (const el of form.elements) el.disabled = true;
    say(message, 'This entry is closed. Reopen it with a reason before changing it.', 'warn');
  }
  form.addEventListener('submit', (event) => { event.preventDefault(); save(entry, form, message, onSaved); });
  return form;
}

function changesIn(entry, form) {
  const changes = {};
  for (const name of EDITABLE) {
    let value = form.elements[name].value;
    if (typeof value === 'string' && !['owner_id', 'due_date'].includes(name)) value = value.trim();
    if (['owner_id', 'due_date'].includes(name) && !value) value = null;
    if ((entry[name] ?? null) !== value && !(value === '' && !entry[name])) changes[name] = value;
  }
  if ('due_date' in changes && form.elements.carry_forward_reason) {
    changes.carry_forward_reason = form.elements.carry_forward_reason.value.trim() || null;
  }
  return changes;
}

function named(fields) {
  return Object.fromEntries(Object.entries(fields).map(([f, why]) => [f, `${LABEL[f] || f}: ${why}`]));
}

async function save(entry, form, message, onSaved) {
  const changes = changesIn(entry, form);
  showErrors(form, {});
  if (!Object.keys(changes).length) { say(message, 'Nothing has changed.', 'warn'); return; }
  try {
    const saved = await api.request('PATCH', `/entries/${entry.id}`, { version: entry.version, ...changes });
    holdUntilRedraw(entry, saved);
    toast('Changes saved.');
    onSaved(saved);
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 409 && err.body?.error?.current) {
      onSaved(err.body.error.current, { stale: changes });
      return;
    }
    if (err instanceof api.ApiError) showErrors(form, named(err.fields));
    say(message, refusal(err));
  }
}

/**
 * After a save the screen redraws from the server's answer: until it has, nothing on it may
 * be pressed, and a click that slips through is based on the saved version (never the one
 * before it, which the server would refuse as someone else's change).
 */
function holdUntilRedraw(entry, saved) {
  Object.assign(entry, saved);
  const page = document.querySelector('#main .desk-entry');
  page?.setAttribute('aria-busy', 'true');
  for (const button of page?.querySelectorAll('button') || []) button.disabled = true;
}

/** The hint under the reason: only the actions on screen that take one. */
function reasonHint(actions) {
  const needing = actions.filter(([a]) => NEEDS_REASON.has(a)).map(([a]) => REASON_WORDS[a]);
  const listed = needing.length > 1 ? `${needing.slice(0, -1).join(', ')} or ${needing.at(-1)}` : needing[0];
  const optional = actions.some(([a]) => a === 'mark_done') ? 'optional when marking done' : '';
  if (!listed) return `A reason is ${optional}.`;
  return `Needed to ${listed}${optional ? `; ${optional}` : ''}.`;
}

function transitionsCard(entry, form, onChanged, refused = null) {
  const allowed = new Set(entry.transitions || []);
  const actions = Object.entries(BUTTONS).filter(([action]) => allowed.has(action));
  const needsReason = actions.some(([a]) => NEEDS_REASON.has(a) || a === 'mark_done');
  const message = alertBox('desk-refusal');
  const reason = needsReason ? field({ name: 'reason', label: 'Reason', type: 'textarea', rows: 2,
    hint: reasonHint(actions) }) : null;
  const overrideBox = h('div', { class: 'desk-override', 'data-service': entry.service_id });
  const card = h('section', { class: 'card desk-actions', 'aria-labelledby': 'actions-title' },
    h('h2', { id: 'actions-title' }, 'Status: ', LABELS.status[entry.status] || entry.status),
    reason, overrideBox,
    h('div', { class: 'button-row' }, actions.map(([action, text]) => h('button', {
      type: 'button', class: `btn ${action === actions[0][0] ? 'btn-primary' : 'btn-secondary'}`, 'data-action': action,
      onclick: () => (action === 'open' && unsaved(entry, form)
        ? saveAndOpen(entry, form, card, message, overrideBox, onChanged)
        : move(entry, action, card, message, overrideBox, onChanged)),
    }, text))),
    message);
  const open = card.querySelector('button[data-action="open"]');
  if (open) {
    // Typing not saved yet is saved first: one press, "Save and open".
    const label = () => { open.textContent = unsaved(entry, form) ? 'Save and open' : BUTTONS.open; };
    form.addEventListener('input', label);
    form.addEventListener('change', label);
    label();
  }
  if (refused) {
    say(message, refused.message);
    if (refused.rule === 'vague_decision') overrideField(overrideBox);
  }
  return card;
}

function unsaved(entry, form) {
  if (entry.status === 'closed') return false;
  return Object.keys(changesIn(entry, form)).some((k) => k !== 'carry_forward_reason');
}

/** Save what is typed, then open the entry on the saved version; a refusal of either is
 * shown beside the button (the saved copy is drawn first when only the opening was refused). */
async function saveAndOpen(entry, form, card, message, overrideBox, onChanged) {
  const changes = changesIn(entry, form);
  showErrors(form, {});
  say(message, '');
  let saved;
  try {
    saved = await api.request('PATCH', `/entries/${entry.id}`, { version: entry.version, ...changes });
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 409 && err.body?.error?.current) {
      onChanged(err.body.error.current, { stale: changes });
      return;
    }
    if (err instanceof api.ApiError) showErrors(form, named(err.fields));
    say(message, refusal(err));
    return;
  }
  holdUntilRedraw(entry, saved);
  const override = card.querySelector('textarea[name="override_reason"]')?.value.trim() || null;
  try {
    const opened = await api.post(`/entries/${entry.id}/transitions`,
      { action: 'open', version: saved.version, override_reason: override });
    toast('Changes saved and the entry is open.');
    onChanged(opened);
  } catch (err) {
    toast('Changes saved.');
    onChanged(saved, { refused: { message: refusal(err), rule: err?.body?.error?.rule } });
  }
}

function overrideField(box) {
  if (box.querySelector('textarea') || !session.may('entry.override_vague', box.dataset.service)) return;
  box.append(field({ name: 'override_reason', label: LABEL.vague_override_reason, type: 'textarea', rows: 2,
    hint: 'Registered managers only: if you decide the wording stands, say why. Otherwise reword the decision above and save.' }));
}

async function move(entry, action, card, message, overrideBox, onChanged) {
  const reason = card.querySelector('textarea[name="reason"]')?.value.trim() || null;
  const override = card.querySelector('textarea[name="override_reason"]')?.value.trim() || null;
  if (NEEDS_REASON.has(action) && !reason) {
    say(message, 'Reason: say why, so that the owner can act on it. The reason is recorded in the history.');
    card.querySelector('textarea[name="reason"]').focus();
    return;
  }
  say(message, '');
  try {
    const moved = await api.post(`/entries/${entry.id}/transitions`,
      { action, version: entry.version, reason, override_reason: override });
    holdUntilRedraw(entry, moved);
    toast(`Entry is now ${(LABELS.status[moved.status] || moved.status).toLowerCase()}.`);
    onChanged(moved);
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 409 && err.body?.error?.current) {
      onChanged(err.body.error.current, { stale: {} });
      return;
    }
    if (overrideBox && err instanceof api.ApiError && err.body?.error?.rule === 'vague_decision') overrideField(overrideBox);
    say(message, refusal(err));
  }
}

const DECISIONS = { escalated: 'Escalated to provider level', not_escalated: 'Not escalated' };

function escalationForm(entry, state, onChanged) {
  const form = h('form', { novalidate: true, 'aria-labelledby': 'escalation-form-title' },
    h('h3', { id: 'escalation-form-title' }, entry.escalation_decision ? 'Change the decision' : 'Record the decision'),
    choices({ name: 'decision', legend: 'Escalate this entry to provider level?', required: true,
      options: [['escalated', 'Escalate to provider level'], ['not_escalated', 'Do not escalate']] }),
    field({ name: 'reason', label: 'Why', type: 'textarea', rows: 2, required: true,
      hint: 'Recorded with your name and the time, for the provider to see.' }),
    state.safeguarding ? followThroughFields() : null,
    h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Record the decision'));
  const message = alertBox();
  form.append(message);
  if (state.safeguarding) for (const name of FOLLOW_THROUGH) form.elements[name].value = entry[name] ?? '';
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = checkedValues(form, (v) => ({
      decision: !v.decision && 'Escalate or not: choose one.',
      reason: !v.reason.trim() && 'Why: say why the entry is, or is not, escalated.',
    }));
    if (!v) return;
    try {
      const followThrough = state.safeguarding
        ? Object.fromEntries(FOLLOW_THROUGH.map((name) => [name, (v[name] || '').trim() || null])) : {};
      const saved = await api.post(`/entries/${entry.id}/escalation`,
        { decision: v.decision, reason: v.reason.trim(), version: entry.version, ...followThrough });
      holdUntilRedraw(entry, saved);
      toast('Escalation decision recorded.');
      onChanged(saved);
    } catch (err) {
      if (err instanceof api.ApiError && err.status === 409 && err.body?.error?.current) {
        onChanged(err.body.error.current, { stale: {} });
        return;
      }
      const label = (f) => FOLLOW_THROUGH_LABELS[f] || (f === 'reason' ? 'Why' : 'Decision');
      if (err instanceof api.ApiError) showErrors(form, Object.fromEntries(Object.entries(err.fields).map(([f, why]) => [f, `${label(f)}: ${why}`])));
      say(message, refusal(err));
    }
  });
  return form;
}

function escalationCard(entry, names, state, onChanged) {
  const recorded = entry.escalation_decision
    ? h('div', { class: `desk-escalation-recorded ${entry.escalation_decision}` },
      h('p', {}, h('strong', {}, DECISIONS[entry.escalation_decision] || entry.escalation_decision),
        ` – recorded by ${nameOf(names, entry.escalation_by)}, ${when(entry.escalation_at)}.`),
      h('p', {}, `Why: ${entry.escalation_reason}`))
    : h('p', {}, entry.risk === 'high'
      ? 'No escalation decision is recorded yet. A high-risk entry needs one: escalate it to provider level, or record why not.'
      : 'No escalation decision is recorded.');
  return h('section', { class: 'card desk-escalation', 'aria-labelledby': 'escalation-title' },
    h('h2', { id: 'escalation-title' }, 'Escalation decision'), recorded,
    state.safeguarding ? [h('h3', {}, 'Safeguarding follow-through'), followThroughLines(entry)] : null,
    session.may('entry.escalate', entry.service_id) ? escalationForm(entry, state, onChanged) : null);
}

/** The newest review outcome, when it challenged the entry and the entry is still open. */
function challengeNotice(entry, reviews) {
  const latest = reviews[0];
  if (!latest || latest.outcome !== 'challenge' || entry.status === 'closed') return null;
  return h('div', { class: 'notice notice-bad desk-challenge' },
    h('h2', {}, `Challenged in the ${REVIEW_KINDS[latest.kind] || 'review'}`),
    h('p', {}, `${latest.reviewer_name}, ${when(latest.reviewed_at)}: ${latest.comment}`),
    h('p', {}, 'A challenge keeps the entry open: answer it with a note, evidence or a new decision.'));
}

function flagsNotice(entry) {
  if (!entry.flags?.length) return null;
  return h('div', { class: 'notice notice-warn desk-flags' },
    h('h2', {}, 'Needs attention'),
    h('ul', {}, entry.flags.map((f) => h('li', {}, f.message))));
}

function staleNotice(stale) {
  if (!stale) return null;
  const typed = Object.entries(stale).filter(([k]) => k !== 'carry_forward_reason');
  return h('div', { class: 'notice notice-bad', role: 'alert' },
    h('p', {}, h('strong', {}, 'Someone changed this entry; here is the current copy.'),
      ' Your change was not saved. Check the entry below and make your change again if it is still needed.'),
    typed.length ? [h('p', {}, 'What you had typed:'),
      h('ul', {}, typed.map(([k, v]) => h('li', {}, `${LABEL[k] || k}: ${v ?? '(empty)'}`)))] : null);
}

function summary(entry, names) {
  return h('p', { class: 'meta' },
    h('span', { class: `badge badge-status status-${entry.status}` }, LABELS.status[entry.status] || entry.status), ' ',
    h('span', { class: `badge badge-risk badge-risk-${entry.risk}` }, `${LABELS.risk[entry.risk]} risk`), ' ',
    entry.escalated ? h('span', { class: 'badge badge-bad' }, 'Escalated') : null, ' ',
    `Owner: ${entry.owner_id ? nameOf(names, entry.owner_id) : 'none yet'} · due ${day(entry.due_date)}`,
    entry.original_due_date && entry.original_due_date !== entry.due_date ? ` (first due ${day(entry.original_due_date)})` : '');
}

export async function render(user, entryId, { stale = null, current = null, refused = null } = {}) {
  let entry = current;
  try {
    entry = entry || await api.get(`/entries/${entryId}`);
  } catch (err) {
    show(h('p', {}, h('a', { href: backToLog() }, '‹ The log')), h('h1', {}, 'Entry not found'),
      h('p', { class: 'notice notice-bad', role: 'alert' }, refusal(err)));
    return;
  }
  const [names, reviews, state] = await Promise.all([peopleOf(entry.service_id),
    allPages(`/entries/${entry.id}/reviews`), api.get(`/entries/${entry.id}/sign-off`)]);
  const again = (fresh, extra = {}) => render(user, fresh.id, { current: fresh, ...extra });
  const details = detailsForm(entry, names, again);
  const actions = entry.status === 'awaiting_sign_off'
    ? signOffPanel(entry, names, state, (action, card, message) => move(entry, action, card, message, null, again))
    : transitionsCard(entry, details, again, refused);
  show(h('p', {}, h('a', { href: backToLog() }, '‹ The log')),
    h('h1', {}, entry.status === 'draft' ? 'Draft entry' : 'Log entry'),
    staleNotice(stale),
    summary(entry, names),
    stepsLine(state),
    challengeNotice(entry, reviews),
    flagsNotice(entry),
    h('div', { class: 'desk-entry', 'data-version': entry.version },
      // Waiting for sign-off, the panel is what this page is for: it comes first.
      h('div', { class: 'desk-entry-main' }, entry.status === 'awaiting_sign_off' ? [actions, details] : [details, actions],
        escalationCard(entry, names, state, again)),
      h('div', { class: 'desk-entry-side' }, await recordsSections(user, entry, names, again, reviews))));
  if (stale) document.querySelector('#main .notice-bad[role="alert"]')?.scrollIntoView();
}
