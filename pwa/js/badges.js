// The menu's count badges: "My day 5" on screen, "My day, 5 waiting" to a screen reader.
// The number is the server's (GET /my-day/counts, or My day's own answer); it is asked for
// again on navigation, at most every 15 seconds, and belongs to one person only.
import * as api from './api.js';
import { h } from './ui.js';

const FRESH_MS = 15_000;
let owner = null; // whose count it is
let total = 0;
let asked = 0; // when the server was last asked

function paint() {
  const link = document.querySelector('#nav a[href="#/my-day"]');
  if (!link) return;
  link.querySelector('.nav-badge')?.remove();
  if (!total) return;
  link.append(h('span', { class: 'nav-badge' },
    h('span', { class: 'visually-hidden' }, ', '), String(total),
    h('span', { class: 'visually-hidden' }, ' waiting')));
}

/** Show ``n`` waiting for ``user`` (My day's own count, just fetched). */
export function show(user, n) {
  owner = user?.id || null;
  total = n || 0;
  asked = Date.now();
  paint();
}

/** Draw the badge again after the menu is redrawn; nobody else's count is ever shown. */
export function repaint(user) {
  if (!user || user.id !== owner) { owner = user?.id || null; total = 0; asked = 0; }
  paint();
}

/** On navigation: ask the server again unless it answered in the last 15 seconds. */
export async function refresh(user) {
  repaint(user);
  if (!user || !navigator.onLine || Date.now() - asked < FRESH_MS) return;
  asked = Date.now();
  try {
    const counts = await api.get('/my-day/counts');
    if (owner === user.id) show(user, counts.total);
  } catch {
    // Offline or signed out on the server: keep the last count; the screens say why.
  }
}
