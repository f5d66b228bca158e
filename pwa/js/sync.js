// The sync client: pushes this user's outbox oldest first and pulls changes from a cursor,
// speaking docs/sync-protocol.md. Each person's queue goes under their own device credential
// (credentials.js), so it is sent after a restart, and while someone else is signed in. Runs at start, on `online`, when the app becomes visible,
// on a timer while online, after each save, and on Background Sync where the browser has it.
import * as api from './api.js';
import * as copies from './copies.js';
import * as credentials from './credentials.js';
import * as db from './db.js';
import * as outbox from './outbox.js';
import * as session from './session.js';

export const PROTOCOL_VERSION = 1;
// What the stored copies carry: 2 since pulled entries say which status actions the user
// may take. Copies kept by an older release are pulled again from 0 (the outbox, drafts and
// unsent records untouched), so every entry gets them.
const COPIES_FORMAT = 2;
const PUSH_BATCH = 100;          // well under the server's limit of 500 mutations per push
const PULL_LIMIT = 200;
const TIMER_MS = 60_000;
const BACKOFF_MAX_MS = 5 * 60_000;

const state = {
  online: navigator.onLine,
  syncing: false,
  waiting: 0,
  rejected: 0,
  conflicts: 0,
  lastSyncedAt: null,
  problem: null,       // {code, message}: why the last sync did not finish
  persistent: null,    // true, false, or null when the browser cannot say
  // A person whose device credential the server refused (the current user's first), as
  // {userId, displayName, reason, message}; their work waits for their next sign-in.
  credentialRefused: null,
  refusedPeople: [],   // every such person
};
const listeners = new Set();
let currentUser = null;
let failures = 0;
let retryTimer = null;
let running = null;

export function getState() { return { ...state }; }
export function subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn); }

/** Call ``fn`` each time a sync ends: the office has answered, so a screen showing what
 * waits to send can bring itself up to date in place. */
export function onSyncEnd(fn) {
  let syncing = state.syncing;
  return subscribe((now) => {
    const ended = syncing && !now.syncing;
    syncing = now.syncing;
    if (ended) fn();
  });
}
function emit() { for (const fn of listeners) fn(getState()); }

export async function refreshCounts() {
  const refused = await credentials.refusals();
  const mine = refused.find((r) => r.userId === currentUser?.id);
  Object.assign(state, { refusedPeople: refused, credentialRefused: mine || refused[0] || null });
  if (!currentUser) {
    // Nobody is recording ("Who is recording?"): the strip counts everyone's unsent work,
    // which still goes, each under its own person's credential.
    const everyone = await Promise.all((await db.listUsers()).map((u) => outbox.counts(u.id)));
    const waiting = everyone.reduce((n, c) => n + c.waiting, 0);
    Object.assign(state, { waiting, rejected: 0, conflicts: 0, lastSyncedAt: null });
    emit();
    return;
  }
  const c = await outbox.counts(currentUser.id);
  const attention = await db.listAttention(currentUser.id);
  const stored = await db.getUser(currentUser.id);
  Object.assign(state, {
    waiting: c.waiting, rejected: c.rejected,
    conflicts: attention.filter((a) => a.kind === 'conflict').length,
    lastSyncedAt: stored?.lastSyncedAt || null,
  });
  emit();
}

/** Start syncing for ``user`` (null stops): wires the triggers once. */
export function start(user) {
  currentUser = user;
  failures = 0;
  state.problem = null;
  refreshCounts();
  syncSoon(0); // with nobody signed in, the others' queues still go
}

let wired = false;
export function wireTriggers() {
  if (wired) return;
  wired = true;
  window.addEventListener('online', () => { state.online = true; emit(); syncSoon(0); });
  window.addEventListener('offline', () => { state.online = false; emit(); });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') syncSoon(0);
  });
  setInterval(() => { if (navigator.onLine) syncSoon(0, true); }, TIMER_MS);
  navigator.serviceWorker?.addEventListener('message', (event) => {
    if (event.data && event.data.type === 'sync') syncSoon(0);
  });
}

/** Ask for a sync after ``delay`` ms (one at a time; later calls join the running one). */
export function syncSoon(delay = 0, background = false) {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => { syncNow(background).catch(() => {}); }, delay);
}

/** Called after each local save: sync now if online, else ask for Background Sync. */
export async function afterSave() {
  await refreshCounts();
  if (navigator.onLine) syncSoon(0);
  // Background Sync is a bonus (the triggers above cover every browser), and never waited
  // for: on a new tablet the service worker may still be installing, and offline it cannot
  // finish, so waiting for it held back the "Saved." the person is told.
  navigator.serviceWorker?.ready
    .then((reg) => ('sync' in reg ? reg.sync.register('careloop-outbox') : null))
    .catch(() => {});
}

/** Sync now; ``background``: the timer asked, not the person (see api.setBackground). */
export async function syncNow(background = false) {
  if (running) return running;
  api.setBackground(background);
  running = runOnce(currentUser).finally(() => { running = null; api.setBackground(false); });
  return running;
}

async function runOnce(user) {
  state.syncing = true; emit();
  try {
    if (user) await syncCurrent(user);
    await syncOthers(user);
    failures = 0;
    state.problem = null;
    state.online = true;
  } catch (err) {
    handleFailure(err);
  } finally {
    state.syncing = false;
    await refreshCounts();
  }
}

/** The person using the tablet: their services' lists, their queue, their copies. */
async function syncCurrent(user) {
  await withDevice(user, async () => {
    await refreshServices(user);
    await pushAll(user);
    await pullAll(user);
  });
  await db.updateUser(user.id, { lastSyncedAt: new Date().toISOString() });
}

/** Everyone else who left work on this tablet: each queue under its own credential. A
 * refused credential is recorded with its person (credentials.js); offline stops the run. */
async function syncOthers(current) {
  for (const stored of await db.listUsers()) {
    if (stored.revokeLater) await credentials.revokeLater(stored.id);
    if (stored.id === current?.id || !credentials.holds(stored)) continue;
    if (!(await outbox.waiting(stored.id)).length) continue;
    try {
      await pushAll(stored);
      await reportUnsent(stored);
      await db.updateUser(stored.id, { lastSyncedAt: new Date().toISOString() });
    } catch (err) {
      if (!(err instanceof api.ApiError)) throw err;
      // This person's refusal waits for them; the others' queues still go.
    }
  }
}

/** Run ``fn`` with this user's device binding; register again once if the server lost it. */
async function withDevice(user, fn) {
  await ensureDevice(user);
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof api.ApiError && err.code === 'device_not_registered')) throw err;
    // A server that no longer knows this binding (a restored database, a new server): bind
    // again and resend. Record ids are made on the tablet, so a create the server already
    // holds can never become a second record.
    await db.updateUser(user.id, { deviceId: null });
    await ensureDevice(user);
    await fn();
  }
}

function handleFailure(err) {
  if (err instanceof api.NetworkError) {
    state.online = false;
    state.problem = null;
  } else if (err instanceof api.ApiError) {
    state.online = true;
    state.problem = explain(err);
  } else {
    state.problem = { code: 'client', message: String(err && err.message || err) };
  }
  if (state.problem && ['unauthenticated', 'update_required', 'device_revoked'].includes(state.problem.code)) {
    return; // waiting for the user: log in, update, or ask a manager; no point retrying
  }
  failures += 1;
  const delay = Math.min(BACKOFF_MAX_MS, 5000 * 2 ** (failures - 1));
  syncSoon(delay * (0.75 + Math.random() / 2));
}

function explain(err) {
  if (err.code === 'credential_refused') {
    // The tablet's own sign-in for this person has ended: as a signed-out session, the way
    // out is to log in again (state.credentialRefused says why, for the status strip).
    return { code: 'unauthenticated', reason: err.body?.error?.reason || 'unknown', message: `You are signed out on the server. ${err.message} Nothing waiting is lost.` };
  }
  if (err.status === 401) {
    return { code: 'unauthenticated', message: 'You are signed out on the server. Log in again to send your work; nothing waiting is lost.' };
  }
  if (err.code === 'update_required') {
    return { code: 'update_required', message: 'This app needs updating before it can send. Reload to update; nothing waiting is lost.' };
  }
  if (err.code === 'device_revoked') {
    return { code: 'device_revoked', message: 'This tablet has been switched off for your account. Ask your manager; nothing waiting is lost.' };
  }
  return { code: err.code, message: `${err.message} Your work is kept here and will be sent later.` };
}

/** Bind this installation and user to a client id (a shared tablet has one per user), and
 * take the binding's device credential: once per sign-in, while the cookie is live. */
async function ensureDevice(user) {
  const stored = await db.getUser(user.id);
  if (credentials.holds(stored)) return stored.deviceId;
  let body;
  try {
    body = await api.post('/sync/devices', {
      installation_id: await db.installationId(),
      label: deviceLabel(),
      protocol_version: PROTOCOL_VERSION,
    });
  } catch (err) {
    // No live sign-in to take a credential with: a binding made earlier syncs with the
    // cookie, if there is one, until the person signs in again.
    const signedOut = err instanceof api.ApiError && err.status === 401;
    // Refused earlier: say why, until the person signs in again.
    if (signedOut && stored?.credentialRefused) throw refusedAgain(stored.credentialRefused);
    if (signedOut && stored?.deviceId) return stored.deviceId;
    throw err;
  }
  await credentials.keep(user.id, body.device_id, body.credential);
  return body.device_id;
}

function refusedAgain({ reason, message }) {
  return new api.ApiError(401, { error: { code: 'credential_refused', reason, message } });
}

function deviceLabel() {
  const ua = navigator.userAgent;
  const kind = /iPad|Tablet|Android(?!.*Mobile)/.test(ua) ? 'Tablet' : /Mobile/.test(ua) ? 'Phone' : 'Computer';
  return `${kind} (Careloop app)`.slice(0, 120);
}

async function pushAll(user) {
  const { deviceId } = await db.getUser(user.id);
  for (;;) {
    const items = (await outbox.waiting(user.id)).slice(0, PUSH_BATCH);
    if (!items.length) return;
    const body = await credentials.call(user.id, 'POST', '/sync/push', {
      protocol_version: PROTOCOL_VERSION,
      device_id: deviceId,
      mutations: items.map((i) => ({ ...i.mutation, device_id: deviceId })),
    });
    const results = body.results || [];
    await outbox.acknowledge(user.id, items, results);
    const answered = results.filter((r) => r && r.mutation_id).length;
    if (answered === 0) return; // nothing acknowledged: stop rather than loop
    if (items.length < PUSH_BATCH) return;
  }
}

async function pullAll(user) {
  if (((await db.getUser(user.id))?.copiesFormat || 1) < COPIES_FORMAT) await db.updateUser(user.id, { cursor: 0 });
  for (let page = 0; page < 100; page += 1) {
    const stored = await db.getUser(user.id);
    const params = new URLSearchParams({
      cursor: String(stored.cursor || 0), limit: String(PULL_LIMIT),
      device_id: stored.deviceId, protocol_version: String(PROTOCOL_VERSION),
      ...(await unsent(user.id)),
    });
    let body;
    try {
      body = await credentials.call(user.id, 'GET', '/sync/pull?' + params);
    } catch (err) {
      // The cursor means nothing to this server: drop the copies (never the outbox), pull from 0.
      if (err instanceof api.ApiError && err.code === 'resync' && page === 0) {
        await copies.reset(user.id);
        continue;
      }
      throw err;
    }
    await copies.applyPage(user.id, body);
    // What the user may do, as the server says now: kept for offline use after a restart.
    await session.setPermissions(user.id, body.permissions);
    if (!body.has_more) {
      // Records that age out of the scope's windows get no tombstone: drop them by the same
      // windows, judged by the server's clock (never the outbox, nor unsent work).
      const told = session.current()?.id === user.id ? session.current() : user;
      await copies.prune(told, api.serverTime(), body.scope);
      await db.updateUser(user.id, { copiesFormat: COPIES_FORMAT });
      return;
    }
  }
}

/** Tell the office what a person who is not recording now still holds unsent, after their
 * queue went: a pull of one change, read for nothing else (their cursor stays where it is;
 * their copies are brought up to date when they next unlock). */
async function reportUnsent(stored) {
  const params = new URLSearchParams({
    cursor: String(stored.cursor || 0), limit: '1',
    device_id: stored.deviceId, protocol_version: String(PROTOCOL_VERSION),
    ...(await unsent(stored.id)),
  });
  await credentials.call(stored.id, 'GET', '/sync/pull?' + params);
}

/** What this person still holds unsent here, for the desk's Tablets screen: every outbox
 * item, waiting or refused, and when the oldest was made. */
async function unsent(userId) {
  const items = await outbox.listOutbox(userId);
  const params = { unsent: String(items.length) };
  const oldest = items.map((i) => i.queuedAt).filter(Boolean).sort()[0];
  if (oldest) params.unsent_since = oldest;
  return params;
}

/** Keep the service's areas, routines and question sets for offline forms (a desk read:
 * it needs the cookie; with only a credential, the lists kept from before serve). */
async function refreshServices(user) {
  try {
    await refreshServiceLists(user);
  } catch (err) {
    if (!(err instanceof api.ApiError && err.status === 401 && credentials.holds(await db.getUser(user.id)))) throw err;
  }
}

async function refreshServiceLists(user) {
  const ids = new Set((user.memberships || []).map((m) => m.service_id).filter(Boolean));
  if (!ids.size) {
    const body = await api.get('/services');
    for (const s of body.items || []) ids.add(s.id);
  }
  for (const id of ids) {
    try {
      await db.putService(user.id, await api.get('/services/' + id));
    } catch (err) {
      // A service the user has left: the pull's scope drops its copies.
      if (!(err instanceof api.ApiError && [403, 404].includes(err.status))) throw err;
    }
  }
}

/** Sign a person out of this tablet: their credential ends (see credentials.js). */
export const forgetUser = credentials.forgetUser;

/** Ask the browser to keep local data; report whether it will. */
export async function requestPersistence() {
  if (!navigator.storage || !navigator.storage.persist) { state.persistent = null; emit(); return null; }
  let granted = await navigator.storage.persisted();
  if (!granted) granted = await navigator.storage.persist();
  state.persistent = granted;
  emit();
  return granted;
}
