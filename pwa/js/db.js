// Local data in IndexedDB through idb. Every record is kept per user, so that on a shared
// tablet one user's work is never shown to the next.
import { openDB } from '../vendor/idb/index.js';

export const DB_NAME = 'careloop';
export const DB_VERSION = 2;

let dbPromise = null;

// Upgrades are keyed on oldVersion: each step runs once, in order, for any older database.
function upgrade(db, oldVersion, _newVersion, tx) {
  if (oldVersion < 1) {
    db.createObjectStore('meta');                                  // installation id, whose server session this is
    db.createObjectStore('users', { keyPath: 'id' });               // per person: /me copy, PIN hash, device id, credential, seq, cursor
    const outbox = db.createObjectStore('outbox', { keyPath: 'key', autoIncrement: true });
    outbox.createIndex('byUser', 'userId');
    const records = db.createObjectStore('records', { keyPath: ['userId', 'entityType', 'id'] });
    records.createIndex('byUserType', ['userId', 'entityType']);
    db.createObjectStore('drafts', { keyPath: ['userId', 'form'] });
    db.createObjectStore('services', { keyPath: ['userId', 'id'] });
    const attention = db.createObjectStore('attention', { keyPath: ['userId', 'mutationId'] });
    attention.createIndex('byUser', 'userId');
  }
  if (oldVersion >= 1 && oldVersion < 2) keepSignedInCopy(tx);
}

// 2: each person's copy of /me lives on their own `users` record (`me`), so that the
// "Who is recording?" screen can list them and a PIN unlocks one of them offline. The
// single "current user" of release 1 moves there; nobody is unlocked after the upgrade.
function keepSignedInCopy(tx) {
  const meta = tx.objectStore('meta');
  const users = tx.objectStore('users');
  meta.get('currentUser').then(async (me) => {
    if (!me) return;
    const stored = (await users.get(me.id)) || { id: me.id, seq: 0, cursor: 0 };
    await users.put({ ...stored, displayName: me.display_name, me });
    await meta.put(me.id, 'serverSessionOf'); // their cookie may still be alive
    await meta.delete('currentUser');
  });
}

export function getDB() {
  if (!dbPromise) {
    dbPromise = openDB(DB_NAME, DB_VERSION, {
      upgrade,
      // Another tab opened a newer schema: let it, and reload onto the new app shell.
      blocking() { dbPromise?.then((db) => db.close()); dbPromise = null; },
    });
  }
  return dbPromise;
}

export async function getMeta(key) {
  return (await getDB()).get('meta', key);
}

export async function setMeta(key, value) {
  return (await getDB()).put('meta', value, key);
}

export async function deleteMeta(key) {
  return (await getDB()).delete('meta', key);
}

/** The installation id: one per browser profile, made once, never sent to another origin. */
export async function installationId() {
  let id = await getMeta('installationId');
  if (!id) {
    id = uuid();
    await setMeta('installationId', id);
  }
  return id;
}

export async function getUser(userId) {
  return (await getDB()).get('users', userId);
}

/** Everyone who has used this tablet (their device binding, credential, sync cursor). */
export async function listUsers() {
  return (await getDB()).getAll('users');
}

export async function putUser(user) {
  return (await getDB()).put('users', user);
}

/** Merge ``changes`` into the stored user (creating it), in one transaction. */
export async function updateUser(userId, changes) {
  const db = await getDB();
  const tx = db.transaction('users', 'readwrite');
  const current = (await tx.store.get(userId)) || { id: userId, seq: 0, cursor: 0 };
  const next = { ...current, ...changes };
  await tx.store.put(next);
  await tx.done;
  return next;
}

export async function listRecords(userId, entityType) {
  const db = await getDB();
  return db.getAllFromIndex('records', 'byUserType', [userId, entityType]);
}

export async function getRecord(userId, entityType, id) {
  return (await getDB()).get('records', [userId, entityType, id]);
}

export async function listServices(userId) {
  const db = await getDB();
  const all = await db.getAll('services');
  return all.filter((s) => s.userId === userId);
}

export async function putService(userId, service) {
  return (await getDB()).put('services', { ...service, userId });
}

export async function getDraft(userId, form) {
  const draft = await (await getDB()).get('drafts', [userId, form]);
  return draft ? draft.values : null;
}

export async function saveDraft(userId, form, values) {
  return (await getDB()).put('drafts', { userId, form, values, savedAt: new Date().toISOString() });
}

export async function clearDraft(userId, form) {
  return (await getDB()).delete('drafts', [userId, form]);
}

export async function listAttention(userId) {
  return (await getDB()).getAllFromIndex('attention', 'byUser', userId);
}

export async function dismissAttention(userId, mutationId) {
  return (await getDB()).delete('attention', [userId, mutationId]);
}

/** A random UUID (v4), also where crypto.randomUUID is missing. */
export function uuid() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
