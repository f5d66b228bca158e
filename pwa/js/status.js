// The status strip (always in view) and the dialog that explains what to do.
import * as db from './db.js';
import * as outbox from './outbox.js';
import * as session from './session.js';
import * as sync from './sync.js';
import * as refusals from './views/refusals.js';
import { h, when } from './ui.js';

function summary(s) {
  const parts = [s.online ? 'Online' : 'Offline'];
  parts.push(s.waiting === 0 ? 'nothing waiting' : `${s.waiting} waiting to send`);
  parts.push(`last synced ${when(s.lastSyncedAt)}`);
  const attention = s.rejected + s.conflicts;
  if (attention) parts.push(`${attention} need${attention === 1 ? 's' : ''} attention`);
  if (s.problem) parts.push('not sent – tap to see why');
  if (s.persistent === false) parts.push('storage not guaranteed');
  if (s.syncing) parts.push('sending…');
  return parts.join(' · ');
}

export function wire({ onLoginAgain }) {
  const strip = document.getElementById('status-strip');
  const dialog = document.getElementById('status-dialog');
  const update = (s) => {
    const signedIn = Boolean(session.current());
    document.getElementById('status-text').textContent = signedIn ? summary(s)
      : (s.online ? 'Online · log in to start' : 'Offline · you need a connection to log in');
    const dot = document.getElementById('status-dot');
    dot.className = 'status-dot ' + (s.online ? 'online' : 'offline');
    strip.classList.toggle('attention', Boolean(s.rejected || s.conflicts || s.problem || s.persistent === false));
    if (dialog.open) fill(dialog, s, onLoginAgain);
  };
  sync.subscribe(update);
  update(sync.getState());
  strip.addEventListener('click', () => { fill(dialog, sync.getState(), onLoginAgain); dialog.showModal(); });
  document.getElementById('status-close').addEventListener('click', () => dialog.close());
  document.getElementById('sync-now').addEventListener('click', () => sync.syncNow());
}

async function fill(dialog, s, onLoginAgain) {
  const user = session.current();
  const box = document.getElementById('status-dialog-content');
  if (!user) {
    box.replaceChildren(h('p', {}, 'Log in while connected. After that, Careloop works without a connection.'));
    return;
  }
  const items = await outbox.listOutbox(user.id);
  const rejected = items.filter((i) => i.state === outbox.REJECTED);
  const attention = await db.listAttention(user.id);
  const parts = [
    h('p', {}, s.online
      ? 'This tablet is connected. Your work is sent to the office automatically.'
      : 'This tablet has no connection. Keep working: everything you save is kept here and sent when the connection comes back.'),
    h('p', {}, s.waiting ? `${s.waiting} item${s.waiting === 1 ? ' is' : 's are'} waiting to send.` : 'Nothing is waiting to send.',
      ` Last synced ${when(s.lastSyncedAt)}.`),
  ];
  if (s.problem) {
    parts.push(h('p', { class: 'notice notice-warn' }, s.problem.message));
    if (s.problem.code === 'unauthenticated') {
      parts.push(h('button', { type: 'button', class: 'btn btn-primary', onclick: () => { dialog.close(); onLoginAgain(); } }, 'Log in again'));
    }
  }
  if (s.persistent === false) {
    parts.push(h('p', { class: 'notice notice-warn' },
      'This browser may clear Careloop\'s saved data if the tablet runs short of space. ' +
      'Connect often so your work reaches the office, or install Careloop to the home screen.'));
  }
  parts.push(...refusals.section(user, rejected, () => fill(dialog, sync.getState(), onLoginAgain)));
  const conflicts = attention.filter((a) => a.kind === 'conflict');
  if (conflicts.length) {
    parts.push(h('h3', {}, 'Changes that clashed'),
      h('p', {}, 'Someone else changed the same thing at the same time. The office has both versions and a manager will decide. Nothing was lost.'),
      h('ul', { class: 'list' }, conflicts.map((c) => h('li', { class: 'card conflict' },
        h('p', {}, refusals.describe(c.mutation)),
        h('button', { type: 'button', class: 'btn btn-secondary', onclick: async () => {
          await db.dismissAttention(user.id, c.mutationId); await sync.refreshCounts(); fill(dialog, sync.getState(), onLoginAgain);
        } }, 'OK, hide this')))));
  }
  box.replaceChildren(...parts);
}
