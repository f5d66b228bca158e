// My day: what is waiting for the signed-in person, counted at the top, each item linking
// to where it is acted on (the entry page at the desk, My actions on the floor). Offline,
// it shows the actions this tablet holds. The daily email choice lives here too.
import * as api from '../api.js';
import * as db from '../db.js';
import * as badges from '../badges.js';
import * as session from '../session.js';
import { LABELS, day, h, londonToday, show, when } from '../ui.js';

const TITLE = 'My day';
// Still to be done by its owner (so it can be overdue): the server says they may mark it done.
const toDo = (entry) => (entry.transitions || []).includes('mark_done');


/** Where an entry is acted on: the entry page at the desk, the action on the floor. */
function entryHref(user, id) {
  return session.isDesk(user) ? `#/desk/log/${id}` : `#/actions/${id}`;
}

function counts(tiles) {
  return h('ul', { class: 'myday-counts', 'aria-label': 'Today at a glance' },
    tiles.map(([n, one, many, tone]) => h('li', { class: `myday-count${n && tone ? ' ' + tone : ''}` },
      h('span', { class: 'myday-count-n' }, String(n)), ` ${n === 1 ? one : many}`)));
}

/** Online, each count is a button that takes you to its section (and the list under it). */
function tileButtons(tiles) {
  return h('ul', { class: 'myday-counts', 'aria-label': 'Today at a glance' },
    tiles.map(({ id, n, one, many, tone }) => {
      const go = h('button', { type: 'button', class: `myday-count${n && tone ? ' ' + tone : ''}`,
        'aria-controls': id },
      h('span', { class: 'myday-count-n' }, String(n)), ` ${n === 1 ? one : many}`);
      go.addEventListener('click', () => jumpTo(id));
      return h('li', {}, go);
    }));
}

/** Bring section ``id`` into view and move the focus to its heading. */
function jumpTo(id) {
  const heading = document.getElementById(`${id}-title`);
  if (!heading) return;
  heading.closest('section').scrollIntoView({ block: 'start' });
  heading.focus({ preventScroll: true });
}

function section(id, title, items, empty, draw, after = null) {
  return h('section', { class: 'myday-section', id, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title`, tabindex: '-1' }, title, h('span', { class: 'myday-n' }, ` (${items.length})`)),
    items.length ? h('ul', { class: 'list' }, items.map(draw))
      : h('p', { class: 'notice myday-ok' }, empty),
    items.length ? after : null);
}

function entryCard(user, item) {
  const due = item.due_date ? `due ${day(item.due_date)}` : 'no due date';
  return h('li', { class: `card myday-item risk-${item.risk}` },
    h('h3', {}, h('a', { href: entryHref(user, item.entry_id) }, item.concern)),
    h('p', { class: 'meta' },
      h('span', { class: `badge badge-risk badge-risk-${item.risk}` }, `${LABELS.risk[item.risk] || item.risk} risk`),
      ` ${LABELS.status[item.status] || item.status} · ${due} · ${item.service_name}`),
    h('p', { class: 'myday-reason' }, item.reason));
}

function findingCard(item) {
  return h('li', { class: `card myday-item risk-${item.risk}` },
    h('h3', {}, h('a', { href: '#/desk/inbox' }, item.description)),
    h('p', { class: 'meta' },
      h('span', { class: `badge badge-risk badge-risk-${item.risk}` }, `${LABELS.risk[item.risk] || item.risk} risk`),
      ` ${item.area} · ${LABELS.source[item.source] || item.source} · received ${when(item.received_at)} · ${item.service_name}`),
    h('p', { class: 'myday-reason' }, item.reason));
}

function reviewCard(item) {
  const label = item.kind === 'rm_weekly' ? 'Weekly review' : 'Provider monthly review';
  return h('li', { class: `card myday-item${item.overdue ? ' risk-high' : ''}` },
    h('h3', {}, h('a', { href: '#/desk/reviews' }, `${label}: ${item.service_name}`)),
    h('p', { class: 'myday-reason' }, item.reason));
}

/** The daily email choice, saved as soon as it is ticked or unticked. */
function digestForm(prefs) {
  const status = h('p', { class: 'myday-saved', role: 'status' });
  const error = h('p', { class: 'field-error', id: 'digest-error', hidden: true });
  const box = h('input', { type: 'checkbox', id: 'digest-opt-in', name: 'digest_opt_in',
    checked: prefs.digest_opt_in, 'aria-describedby': 'digest-hint digest-error' });
  const hint = prefs.email_configured
    ? 'Each morning, if anything is waiting: counts and links only, never details of the people you support.'
    : 'This Careloop server does not send email yet. Your choice is kept for when it does.';
  box.addEventListener('change', async () => {
    const wanted = box.checked;
    box.disabled = true;
    error.hidden = true;
    status.textContent = '';
    try {
      const saved = await api.request('PATCH', '/me/preferences', { digest_opt_in: wanted });
      box.checked = saved.digest_opt_in;
      status.textContent = saved.digest_opt_in ? 'Saved: you will get a daily summary.' : 'Saved: no daily summary.';
    } catch (err) {
      box.checked = !wanted;
      error.textContent = `Error: ${err instanceof api.NetworkError
        ? 'Not saved: the server cannot be reached. Try again when you are connected.' : err.message}`;
      error.hidden = false;
    } finally {
      box.disabled = false;
    }
  });
  return h('section', { class: 'card myday-email', 'aria-labelledby': 'email-title' },
    h('h2', { id: 'email-title' }, 'Daily email'),
    h('div', { class: 'field myday-check', 'data-field': 'digest_opt_in' },
      error,
      h('div', { class: 'myday-check-row' }, box, h('label', { for: 'digest-opt-in' }, 'Email me a daily summary')),
      h('span', { class: 'hint', id: 'digest-hint' }, hint)),
    status);
}

// Every section My day can show, in its order: the key the server counts it under, where its
// list is, its title, its tile's words and what it says when empty. The server says which
// sections apply to the person (counts.sections); the PWA only draws them.
const SECTIONS = [
  { key: 'findings_waiting', manager: true, title: 'New findings waiting for triage',
    one: 'new finding to triage', many: 'new findings to triage', tone: 'bad',
    empty: 'No new finding is waiting for triage.', card: 'finding' },
  { key: 'waiting_check', title: 'Waiting for your check', one: 'waiting for your check',
    many: 'waiting for your check', tone: 'warn', empty: 'Nothing is waiting for your check.' },
  { key: 'waiting_sign_off', title: 'Waiting for your sign-off', one: 'waiting for your sign-off',
    many: 'waiting for your sign-off', tone: 'warn', empty: 'Nothing is waiting for your sign-off.' },
  { key: 'sign_off_pending', title: 'Yours, waiting for sign-off', one: 'of yours waiting for sign-off',
    many: 'of yours waiting for sign-off', tone: 'info', empty: 'None of your entries is waiting for sign-off.' },
  { key: 'challenges', title: 'Challenges to answer', one: 'challenge to answer', many: 'challenges to answer',
    tone: 'warn', empty: 'No challenges on your entries in the last two weeks.' },
  { key: 'overdue', title: 'Your overdue actions', one: 'overdue', many: 'overdue', tone: 'bad',
    empty: 'Nothing overdue.' },
  { key: 'due_today', title: 'Due today', one: 'due today', many: 'due today', tone: 'warn',
    empty: 'Nothing due today.' },
  { key: 'services_overdue', title: 'Overdue in your services', one: 'overdue in your services',
    many: 'overdue in your services', tone: 'bad', empty: 'Nothing is overdue in your services.' },
  { key: 'new_assignments', title: 'New to you', one: 'new to you', many: 'new to you', tone: 'info',
    empty: 'Nothing new has been given to you in the last three days.' },
  { key: 'reviews_due', manager: true, title: 'Reviews due', one: 'review due', many: 'reviews due',
    tone: 'warn', empty: 'No review is due in the next two days.', card: 'review' },
];

function drawDay(user, body, prefs) {
  const applies = body.counts.sections;
  const shown = SECTIONS.filter((s) => s.key in applies);
  const items = (s) => (s.manager ? body.manager[s.key] : body[s.key]);
  const draw = { finding: findingCard, review: reviewCard };
  const tiles = shown.map((s) => ({ id: `md-${s.key}`, n: items(s).length, ...s }));
  const after = { findings_waiting: h('p', {}, h('a', { href: '#/desk/inbox' }, 'Triage them in the triage inbox')) };
  show(h('h1', {}, TITLE),
    h('p', { class: 'myday-date' }, day(body.as_of)),
    body.counts.total ? null : h('p', { class: 'notice myday-ok myday-none' }, 'Nothing is waiting for you today.'),
    tileButtons(tiles),
    ...shown.map((s) => section(`md-${s.key}`, s.title, items(s), s.empty,
      draw[s.card] || ((item) => entryCard(user, item)), after[s.key] || null)),
    prefs ? digestForm(prefs) : null);
  badges.show(user, body.counts.total);
}

/** Offline: the actions this tablet holds, judged against today's date in London. */
async function drawOffline(user) {
  const today = londonToday();
  const mine = (await db.listRecords(user.id, 'log_entry'))
    .filter((e) => e.owner_id === user.id && toDo(e) && e.due_date)
    .sort((a, b) => String(a.due_date).localeCompare(String(b.due_date)));
  const overdue = mine.filter((e) => e.due_date < today);
  const dueToday = mine.filter((e) => e.due_date === today);
  const card = (e) => h('li', { class: `card myday-item risk-${e.risk}` },
    h('h3', {}, h('a', { href: `#/actions/${e.id}` }, e.decision || e.concern)),
    h('p', { class: 'meta' }, `Due ${day(e.due_date)} · ${LABELS.status[e.status] || e.status}`));
  show(h('h1', {}, TITLE),
    h('p', { class: 'notice notice-warn', role: 'status' },
      "You're offline: My day needs a connection; your actions are under ",
      h('a', { href: '#/actions' }, 'My actions'), '. Below is what this tablet holds.'),
    counts([[overdue.length, 'overdue', 'overdue', 'bad'], [dueToday.length, 'due today', 'due today', 'warn']]),
    section('md-overdue', 'Overdue actions', overdue, 'Nothing overdue on this tablet.', card),
    section('md-today', 'Due today', dueToday, 'Nothing due today on this tablet.', card));
}

export async function render(user) {
  show(h('h1', {}, TITLE), h('p', { class: 'loading', role: 'status' }, 'Loading your day…'));
  let body; let prefs = null;
  try {
    [body, prefs] = await Promise.all([api.get('/my-day'), api.get('/me/preferences').catch(() => null)]);
  } catch (err) {
    if (err instanceof api.NetworkError) return drawOffline(user);
    const message = err instanceof api.ApiError && err.status === 401
      ? 'You are signed out on the server. Log in again to see your day.' : err.message;
    show(h('h1', {}, TITLE), h('p', { class: 'notice notice-bad', role: 'alert' }, message),
      h('p', {}, 'Your actions are under ', h('a', { href: '#/actions' }, 'My actions'), '.'));
    return undefined;
  }
  if (location.hash !== '#/my-day') return undefined; // the person moved on while it loaded
  drawDay(user, body, prefs);
  return undefined;
}
