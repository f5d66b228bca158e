// Each person's device credential (docs/security.md, "Device credentials"): a long-lived,
// sync-only token the server gives their device binding when they sign in on this tablet.
// It is kept with the person's record in the 'users' store, and sends their queued work
// after a restart, or while someone else is using the tablet, with no cookie. Each reply
// may carry the next token: it replaces the stored one at once. A refusal (revoked, expired)
// is recorded with the person, so the status strip can say why their work is stuck.
import * as api from './api.js';
import * as db from './db.js';

const FORGET_PATH = '/sync/credential?device_id=';

/** Keep a new credential for ``userId``'s binding ``deviceId`` (a fresh sign-in). */
export async function keep(userId, deviceId, credential) {
  return db.updateUser(userId, { deviceId, credential, credentialRefused: null });
}

/** Does ``stored`` (a 'users' record) hold a credential it can sync with? */
export function holds(stored) {
  return Boolean(stored?.credential && stored?.deviceId);
}

/**
 * Call the sync API as ``userId``: under their credential when they hold one, else with
 * the signed-in cookie (a binding from an older release, until its next sign-in).
 */
export async function call(userId, method, path, body = undefined) {
  const stored = await db.getUser(userId);
  if (!holds(stored)) return api.request(method, path, method === 'GET' ? undefined : body ?? {});
  try {
    const reply = await api.withCredential(stored.credential, method, path, body);
    if (reply.next) await db.updateUser(userId, { credential: reply.next });
    return reply.body;
  } catch (err) {
    if (err instanceof api.ApiError && err.code === 'credential_refused') await refused(userId, err);
    throw err;
  }
}

async function refused(userId, err) {
  const reason = err.body?.error?.reason || 'unknown';
  await db.updateUser(userId, {
    credential: null,
    credentialRefused: { reason, message: err.message, at: new Date().toISOString() },
  });
}

/** The people whose credential the server refused: [{userId, displayName, reason, message}]. */
export async function refusals() {
  return (await db.listUsers())
    .filter((u) => u.credentialRefused && !u.credential)
    .map((u) => ({ userId: u.id, displayName: u.displayName || '', ...u.credentialRefused }));
}

/**
 * Sign ``userId`` out of this tablet: their credential ends on the server and is dropped
 * here. Offline, it is dropped here at once and ended on the server at the next sync
 * (``revoked: false`` until then). Their queued work then waits for their next sign-in.
 */
export async function forgetUser(userId) {
  const stored = await db.getUser(userId);
  if (!holds(stored)) return { revoked: true };
  await db.updateUser(userId, { credential: null, revokeLater: stored.credential });
  return { revoked: await revokeLater(userId) };
}

/** End on the server a credential forgotten while offline; true once it has ended. */
export async function revokeLater(userId) {
  const stored = await db.getUser(userId);
  if (!stored?.revokeLater) return true;
  try {
    await api.withCredential(stored.revokeLater, 'DELETE', FORGET_PATH + encodeURIComponent(stored.deviceId));
  } catch (err) {
    if (err instanceof api.NetworkError) return false;
    // Refused: it had ended already. Anything else: the server will not take it; it ends
    // on its own after the provider's idle days.
  }
  await db.updateUser(userId, { revokeLater: null });
  return true;
}
