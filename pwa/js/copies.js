// This tablet's copies of server records, per user: a pull page applied in one transaction,
// records outside the user's scope dropped, records aged out of the pull's time windows
// pruned, a fresh start after `resync`, and the copies cleared when the user leaves the tablet. Local work not yet sent (pending records and the
// outbox) is never dropped here.
import { getDB } from './db.js';
import { WAITING } from './outbox.js';
import { may } from './session.js';

// Record types that carry their service; notes and evidence hang off a log entry.
const SERVICE_TYPES = ['finding', 'walkaround', 'log_entry', 'conflict'];
const ENTRY_TYPES = ['note', 'evidence'];
const DAY_MS = 86_400_000;

async function waitingIds(tx, userId) {
  const items = await tx.objectStore('outbox').index('byUser').getAll(userId);
  return new Set(items.filter((i) => i.state === WAITING).map((i) => String(i.mutation.entity_id)));
}

async function userRecords(tx, userId) {
  const all = await tx.objectStore('records').getAll(
    IDBKeyRange.bound([userId], [userId, []]));
  return all;
}

/** Apply one pull page: changes in order, tombstones, the scope, then the cursor. */
export async function applyPage(userId, body) {
  const db = await getDB();
  const tx = db.transaction(['records', 'users', 'outbox', 'services'], 'readwrite');
  const records = tx.objectStore('records');
  const sending = await waitingIds(tx, userId);
  for (const change of body.changes || []) {
    const key = [userId, change.entity_type, String(change.id)];
    if (change.deleted || !change.record) {
      await records.delete(key);
    } else if (!sending.has(String(change.id))) {
      // A record with a change still waiting keeps its local copy: the user's own edit
      // stays on screen until the server has answered it.
      await records.put({ ...change.record, id: String(change.id), entityType: change.entity_type,
        userId, version: change.version, pending: false });
    }
  }
  await applyStories(records, userId, body.stories);
  if (body.scope && Array.isArray(body.scope.service_ids)) {
    await dropOutOfScope(tx, userId, new Set(body.scope.service_ids.map(String)));
  }
  const users = tx.objectStore('users');
  const stored = (await users.get(userId)) || { id: userId, seq: 0 };
  await users.put({ ...stored, cursor: body.next_cursor ?? stored.cursor ?? 0,
    linkedEntryIds: linkedEntries(userId, stored, body.changes || []) });
  await tx.done;
}

// What became of the user's own findings (docs/sync-protocol.md §7.2): kept on the finding's
// copy as `story`, after the page's changes (a finding's new copy arrives without one).
async function applyStories(records, userId, stories) {
  for (const story of stories || []) {
    const key = [userId, 'finding', String(story.finding_id)];
    const finding = await records.get(key);
    if (finding) await records.put({ ...finding, story: { outcome: story.outcome, entry: story.entry } });
  }
}

// Entries linked to this user's findings stay in their scope for good, even after the
// findings themselves have aged off the tablet: remember the links as they arrive.
function linkedEntries(userId, stored, changes) {
  const ids = new Set(stored.linkedEntryIds || []);
  for (const c of changes) {
    const r = c.record;
    if (c.entity_type === 'finding' && r && r.recorded_by === userId && r.log_entry_id) ids.add(String(r.log_entry_id));
  }
  return [...ids];
}

/** Ids of records the user's outbox (waiting or refused) touches, and the entries its notes hang off. */
async function unsentIds(tx, userId) {
  const ids = new Set();
  for (const item of await tx.objectStore('outbox').index('byUser').getAll(userId)) {
    ids.add(String(item.mutation.entity_id));
    if (item.mutation.changes?.entry_id) ids.add(String(item.mutation.changes.entry_id));
  }
  return ids;
}

function olderThan(iso, limit) {
  const t = Date.parse(iso || '');
  return !Number.isNaN(t) && t < limit;
}

/** Whether ``entry`` is held for this user whatever its age (docs/sync-protocol.md §7). */
function heldForGood(user, entry, linked) {
  if (String(entry.owner_id) === String(user.id) || linked.has(String(entry.id))) return true;
  if (entry.status === 'closed') return false;
  // Whoever sees every finding of the service (finding.read_all, as the server said) also
  // holds its entries not yet closed.
  return may('finding.read_all', entry.service_id, user);
}

/**
 * Drop copies aged out of the pull's windows, which the server sends no tombstone for:
 * findings and walkarounds received more than ``own_days`` ago, and entries not held for
 * good unchanged for ``service_entry_days``, with their notes and evidence. ``now`` is the
 * server's time; without it nothing is dropped. Unsent work and the outbox are never touched.
 */
export async function prune(user, now, scope = {}) {
  if (!now) return;
  const ownSince = now - (scope?.own_days ?? 28) * DAY_MS;
  const entrySince = now - (scope?.service_entry_days ?? 14) * DAY_MS;
  const db = await getDB();
  const tx = db.transaction(['records', 'users', 'outbox'], 'readwrite');
  const records = tx.objectStore('records');
  const unsent = await unsentIds(tx, user.id);
  const linked = new Set(((await tx.objectStore('users').get(user.id)) || {}).linkedEntryIds || []);
  const mayDrop = (r) => !r.pending && !r.rejected && !unsent.has(String(r.id));
  const all = await userRecords(tx, user.id);
  for (const r of all) if (r.entityType === 'finding' && r.recorded_by === user.id && r.log_entry_id) linked.add(String(r.log_entry_id));
  const dropped = new Set();
  for (const r of all) {
    const aged = ['finding', 'walkaround'].includes(r.entityType) ? olderThan(r.received_at, ownSince)
      : r.entityType === 'log_entry' && !heldForGood(user, r, linked) && olderThan(r.updated_at, entrySince);
    if (aged && mayDrop(r)) {
      await records.delete([user.id, r.entityType, r.id]);
      if (r.entityType === 'log_entry') dropped.add(String(r.id));
    }
  }
  for (const r of all) {
    if (ENTRY_TYPES.includes(r.entityType) && dropped.has(String(r.entry_id)) && mayDrop(r)) {
      await records.delete([user.id, r.entityType, r.id]);
    }
  }
  await tx.done;
}

/** Drop what this user may no longer hold: other services' records, and orphaned notes. */
async function dropOutOfScope(tx, userId, serviceIds) {
  const records = tx.objectStore('records');
  const all = await userRecords(tx, userId);
  const entries = new Set();
  for (const r of all) {
    if (!SERVICE_TYPES.includes(r.entityType)) continue;
    if (r.pending || !r.service_id || serviceIds.has(String(r.service_id))) {
      if (r.entityType === 'log_entry') entries.add(String(r.id));
    } else {
      await records.delete([userId, r.entityType, r.id]);
    }
  }
  for (const r of all) {
    if (ENTRY_TYPES.includes(r.entityType) && !r.pending && !entries.has(String(r.entry_id))) {
      await records.delete([userId, r.entityType, r.id]);
    }
  }
  const services = tx.objectStore('services');
  for (const s of await services.getAll()) {
    if (s.userId === userId && !serviceIds.has(String(s.id))) await services.delete([userId, s.id]);
  }
}

/**
 * Forget the copies (never the outbox, nor records with unsent changes) and set the cursor
 * to 0: after a `resync` answer, and when the user leaves a shared tablet.
 */
export async function reset(userId) {
  const db = await getDB();
  const tx = db.transaction(['records', 'users', 'outbox'], 'readwrite');
  const sending = await waitingIds(tx, userId);
  for (const r of await userRecords(tx, userId)) {
    if (!r.pending && !r.rejected && !sending.has(String(r.id))) {
      await tx.objectStore('records').delete([userId, r.entityType, r.id]);
    }
  }
  const users = tx.objectStore('users');
  const stored = (await users.get(userId)) || { id: userId, seq: 0 };
  await users.put({ ...stored, cursor: 0 });
  await tx.done;
}
