// Careloop's floor app: start-up, navigation by what the server permits, the service worker and its updates.
import * as api from './api.js';
import * as copies from './copies.js';
import * as drafts from './drafts.js';
import * as session from './session.js';
import * as status from './status.js';
import * as sync from './sync.js';
import { h, toast } from './ui.js';
import * as actions from './views/actions.js';
import * as capture from './views/capture.js';
import * as login from './views/login.js';
import * as recent from './views/recent.js';
import * as screens from './screens.js';

function navItems(user) {
  const items = [];
  if (session.canCapture(user)) {
    items.push(['group', 'On the floor'], ['#/finding', 'Finding'], ['#/feedback', 'Feedback'],
      ['#/visibility', 'Visibility check'], ['#/actions', 'My actions'], ['#/recent', 'Recorded']);
  }
  return items.concat(screens.menu(user));
}

function renderNav(user) {
  const nav = document.getElementById('nav');
  if (!user) { nav.hidden = true; nav.replaceChildren(); return; }
  const items = navItems(user);
  // A short menu (floor staff) sits at the bottom, within thumb's reach; a long one (desk
  // roles) would cover the screen there, so on narrow screens it goes above the content.
  nav.classList.toggle('nav-many', items.filter(([href]) => href !== 'group').length > 7);
  nav.replaceChildren(h('ul', {}, items.map(([href, text]) => href === 'group'
    ? h('li', { class: 'nav-group', 'aria-hidden': 'true' }, text)
    : h('li', {}, h('a', { href }, text)))));
  nav.hidden = false;
  markCurrent();
}

function markCurrent() {
  const hash = (location.hash || '#/').split('?')[0];
  for (const a of document.querySelectorAll('#nav a')) {
    if (hash === a.getAttribute('href') || hash.startsWith(a.getAttribute('href') + '/')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function renderHeader(user) {
  const who = document.getElementById('who');
  const button = document.getElementById('switch-user');
  who.hidden = button.hidden = !user;
  who.textContent = user ? `Signed in: ${user.display_name}` : '';
}

async function route() {
  const user = session.current();
  markCurrent();
  if (!user) return showLogin();
  // A screen's filters may follow a '?' (#/desk/log?status=open): the screen reads them.
  const parts = (location.hash || '').replace(/^#\/?/, '').split('?')[0].split('/');
  const [section, id] = parts;
  const found = screens.find(parts);
  if (found) return screens.render(found, user);
  switch (section) {
    case 'finding': return capture.renderFinding(user, 'finding');
    case 'visibility': return capture.renderFinding(user, 'visibility');
    case 'feedback': return capture.renderFeedback(user);
    case 'actions': return id ? actions.renderDetail(user, id) : actions.renderList(user);
    case 'recent': return recent.render(user);
    default:
      location.replace(landing(user));
      return undefined;
  }
}

/** Where a person starts: floor staff at capture; desk roles and admins at My day. */
function landing(user) {
  return session.isDesk(user) || !session.canCapture(user) ? '#/my-day' : '#/finding';
}

function showLogin(reason = '', email = '') {
  renderHeader(null);
  renderNav(null);
  login.render({ onLoggedIn: signedIn, reason, email });
}

async function signedIn(me) {
  if (me.second_factor_enrolment_required) return enrolFirst(me);
  const user = await session.setCurrent(me);
  renderHeader(user);
  renderNav(user);
  sync.start(user);
  const before = location.hash;
  await sync.syncNow();
  // Someone who picked a screen from the menu while the first sync ran is already there
  // (the hashchange drew it); drawing it again could land after, and over, their next step.
  if (location.hash !== before) return;
  if (!location.hash || location.hash === '#/' || location.hash.startsWith('#/login')) {
    location.hash = landing(user);
  } else {
    await route();
  }
}

/** Someone whose provider requires two-step sign-in sets it up before anything else. */
async function enrolFirst(me) {
  renderHeader(me);
  renderNav(null);
  const twoStep = await import('./views/two-step.js');
  await twoStep.renderRequired((enrolled) => signedIn(enrolled));
}

async function switchUser() {
  await drafts.flushAll();
  const leaving = session.current();
  try { await api.logout(); } catch { /* offline: the server session ends on its own */ }
  // The next person must not see this user's copies; only unsent work (outbox, drafts,
  // records not yet sent) stays, to be sent at this user's next login.
  if (leaving) await copies.reset(leaving.id);
  await session.clear();
  sync.start(null);
  location.hash = '#/login';
  showLogin('Your work stays on this tablet and is sent when you next log in. The next person will not see it.');
}

/** Check the server session in the background; an expired one never stops capture. */
async function checkSession(user) {
  try {
    const me = await api.me();
    if (me.id !== user.id) { await session.clear(); showLogin(); return; }
    if (me.second_factor_enrolment_required) { await enrolFirst(me); return; }
    await session.setCurrent(me); // what they may do may have changed: the menu follows
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) {
      toast('You are signed out on the server. Keep working; log in again to send.');
    }
  }
}

function offerUpdate(worker) {
  const banner = document.getElementById('update-banner');
  banner.hidden = false;
  document.getElementById('update-reload').onclick = async () => {
    // Keep anything half-typed as a draft first: the reloaded app restores it.
    await drafts.flushAll();
    sessionStorage.setItem('careloop-updating', '1');
    worker.postMessage({ type: 'SKIP_WAITING' });
  };
}

async function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // Only a reload the user asked for: never under a half-typed form.
    if (sessionStorage.getItem('careloop-updating') === '1') {
      sessionStorage.removeItem('careloop-updating');
      location.reload();
    }
  });
  const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/', updateViaCache: 'none' });
  const watch = (worker) => worker?.addEventListener('statechange', () => {
    if (worker.state === 'installed' && navigator.serviceWorker.controller) offerUpdate(worker);
  });
  if (reg.waiting && navigator.serviceWorker.controller) offerUpdate(reg.waiting);
  watch(reg.installing);
  reg.addEventListener('updatefound', () => watch(reg.installing));
  const check = () => reg.update().catch(() => {});
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') check(); });
  setInterval(check, 30 * 60_000);
}

async function main() {
  session.onChange((user) => { renderHeader(user); renderNav(user); });
  status.wire({ onLoginAgain: () => showLogin('Log in again to send your waiting work.', session.current()?.email || '') });
  document.getElementById('switch-user').addEventListener('click', switchUser);
  window.addEventListener('hashchange', route);
  sync.wireTriggers();
  registerServiceWorker().catch((err) => console.warn('Service worker not registered', err));
  sync.requestPersistence().catch(() => {});
  const user = await session.load();
  renderHeader(user);
  renderNav(user);
  sync.start(user);
  await route();
  if (user && navigator.onLine) checkSession(user);
}

main();
