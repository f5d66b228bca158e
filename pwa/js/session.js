// Who is using the app on this device right now. The server's session cookie is the
// authority; this copy lets capture go on offline, and after the session has expired.
import * as db from './db.js';

export const FLOOR_ROLES = ['care_worker', 'senior_carer', 'key_worker'];
export const MANAGER_ROLES = ['duty_manager', 'deputy_manager', 'registered_manager', 'care_coordinator'];
export const PROVIDER_ROLES = ['nominated_individual', 'provider_quality_lead', 'provider_admin'];

let user = null;

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
  return user;
}

export async function clear() {
  user = null;
  await db.deleteMeta('currentUser');
}

export function roles(u = user) {
  return new Set((u?.memberships || []).map((m) => m.role));
}

export function canCapture(u = user) {
  return [...roles(u)].some((r) => r !== 'provider_admin');
}

export function isDesk(u = user) {
  return [...roles(u)].some((r) => MANAGER_ROLES.includes(r) || PROVIDER_ROLES.includes(r));
}
