// Who is recording on this tablet right now, and what the server says they may do.
// Everyone who has signed in here has a copy of /me on their `users` record (db.js), so that
// the "Who is recording?" screen can list them and a PIN unlocks one of them offline. The
// server's session cookie is the authority; these copies let capture go on offline, and
// after the session has expired. What a person may do comes from the server (/me and each
// pull page: docs/api.md, docs/sync-protocol.md) and is kept with them, so that a restarted
// tablet without signal still shows the right screens. The app holds no role list.
//
// A new page (a restart, a new tab) opens locked: nobody is recording until a PIN or a
// password says who. Only a reload of the same tab within the idle time keeps the person,
// through a note in sessionStorage (the tab's own, gone when the browser closes).
import * as db from './db.js';

const UNLOCKED = 'careloop-unlocked';
export const DEFAULT_LOCK_MINUTES = 5;

let user = null;
const listeners = new Set();

export function current() { return user; }

function notify() { for (const fn of listeners) fn(user); }

/** Minutes without a touch after which the tablet locks (the provider's setting in /me). */
export function lockMinutes(u = user) {
  return Number(u?.tablet_lock_minutes) || DEFAULT_LOCK_MINUTES;
}

/** Note that the person is still here (a reload within the idle time keeps them). */
export function touch() {
  if (user) sessionStorage.setItem(UNLOCKED, JSON.stringify({ userId: user.id, at: Date.now() }));
}

/** The person this tab had unlocked, if it was reloaded within their idle time; else nobody. */
export async function load() {
  user = null;
  let note = null;
  try { note = JSON.parse(sessionStorage.getItem(UNLOCKED) || 'null'); } catch { /* none */ }
  const me = note ? (await db.getUser(note.userId))?.me : null;
  if (me && Date.now() - note.at < lockMinutes(me) * 60_000) {
    user = me;
    touch();
  } else {
    sessionStorage.removeItem(UNLOCKED);
  }
  return user;
}

/** A full sign-in (or a fresh /me): keep their copy and make them the one recording. */
export async function setCurrent(me) {
  const { csrf_token: _ignored, ...kept } = me;
  user = kept;
  await db.updateUser(kept.id, { displayName: kept.display_name, me: kept });
  touch();
  notify();
  return user;
}

/** A right PIN: the person recording is ``userId``, from their copy kept on this tablet. */
export async function unlock(userId) {
  const me = (await db.getUser(userId))?.me;
  if (!me) throw new Error('This person has not signed in on this tablet.');
  user = me;
  touch();
  notify();
  return user;
}

/** Keep the permissions a pull page carried (they change when a manager changes roles). */
export async function setPermissions(userId, permissions) {
  if (!permissions) return;
  if (!user || user.id !== userId) {
    // Someone else's queue synced while the tablet is locked or theirs: keep theirs current.
    const stored = await db.getUser(userId);
    if (stored?.me && JSON.stringify(stored.me.permissions) !== JSON.stringify(permissions)) {
      await db.updateUser(userId, { me: { ...stored.me, permissions } });
    }
    return;
  }
  if (JSON.stringify(user.permissions) === JSON.stringify(permissions)) return;
  await setCurrent({ ...user, permissions });
}

/** Call ``fn(user)`` whenever the person recording or their permissions change. */
export function onChange(fn) { listeners.add(fn); }

/** Lock: nobody is recording (their copy, queue and PIN stay on the tablet). */
export async function clear() {
  user = null;
  sessionStorage.removeItem(UNLOCKED);
  notify();
}

/** Everyone who has signed in on this tablet and not signed out of it, by name. */
export async function known() {
  const all = await (await db.getDB()).getAll('users');
  return all.filter((u) => u.me)
    .map((u) => ({ id: u.id, name: u.me.display_name, email: u.me.email, pin: Boolean(u.pin && !u.pin.disabled) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Forget this person's copy of /me: they no longer appear on "Who is recording?". */
export async function forget(userId) {
  const stored = await db.getUser(userId);
  if (stored?.me) await db.updateUser(userId, { me: null });
  if (user?.id === userId) await clear();
}

function permissions(u) {
  return u?.permissions || { provider: [], services: {} };
}

/** Has the server told this tablet what ``u`` may do? (A copy stored by an older release
 * has not, until the next /me or pull.) */
export function told(u = user) { return Boolean(u?.permissions); }

/** May ``u`` do ``action`` in the service ``serviceId``? */
export function may(action, serviceId, u = user) {
  return (permissions(u).services[String(serviceId)] || []).includes(action);
}

/** Does a provider-wide role let ``u`` do ``action`` (everywhere, and provider settings)? */
export function mayEverywhere(action, u = user) {
  return permissions(u).provider.includes(action);
}

/** May ``u`` do ``action`` in at least one service? */
export function mayAnywhere(action, u = user) {
  return mayEverywhere(action, u) || Object.values(permissions(u).services).some((a) => a.includes(action));
}

export function canCapture(u = user) {
  // Until the server has said, offer capture: it is what the floor needs offline.
  return told(u) ? mayAnywhere('finding.create', u) : Boolean(u?.memberships?.length);
}

export function isDesk(u = user) {
  return mayAnywhere('finding.read_all', u);
}

/** Every role the server names, in its order: [{ role, label, provider_wide }]. */
export function roleCatalogue(u = user) { return u?.roles || []; }

/** A role's name in words, as the server gives it. */
export function roleLabel(role, u = user) {
  return roleCatalogue(u).find((r) => r.role === role)?.label || role;
}
