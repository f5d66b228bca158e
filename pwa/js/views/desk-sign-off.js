// The sign-off panel of a high-risk entry, and the record of who moved an entry along.
// Everything it says comes from the server (GET /entries/<id>/sign-off): who marked the entry
// done, who checked it and who signed it off; the challenges not answered yet; whether a
// safeguarding concern is behind it; and every reason a sign-off would be refused now, shown
// before the button is pressed. The server checks all of it again when the sign-off is sent.
import { LABELS, day, field, h, when } from '../ui.js';
import { alertBox, nameOf } from './desk-common.js';

const DECISIONS = { escalated: 'Escalated to provider level', not_escalated: 'Not escalated' };

/** "Marked done by … on …, checked by … on …, signed off by … on …" (nothing before then). */
export function stepsLine(state) {
  return state?.steps ? h('p', { class: 'desk-steps' }, state.steps) : null;
}

function evidenceList(entry, names) {
  const live = entry.evidence.filter((e) => !e.deleted);
  if (!live.length) return h('p', { class: 'notice notice-bad' }, 'No evidence is attached.');
  return h('ul', { class: 'list' }, live.map((e) => h('li', { class: 'desk-small' },
    h('strong', {}, LABELS.evidence[e.type] || 'Verbal reassurance (not enough to close)'), ` – ${e.location}`,
    h('span', { class: 'meta' }, ` ${day(e.evidence_date)} · checked by ${nameOf(names, e.checked_by)}`))));
}

function challengeList(state) {
  if (!state.challenges.length) return h('p', {}, 'No challenge is waiting for an answer.');
  return h('ul', { class: 'list' }, state.challenges.map((c) => h('li', { class: 'notice notice-bad' },
    `${c.by} challenged it on ${c.on}: “${c.reason}”. Not answered yet.`)));
}

function escalationLine(entry, names) {
  if (!entry.escalation_decision) {
    return h('p', { class: 'notice notice-bad' }, 'No escalation decision is recorded yet.');
  }
  return h('p', {}, h('strong', {}, DECISIONS[entry.escalation_decision] || entry.escalation_decision),
    ` – recorded by ${nameOf(names, entry.escalation_by)}, ${when(entry.escalation_at)}. Why: ${entry.escalation_reason}`);
}

/** A safeguarding concern's referral and CQC notification, each made, not needed, or missing. */
export function followThroughLines(entry) {
  const said = (madeOn, notNeeded, what) => (madeOn ? `${what}: made on ${day(madeOn)}.`
    : notNeeded ? `${what}: not needed – ${notNeeded}` : `${what}: not recorded yet.`);
  return h('ul', { class: 'list desk-follow-through' },
    h('li', {}, said(entry.referral_made_on, entry.referral_not_needed, 'Local-authority safeguarding referral')),
    h('li', {}, said(entry.cqc_notified_on, entry.cqc_not_needed, 'CQC notification')));
}

function part(title, ...body) {
  return [h('dt', {}, title), h('dd', {}, ...body)];
}

/**
 * The panel that replaces the status actions while an entry waits for sign-off: what the
 * signer checks, why a sign-off would be refused now, and the Sign off and Challenge buttons
 * the server allows. `act(action, card, message)` sends one.
 */
export function signOffPanel(entry, names, state, act) {
  const allowed = new Set(entry.transitions || []);
  const message = alertBox('desk-refusal');
  const refused = state.refusals.length > 0;
  const reasons = refused
    ? h('div', { class: 'notice notice-bad desk-sign-off-refusals' },
      h('p', {}, h('strong', {}, allowed.has('sign_off') ? 'You cannot sign this off yet:' : 'This cannot be signed off yet:')),
      h('ul', {}, state.refusals.map((r) => h('li', {}, r.message))))
    : allowed.has('sign_off') ? h('p', { class: 'notice notice-ok' }, 'Everything a sign-off needs is recorded.') : null;
  const buttons = [];
  if (allowed.has('sign_off')) {
    buttons.push(h('button', { type: 'button', class: 'btn btn-primary', 'data-action': 'sign_off', disabled: refused,
      'aria-describedby': 'sign-off-hint', onclick: () => act('sign_off', card, message) }, 'Sign off'));
  }
  if (allowed.has('challenge')) {
    buttons.push(h('button', { type: 'button', class: 'btn btn-secondary', 'data-action': 'challenge',
      onclick: () => act('challenge', card, message) }, 'Challenge'));
  }
  const card = h('section', { class: 'card desk-actions desk-sign-off', 'aria-labelledby': 'actions-title' },
    h('h2', { id: 'actions-title' }, 'Status: ', LABELS.status[entry.status]),
    h('p', {}, 'Signed off by a nominated individual or provider quality lead who neither marked it done nor checked it.'),
    reasons,
    h('dl', { class: 'desk-sign-off-facts' },
      part('Evidence', evidenceList(entry, names)),
      part('Challenges', challengeList(state)),
      part('Escalation', escalationLine(entry, names)),
      state.safeguarding ? part('Safeguarding', followThroughLines(entry)) : null),
    allowed.has('challenge') ? field({ name: 'reason', label: 'Reason for a challenge', type: 'textarea', rows: 2,
      hint: 'Needed to challenge: say what must change before this can be signed off. It goes back to the owner.' }) : null,
    buttons.length ? h('div', { class: 'button-row' }, buttons) : h('p', {}, 'Waiting for the nominated individual or provider quality lead to sign it off or challenge it.'),
    allowed.has('sign_off') ? h('p', { class: 'hint', id: 'sign-off-hint' },
      'Signing off records you as the second check on the evidence and closes the entry. The button works once nothing is missing.') : null,
    message);
  return card;
}

/** The escalation form's safeguarding part: each step's day, or why it was not needed. */
export function followThroughFields() {
  return h('fieldset', { class: 'field desk-follow-through-fields' },
    h('legend', {}, 'Safeguarding follow-through'),
    h('p', { class: 'hint' }, 'This entry came from a possible safeguarding concern. For each, give the day it was made, or say why it was not needed.'),
    h('div', { class: 'desk-two' },
      field({ name: 'referral_made_on', label: 'Local-authority referral made on', type: 'date' }),
      field({ name: 'referral_not_needed', label: 'Or why no referral was needed', type: 'textarea', rows: 2 })),
    h('div', { class: 'desk-two' },
      field({ name: 'cqc_notified_on', label: 'CQC notified on', type: 'date' }),
      field({ name: 'cqc_not_needed', label: 'Or why no CQC notification was needed', type: 'textarea', rows: 2 })));
}

export const FOLLOW_THROUGH = ['referral_made_on', 'referral_not_needed', 'cqc_notified_on', 'cqc_not_needed'];
export const FOLLOW_THROUGH_LABELS = {
  referral_made_on: 'Local-authority referral made on', referral_not_needed: 'Why no referral was needed',
  cqc_notified_on: 'CQC notified on', cqc_not_needed: 'Why no CQC notification was needed',
};
