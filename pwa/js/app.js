// Careloop's floor app: start-up, "Who is recording?" and the lock, navigation by what the
// server permits, the service worker and its updates.
import * as api from './api.js';
import * as badges from './badges.js';
import * as credentials from './credentials.js';
import * as db from './db.js';
import * as drafts from './drafts.js';
import * as outbox from './outbox.js';
import * as session from './session.js';
import * as status from './status.js';
import * as sync from './sync.js';
import * as tablet from './tablet.js';
import { h, toast } from './ui.js';
import * as actions from './views/actions.js';
import * as capture from './views/capture.js';
import * as feedback from './views/feedback.js';
import * as login from './views/login.js';
import * as pinSetup from './views/pin-setup.js';
import * as recent from './views/recent.js';
import * as signOut from './views/sign-out.js';
import * as who from './views/who.js';
import * as screens from './screens.js';

function navItems(user) {
  const floor = session.canCapture(user)
    ? [['group', 'On the floor'], ['#/finding', 'Finding'], ['#/feedback', 'Feedback'],
      ['#/visibility', 'Visibility check'], ['#/actions', 'My actions'], ['#/recent', 'Recorded']]
    : [];
  const office = screens.menu(user);
  if (!session.isDesk(user)) return floor.concat(office);
  // Desk people's own screens come first (My day, the desk: Oversight in sight at 768 px
  // high); their floor screens follow, before set-up and their account.
  const found = office.findIndex(([href, text]) => (href === 'group' && text === 'Set-up') || href === '#/account');
  const at = found < 0 ? office.length : found;
  return [...office.slice(0, at), ...floor, ...office.slice(at)];
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
  badges.repaint(user);
}

function markCurrent() {
  const hash = (location.hash || '#/').split('?')[0];
  for (const a of document.querySelectorAll('#nav a')) {
    if (hash === a.getAttribute('href') || hash.startsWith(a.getAttribute('href') + '/')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// The header names the person recording; on the log-in and "Who is recording?" screens
// nobody is, and there is nobody to switch or sign out.
function renderHeader(user) {
  const name = document.getElementById('who');
  name.hidden = !user;
  name.textContent = user ? `Recording: ${user.display_name}` : '';
  for (const id of ['switch-user', 'sign-out-tablet']) document.getElementById(id).hidden = !user;
}

async function route() {
  const user = session.current();
  markCurrent();
  if (!user) return showWho();
  // My day draws its own count; any other screen asks the server again, once the browser's
  // server session is known to be this person's (never another's count on a shared tablet).
  if (!(location.hash || '').startsWith('#/my-day')) {
    if (unclaimed) badges.repaint(user);
    else badges.refresh(user);
  }
  // A screen's filters may follow a '?' (#/desk/log?status=open): the screen reads them.
  const parts = (location.hash || '').replace(/^#\/?/, '').split('?')[0].split('/');
  const [section, id] = parts;
  const found = screens.find(parts);
  if (found) return screens.render(found, user);
  switch (section) {
    case 'finding': return capture.renderFinding(user, 'finding');
    case 'visibility': return capture.renderFinding(user, 'visibility');
    case 'feedback': return feedback.renderFeedback(user);
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

/** The locked tablet: "Who is recording?" (the log-in screen when nobody has signed in here). */
function showWho(reason = '') {
  renderHeader(null);
  renderNav(null);
  return who.render({ onUnlocked: unlocked, onLoggedIn: signedIn, reason });
}

// Where the last person was when the tablet locked: they come back to it, nobody else does.
let lockedFrom = null;

async function signedIn(me) {
  if (me.second_factor_enrolment_required) return enrolFirst(me);
  const user = await session.setCurrent(me);
  await tablet.noteServerSession(user.id);
  renderHeader(user);
  renderNav(user);
  sync.start(user);
  pinSetup.offer(user);
  await arrive(user, () => sync.syncNow());
}

/** A right PIN: the person's own copy, screens and queue; never the last person's session. */
async function unlocked(userId) {
  const user = await session.unlock(userId);
  renderHeader(user);
  renderNav(user);
  await startSync(user);
  await arrive(user);
}

// Sync runs only once the browser holds no one else's server session (tablet.js).
let unclaimed = false;
async function startSync(user) {
  unclaimed = !(await tablet.claimServerSession(user.id));
  sync.start(unclaimed ? null : user);
  if (!unclaimed && navigator.onLine) checkSession(user);
}

/** Land the person on their screen, once ``first`` (the first sync) has run. */
async function arrive(user, first = null) {
  const back = lockedFrom?.userId === user.id ? lockedFrom.hash : null;
  lockedFrom = null;
  if (back) history.replaceState(null, '', back);
  const before = location.hash;
  if (first) await first();
  // Someone who picked a screen from the menu while the first sync ran is already there
  // (the hashchange drew it); drawing it again could land after, and over, their next step.
  if (location.hash !== before) return;
  if (!location.hash || location.hash === '#/' || /^#\/(login|who)/.test(location.hash)) {
    location.hash = landing(user);
  } else {
    await route();
  }
}

/** Lock the tablet: back to "Who is recording?". What the person typed is kept as a draft;
 * their copy, queue and PIN stay, for their PIN to open again. */
async function lock(reason = '') {
  const leaving = session.current();
  if (!leaving) {
    // Half-way through signing in (setting up two-step sign-in): that sign-in ends.
    await tablet.endServerSession();
    await showWho();
    return;
  }
  await drafts.flushAll();
  lockedFrom = { userId: leaving.id, hash: location.hash };
  for (const open of document.querySelectorAll('dialog[open]')) open.close();
  document.getElementById('toast').classList.remove('show'); // the last person's message
  pinSetup.withdraw();
  await session.clear();
  sync.start(null);
  history.replaceState(null, '', '#/who');
  await showWho(reason);
}

/** "Sign out of this tablet": asks first if their work has not all reached the office. */
async function signOutHere() {
  const user = session.current();
  if (!user) return lock(); // half-way through signing in: that sign-in ends
  const { waiting, rejected } = await outbox.counts(user.id);
  if ((waiting || rejected) && !(await signOut.confirm({ waiting, refused: rejected }))) return;
  await lock();
  lockedFrom = null;
  await tablet.signOutOfTablet(user.id);
  await showWho(`${user.display_name} is signed out of this tablet.`);
}

/** Someone whose provider requires two-step sign-in sets it up before anything else. */
async function enrolFirst(me) {
  renderHeader(me);
  renderNav(null);
  const twoStep = await import('./views/two-step.js');
  await twoStep.renderRequired((enrolled) => signedIn(enrolled));
}

/** Check the server session in the background; an expired one never stops capture. */
async function checkSession(user) {
  try {
    const me = await api.me();
    if (me.id !== user.id) {
      // The browser held someone else's server session: end it, and send nothing as them.
      await tablet.noteServerSession(me.id);
      await startSync(user);
      return;
    }
    if (me.second_factor_enrolment_required) { await enrolFirst(me); return; }
    await session.setCurrent(me); // what they may do may have changed: the menu follows
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) {
      // The tablet's own credential still sends their floor work; only the office screens
      // need a password sign-in.
      if (!credentials.holds(await db.getUser(user.id))) {
        toast('You are signed out on the server. Keep working; log in again to send.');
      } else if (session.isDesk(user)) {
        toast('Your work is still sent from this tablet. Log in with your password for the office screens.');
      }
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
  document.getElementById('switch-user').addEventListener('click', () => lock());
  document.getElementById('sign-out-tablet').addEventListener('click', signOutHere);
  window.addEventListener('hashchange', route);
  // Back online: end the last person's server session first, if a PIN unlocked offline.
  window.addEventListener('online', () => { if (unclaimed && session.current()) startSync(session.current()); });
  sync.wireTriggers();
  registerServiceWorker().catch((err) => console.warn('Service worker not registered', err));
  sync.requestPersistence().catch(() => {});
  // A new page opens on "Who is recording?"; only a reload within the idle time keeps the person.
  const user = await session.load();
  renderHeader(user);
  renderNav(user);
  if (user) await startSync(user);
  else sync.start(null);
  tablet.watchIdle(() => {
    const minutes = session.lockMinutes();
    lock(`Locked: nobody used Careloop for ${minutes} minute${minutes === 1 ? '' : 's'}. Tap your name to go on.`);
  });
  await route();
}

main();
