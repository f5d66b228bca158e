// A tablet shared by several people: whose server session the browser holds, the idle lock,
// and signing a person out of this tablet. The screens are views/who.js, views/pin-setup.js and views/sign-out.js.
import * as api from './api.js';
import * as copies from './copies.js';
import * as credentials from './credentials.js';
import * as db from './db.js';
import * as pin from './pin.js';
import * as session from './session.js';

const SERVER_SESSION = 'serverSessionOf';

/** A full sign-in: the browser's server session (its cookie) is now this person's. */
export async function noteServerSession(userId) {
  await db.setMeta(SERVER_SESSION, userId);
}

/**
 * Make sure the browser holds no one else's server session before ``userId`` works: a
 * person who unlocks with a PIN must never act through the last person's cookie. Answers
 * false while that session could not be ended (no connection): nothing may reach the
 * server as this person until it has.
 */
export async function claimServerSession(userId) {
  const holder = await db.getMeta(SERVER_SESSION);
  if (!holder || holder === userId) return true;
  return endServerSession(); // any answer from the server means that session is over
}

/** End the browser's server session, whoever's it is. */
export async function endServerSession() {
  try {
    await api.logout();
  } catch (err) {
    // Offline: remembered, so that the next person's PIN ends it before anything is sent.
    if (err instanceof api.NetworkError) return false;
  }
  await db.deleteMeta(SERVER_SESSION);
  return true;
}

/**
 * Sign ``userId`` out of this tablet: their server session ends, their PIN and their copy
 * of /me are forgotten (they leave "Who is recording?"), their device credential ends, and their copies of the office's
 * records go. Work not yet sent stays on the tablet, apart, until they sign in here again.
 */
export async function signOutOfTablet(userId) {
  // Their device credential ends (offline: dropped now, ended on the server at the next
  // sync), and so does their server session, which could otherwise register a new one.
  // The device binding itself is not revoked: the server never lets a revoked binding
  // (this installation and this person) register again, so the person could never use
  // this tablet again, and any work still waiting here would never be sent.
  await credentials.forgetUser(userId);
  if ((await db.getMeta(SERVER_SESSION)) === userId) await endServerSession();
  await pin.clear(userId);
  await copies.reset(userId);
  await session.forget(userId);
}

const ACTIVITY = ['pointerdown', 'keydown', 'input', 'wheel', 'touchstart'];
let lastActivity = Date.now();
let lastNoted = 0;
let idleTimer = null;

/** Lock the tablet (``onIdle``) once the person recording has not touched it for their
 * provider's idle time; a tablet that slept is checked again the moment it wakes. */
export function watchIdle(onIdle) {
  let watched = null;
  const check = () => {
    clearTimeout(idleTimer);
    if (!session.current()) return;
    watched = session.current().id;
    const left = lastActivity + session.lockMinutes() * 60_000 - Date.now();
    if (left <= 0) { onIdle(); return; }
    idleTimer = setTimeout(check, Math.min(left, 60_000));
  };
  const active = () => {
    lastActivity = Date.now();
    // The note that keeps the person over a reload follows, at most every few seconds.
    if (lastActivity - lastNoted > 5000) { lastNoted = lastActivity; session.touch(); }
  };
  for (const name of ACTIVITY) document.addEventListener(name, active, { capture: true, passive: true });
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') check(); });
  session.onChange((user) => {
    if (user?.id === watched) return; // the same person's permissions changed: not a touch
    watched = user?.id;
    if (user) { active(); check(); } else clearTimeout(idleTimer);
  });
  check();
}
