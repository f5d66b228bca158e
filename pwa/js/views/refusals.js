// What the office refused: each refused change, why, and what the person can do about it.
import * as outbox from '../outbox.js';
import * as sync from '../sync.js';
import { h } from '../ui.js';

/** The status dialog's part for the refused items of ``user``; ``redraw`` after a change. */
export function section(user, rejected, redraw) {
  if (!rejected.length) return [];
  return [h('h3', {}, 'Not accepted by the office'),
    h('p', {}, 'These were refused. Read why, record them again correctly if needed, then remove them.'),
    h('ul', { class: 'list' }, rejected.map((item) => h('li', { class: 'card rejected' },
      h('p', {}, h('strong', {}, describe(item.mutation))),
      h('p', {}, `Reason: ${item.result?.reason || 'not given'}`),
      Object.entries(item.result?.fields || {}).map(([f, why]) => h('p', { class: 'meta' }, `${f}: ${why}`)),
      h('button', { type: 'button', class: 'btn btn-danger', onclick: async () => {
        await outbox.dismissRejected(user.id, item.key); await sync.refreshCounts(); redraw();
      } }, 'I have read this – remove it'))))];
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
