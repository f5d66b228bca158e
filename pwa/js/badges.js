// The menu's count badge: "My day 5" on screen, "My day, 5 waiting" to a screen reader.
// The number is the server's (GET /my-day/counts, or My day's own answer); it is asked for
// again on each navigation (one question at a time), and belongs to one person only.
import * as api from './api.js';
import { h } from './ui.js';

let owner = null; // whose count it is
let total = 0;
let asking = null; // whose question is on its way, if any
let again = false; // asked for again while it was

function paint() {
  const link = document.querySelector('#nav a[href="#/my-day"]');
  if (!link) return;
  link.dataset.label ||= link.textContent;
  const label = link.dataset.label;
  if (!total) {
    link.removeAttribute('aria-label');
    link.replaceChildren(label);
    return;
  }
  // One run of text, "My day 5" (the link is a flex box), named "My day, 5 waiting".
  link.replaceChildren(h('span', {}, `${label} `, h('span', { class: 'nav-badge' }, String(total))));
  link.setAttribute('aria-label', `${label}, ${total} waiting`);
}

/** Show ``n`` waiting for ``user`` (My day's own count, just fetched). */
export function show(user, n) {
  owner = user?.id || null;
  total = n || 0;
  paint();
}

/** Draw the badge again after the menu is redrawn; nobody else's count is ever shown. */
export function repaint(user) {
  if (!user || user.id !== owner) { owner = user?.id || null; total = 0; }
  paint();
}

/** On navigation: ask the server again; one question at a time, and a navigation while
 * one is on its way asks once more after it (its answer may predate what changed). */
export async function refresh(user) {
  repaint(user);
  if (!user || !navigator.onLine) return;
  if (asking) { again = true; return; }
  asking = user.id;
  try {
    do {
      again = false;
      try {
        const counts = await api.get('/my-day/counts');
        if (owner === user.id) show(user, counts.total);
      } catch {
        // Offline or signed out on the server: keep the last count; the screens say why.
        again = false;
      }
    } while (again && owner === user.id);
  } finally {
    asking = null;
  }
}
