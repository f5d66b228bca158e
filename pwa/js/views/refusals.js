// What the office refused, and what the person can do about it: each refused change is told
// in plain words, reopens in its form with the office's message beside the field (sent again,
// it is the same record: a new mutation for the same id), or is discarded after a
// confirmation, and a note of it is kept on the tablet.
import * as db from '../db.js';
import * as outbox from '../outbox.js';
import * as sync from '../sync.js';
import * as validation from '../validation.js';
import { h, show, showErrors, when } from '../ui.js';

/** Whether a refused change can be reopened in its form. */
function fixable(m) {
  return (m.entity_type === 'finding' && m.op === 'create')
    || (['note', 'evidence'].includes(m.entity_type) && m.op === 'append');
}

/** Why it was refused, in plain words: no field names. */
function why(item) {
  const fields = Object.entries(validation.plain(item.result?.fields));
  if (fields.length <= 1) {
    return [h('p', {}, `Reason: ${fields[0]?.[1] || item.result?.reason || 'not given'}`),
      fields.length ? h('p', { class: 'meta' }, `To change: ${validation.label(fields[0][0])}`) : null];
  }
  return [h('p', {}, 'Reasons:'),
    h('ul', {}, fields.map(([f, text]) => h('li', {}, `${validation.label(f)}: ${text}`)))];
}

/** "Discard…", which asks first; ``after`` runs once the item is discarded. */
export function discardButton(user, item, after) {
  const box = h('div', { class: 'discard' });
  const ask = h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => {
    const yes = h('button', { type: 'button', class: 'btn btn-danger', onclick: async () => {
      await outbox.discardRejected(user.id, item.key, describe(item.mutation));
      await sync.refreshCounts();
      after();
    } }, 'Yes, discard it');
    box.replaceChildren(
      h('p', { role: 'alert' }, h('strong', {}, 'Discard this for good? '),
        'The office has not got it and will not get it. A note that you discarded it stays on this tablet.'),
      h('div', { class: 'button-row' }, yes,
        h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { box.replaceChildren(ask); ask.focus(); } },
          'No, keep it')));
    yes.focus();
  } }, 'Discard…');
  box.append(ask);
  return box;
}

function closeDialog(event) {
  event.target.closest('dialog')?.close();
}

/** The status dialog's part for the refused items of ``user``; ``redraw`` after a change. */
export function section(user, rejected, redraw) {
  const discarded = h('div', {});
  discardedList(user).then((nodes) => discarded.replaceChildren(...nodes));
  if (!rejected.length) return [discarded];
  return [h('h3', {}, 'Not accepted by the office'),
    h('p', {}, 'The office refused these. Fix each one and send it again, or discard it.'),
    h('ul', { class: 'list' }, rejected.map((item) => h('li', { class: 'card rejected' },
      h('p', {}, h('strong', {}, describe(item.mutation))),
      why(item),
      h('div', { class: 'button-row' },
        fixable(item.mutation)
          ? h('a', { class: 'btn btn-primary', href: `#/refused/${item.key}`, onclick: closeDialog }, 'Fix and send again')
          : null,
        discardButton(user, item, redraw))))),
    discarded];
}

async function discardedList(user) {
  const gone = (await db.listAttention(user.id)).filter((a) => a.kind === 'discarded')
    .sort((a, b) => String(b.at).localeCompare(String(a.at)));
  if (!gone.length) return [];
  return [h('h3', {}, 'Discarded on this tablet'),
    h('ul', { class: 'list' }, gone.slice(0, 20).map((a) => h('li', { class: 'meta' },
      `${a.summary} – discarded ${when(a.at)}`)))];
}

/** One line saying what a queued change is. */
export function describe(m) {
  const c = m.changes || {};
  if (m.entity_type === 'finding') return `Finding in ${c.area || 'an area'}: ${(c.description || '').slice(0, 80)}`;
  if (m.entity_type === 'note') return `Note: ${(c.body || '').slice(0, 80)}`;
  if (m.entity_type === 'evidence') return `Evidence: ${c.location || ''}`;
  if (m.op === 'transition') return `Action marked "${(m.transition?.action || '').replace('_', ' ')}"`;
  return `${m.entity_type} ${m.op}`;
}

/**
 * What a reopened form needs: the refused item, its messages by field in plain words, and
 * ``show(form, names)``, which puts each message beside its field (``names`` maps a record
 * field to the form's field where they differ) and the rest, named in plain words, on top.
 */
function refusal(item) {
  const fields = validation.plain(item.result?.fields);
  return {
    item,
    entityId: item.mutation.entity_id,
    changes: item.mutation.changes || {},
    show(form, names = {}) {
      const errors = {};
      for (const [f, text] of Object.entries(fields)) {
        const name = names[f] || f;
        if (form.querySelector(`[data-field="${name}"]`)) errors[name] = text;
        else errors[`record:${f}`] = `${validation.label(f)}: ${text}`;
      }
      if (!Object.keys(errors).length) errors['record:'] = item.result?.reason || 'The office did not say why.';
      showErrors(form, errors);
    },
    notice(user) {
      return h('div', { class: 'notice notice-warn' },
        h('h2', {}, 'The office did not accept this'),
        h('p', {}, 'What to change is marked below. Fix it and send it again: it stays the same record.'),
        discardButton(user, item, () => { location.hash = '#/recent'; }));
    },
  };
}

/** ``#/refused/<key>``: the refused change reopened in its form, or told with a way to discard it. */
export async function render(user, key) {
  const item = await outbox.getRejected(user.id, Number(key));
  if (!item) {
    show(h('h1', {}, 'Nothing to fix here'),
      h('p', {}, 'This has already been sent again or discarded.'),
      h('p', {}, h('a', { href: '#/recent' }, 'See what I recorded')));
    return undefined;
  }
  const m = item.mutation;
  if (m.entity_type === 'finding' && m.op === 'create') {
    if (m.changes?.kind === 'feedback') return (await import('./feedback.js')).renderFeedback(user, refusal(item));
    const capture = await import('./capture.js');
    return capture.renderFinding(user, m.changes?.kind === 'visibility_check' ? 'visibility' : 'finding', refusal(item));
  }
  if (fixable(m)) {
    const actions = await import('./actions.js');
    return actions.renderRefused(user, refusal(item));
  }
  show(h('h1', {}, 'Not accepted by the office'),
    h('p', {}, h('strong', {}, describe(m))), why(item),
    h('p', {}, 'This change cannot be made as it was. Discard it, then do it again if it is still needed.'),
    discardButton(user, item, () => { location.hash = '#/recent'; }));
  return undefined;
}
