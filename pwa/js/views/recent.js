// What I recorded recently on this tablet, and whether it has reached the office.
import * as db from '../db.js';
import { LABELS, h, show, when } from '../ui.js';

function badge(f) {
  if (f.rejected) return h('span', { class: 'badge badge-bad' }, 'Not accepted – tap the status bar to see why');
  if (f.pending) return h('span', { class: 'badge badge-waiting' }, 'Waiting to send');
  return h('span', { class: 'badge badge-sent' }, 'Sent to the office');
}

export async function render(user) {
  const findings = (await db.listRecords(user.id, 'finding'))
    .filter((f) => f.recorded_by === user.id)
    .sort((a, b) => String(b.recorded_at).localeCompare(String(a.recorded_at)));
  show(h('h1', {}, 'What I recorded'),
    findings.length ? h('ul', { class: 'list', 'aria-label': 'Recorded findings' }, findings.map((f) => h('li', { class: 'card finding' },
      h('h2', {}, `${LABELS.kind[f.kind] || f.kind} – ${f.area}`),
      h('p', {}, f.description),
      h('p', { class: 'meta' }, `${when(f.recorded_at)} · ${LABELS.risk[f.risk] || ''} risk${f.follow_up_needed ? ' · follow-up needed' : ''}`),
      badge(f))))
      : h('p', { class: 'notice' }, 'Nothing recorded on this tablet yet.'));
}
