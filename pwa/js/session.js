// Who is using the app on this device right now, and what the server says they may do.
// The server's session cookie is the authority; this copy lets capture go on offline, and
// after the session has expired. What a person may do comes from the server (/me and each
// pull page: docs/api.md, docs/sync-protocol.md) and is kept here with them, so that a
// restarted tablet without signal still shows the right screens. The app holds no role
// list of its own; the server checks every write.
import * as db from './db.js';

let user = null;
const listeners = new Set();

export function current() { return user; }

export async function load() {
  user = (await db.getMeta('currentUser')) || null;
  return user;
}

export async function setCurrent(me) {
  const { csrf_token: _ignored, ...kept } = me;
  user = kept;
  await db.setMeta('currentUser', kept);
  await db.updateUser(kept.id, { displayName: kept.display_name });
  for (const fn of listeners) fn(user);
  return user;
}

/** Keep the permissions a pull page carried (they change when a manager changes roles). */
export async function setPermissions(userId, permissions) {
  if (!user || user.id !== userId || !permissions) return;
  if (JSON.stringify(user.permissions) === JSON.stringify(permissions)) return;
  await setCurrent({ ...user, permissions });
}

/** Call ``fn(user)`` whenever the signed-in user or their permissions change. */
export function onChange(fn) { listeners.add(fn); }

export async function clear() {
  user = null;
  await db.deleteMeta('currentUser');
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
