// The status strip (always in view) and the dialog that explains what to do.
import * as db from './db.js';
import * as outbox from './outbox.js';
import * as session from './session.js';
import * as sync from './sync.js';
import * as refusals from './views/refusals.js';
import { h, when } from './ui.js';

// What the strip means, one thing at a time:
//   green  everything is sent (or nothing was ever waiting);
//   amber  work is waiting on this tablet: how much, and since when;
//   red    work cannot be sent until someone acts: a banner names the one action.
// "Storage may be cleared" is not a warning here: it lives in the details dialog.

const SIGNED_OUT = ['unauthenticated', 'credential_expired', 'session_expired', 'credential_refused'];
const REVOKED = ['device_revoked', 'credential_revoked'];

function plural(n, word) { return `${n} ${word}${n === 1 ? '' : 's'}`; }

/** "just now", "5 minutes ago", "2 hours ago", "3 days ago". */
export function ago(iso, now = Date.now()) {
  if (!iso) return null;
  const minutes = Math.floor((now - new Date(iso).getTime()) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${plural(minutes, 'minute')} ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${plural(hours, 'hour')} ago`;
  return `${plural(Math.floor(hours / 24), 'day')} ago`;
}

// Whether the browser's quota for the app is (nearly) used up, checked at most once a minute.
let nearlyFull = false;
let checkedAt = 0;
async function checkQuota() {
  if (!navigator.storage?.estimate || Date.now() - checkedAt < 60_000) return;
  checkedAt = Date.now();
  const { usage = 0, quota = 0 } = await navigator.storage.estimate();
  nearlyFull = quota > 0 && usage / quota > 0.95;
}

function storageFull(s) {
  return Boolean(s.storageFull) || nearlyFull
    || /quota/i.test(`${s.problem?.code || ''} ${s.problem?.message || ''}`);
}

/** Why work cannot be sent, with the one action that fixes it; null when it can be. */
export function blocker(s) {
  const refused = s.credentialRefused;
  const code = String(s.problem?.code || refused?.code || refused?.reason || '');
  if (REVOKED.includes(code) || code.includes('revoked')) {
    return { text: 'This tablet has been switched off for your account, so your work cannot be sent. Nothing is lost.',
      action: 'What to do', does: 'details', short: 'ask your manager' };
  }
  if (refused || SIGNED_OUT.includes(code)) {
    return { text: 'Your sign-in on this tablet has ended, so your work cannot be sent. Nothing is lost.',
      action: 'Sign in again', does: 'login', short: 'sign in again' };
  }
  if (code === 'update_required') {
    return { text: 'This app must be updated before it can send your work. Nothing is lost.',
      action: 'Update now', does: 'reload', short: 'update the app' };
  }
  if (storageFull(s)) {
    return { text: 'This tablet\'s storage is full: new work may not be kept. Connect to send what is waiting, then free some space.',
      action: 'Send now', does: 'send', short: 'storage is full' };
  }
  if (s.rejected) {
    return { text: `${s.rejected === 1 ? '1 record was' : `${s.rejected} records were`} not accepted by the office. Fix ${s.rejected === 1 ? 'it' : 'them'} so nothing is lost.`,
      action: 'See what to fix', does: 'details', short: 'fix what was not accepted' };
  }
  return null;
}

/** green, amber or red, by the rules above. */
export function colour(s) {
  if (blocker(s)) return 'red';
  return s.waiting ? 'amber' : 'green';
}

export function summary(s, oldestAt) {
  const parts = [s.online ? 'Online' : 'Offline'];
  // What needs the person comes first; "nothing waiting" beside it would read as all clear.
  const attention = s.rejected + s.conflicts;
  if (attention) parts.push(`${attention} need${attention === 1 ? 's' : ''} attention`);
  if (s.waiting === 0) parts.push(attention ? 'nothing else waiting' : 'nothing waiting');
  else {
    const age = ago(oldestAt);
    parts.push(`${s.waiting} waiting to send` + (age ? `, oldest ${age}` : ''));
  }
  parts.push(`last synced ${when(s.lastSyncedAt)}`);
  const block = blocker(s);
  if (block && s.waiting) parts.push(`not sent: ${block.short}`);
  else if (s.syncing && s.waiting) parts.push('sending…');
  else if (s.waiting && s.problem) parts.push('will try again');
  return parts.join(' · ');
}

/** When the oldest unsent change was saved: from the sync state when it says, else the outbox. */
async function oldestWaiting(s) {
  if (!s.waiting) return null;
  if (s.oldestWaitingAt) return s.oldestWaitingAt;
  const user = session.current();
  if (!user) return null;
  const items = await outbox.waiting(user.id);
  return items.map((i) => i.queuedAt).filter(Boolean).sort()[0] || null;
}

/** The strip while nobody is recording: the tablet's unsent work, everyone's together. */
function nobodys(s) {
  const where = s.online ? 'Online' : 'Offline';
  if (s.waiting) return `${where} · ${s.waiting} waiting to send from this tablet`;
  return s.online ? 'Online · nothing waiting' : 'Offline · nothing waiting';
}

let askedToKeep = false;
/** Work is kept on the tablet: now is the time to ask the browser not to clear it. */
function keepWork(s) {
  if (askedToKeep || !s.waiting || s.persistent === true) return;
  askedToKeep = true;
  sync.requestPersistence().catch(() => {});
}

export function wire({ onLoginAgain }) {
  const strip = document.getElementById('status-strip');
  const dialog = document.getElementById('status-dialog');
  const banner = document.getElementById('status-banner');
  const openDetails = () => { fill(dialog, sync.getState(), onLoginAgain); dialog.showModal(); };
  const actions = {
    details: openDetails,
    login: () => onLoginAgain(),
    reload: () => window.location.reload(),
    send: () => sync.syncNow(),
  };
  let shown = 0;
  const update = async (s) => {
    const turn = ++shown;
    const signedIn = Boolean(session.current());
    const oldest = signedIn ? await oldestWaiting(s).catch(() => null) : null;
    if (signedIn) await checkQuota().catch(() => {});
    if (turn !== shown) return; // a newer state came in meanwhile
    document.getElementById('status-text').textContent = signedIn ? summary(s, oldest) : nobodys(s);
    const dot = document.getElementById('status-dot');
    dot.className = 'status-dot ' + (s.online ? 'online' : 'offline');
    const tone = signedIn ? colour(s) : (s.waiting ? 'amber' : null);
    strip.classList.remove('status-green', 'status-amber', 'status-red');
    if (tone) strip.classList.add(`status-${tone}`);
    strip.dataset.status = tone || '';
    const block = signedIn ? blocker(s) : null;
    banner.hidden = !block;
    if (block) {
      document.getElementById('status-banner-text').textContent = block.text;
      const button = document.getElementById('status-banner-action');
      button.textContent = block.action;
      button.dataset.does = block.does;
    }
    if (signedIn) keepWork(s);
    if (dialog.open) fill(dialog, s, onLoginAgain);
  };
  sync.subscribe(update);
  update(sync.getState());
  strip.addEventListener('click', openDetails);
  document.getElementById('status-banner-action').addEventListener('click', (event) => {
    actions[event.currentTarget.dataset.does]?.();
  });
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
      ? `This tablet is connected.${blocker(s) ? '' : ' Your work is sent to the office automatically.'}`
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
