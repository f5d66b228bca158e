// Each person's short PIN on this tablet: set after one full sign-in, checked here (offline
// too) against a salted, slow hash kept on their `users` record. Never sent anywhere.
// docs/security.md ("The tablet's PINs") says what is kept and what it protects against.
import * as db from './db.js';

export const ITERATIONS = 600_000;   // PBKDF2-HMAC-SHA256, OWASP's figure for 2023 onwards
export const MAX_TRIES = 5;          // the fifth wrong PIN turns it off: a password is needed
// Seconds to wait after the 1st, 2nd, 3rd and 4th wrong PIN in a row.
const WAITS = [0, 2, 4, 8];

/** What is wrong with ``pin`` as a new PIN, in plain words, or '' when it will do. */
export function problem(pin) {
  if (!/^\d{4,6}$/.test(pin)) return 'Use 4 to 6 numbers.';
  const digits = [...pin].map(Number);
  const steps = new Set(digits.slice(1).map((d, i) => d - digits[i]));
  if (steps.size === 1 && [0, 1, -1].includes([...steps][0])) {
    return 'Choose numbers that are harder to guess than 1111 or 1234.';
  }
  return '';
}

function b64(bytes) { return btoa(String.fromCharCode(...new Uint8Array(bytes))); }
function unb64(text) { return Uint8Array.from(atob(text), (c) => c.charCodeAt(0)); }

async function derive(pin, salt, iterations) {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveBits']);
  return b64(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256));
}

/** Does this person have a PIN they may use? */
export async function usable(userId) {
  const pin = (await db.getUser(userId))?.pin;
  return Boolean(pin && !pin.disabled);
}

/** Keep a new PIN for this person (a full sign-in came first), wrong tries forgotten. */
export async function set(userId, pin) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(pin, salt, ITERATIONS);
  await db.updateUser(userId, {
    pin: { algorithm: 'PBKDF2-SHA256', iterations: ITERATIONS, salt: b64(salt), hash,
      failures: 0, retryAt: 0, disabled: false, setAt: new Date().toISOString() },
  });
}

/** Forget this person's PIN (they signed out of the tablet). */
export async function clear(userId) {
  await db.updateUser(userId, { pin: null });
}

/**
 * Check ``pin`` for this person. Answers {ok: true}, or {ok: false, why} where why is
 * 'wait' (with ``seconds``), 'wrong' (with ``seconds`` to wait and ``left`` tries), or
 * 'password' (no PIN, or the fifth wrong one turned it off).
 */
export async function check(userId, pin) {
  const kept = (await db.getUser(userId))?.pin;
  if (!kept || kept.disabled) return { ok: false, why: 'password' };
  const wait = secondsLeft(kept);
  if (wait > 0) return { ok: false, why: 'wait', seconds: wait };
  const hash = await derive(pin, unb64(kept.salt), kept.iterations);
  if (hash === kept.hash) {
    await db.updateUser(userId, { pin: { ...kept, failures: 0, retryAt: 0 } });
    return { ok: true };
  }
  const failures = (kept.failures || 0) + 1;
  if (failures >= MAX_TRIES) {
    await db.updateUser(userId, { pin: { ...kept, failures, retryAt: 0, disabled: true } });
    return { ok: false, why: 'password' };
  }
  const seconds = WAITS[Math.min(failures, WAITS.length) - 1];
  await db.updateUser(userId, { pin: { ...kept, failures, retryAt: Date.now() + seconds * 1000 } });
  return { ok: false, why: 'wrong', seconds, left: MAX_TRIES - failures };
}

/** Seconds before this person may try a PIN again (0: now). */
export async function waitFor(userId) {
  const kept = (await db.getUser(userId))?.pin;
  return kept ? secondsLeft(kept) : 0;
}

function secondsLeft(kept) {
  return Math.max(0, Math.ceil(((kept.retryAt || 0) - Date.now()) / 1000));
}
