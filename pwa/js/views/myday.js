// My day: what is waiting for the signed-in person, counted at the top, each item linking
// to where it is acted on (the entry page at the desk, My actions on the floor). Offline,
// it shows the actions this tablet holds. The daily email choice lives here too.
import * as api from '../api.js';
import * as db from '../db.js';
import * as session from '../session.js';
import { LABELS, day, h, show, when } from '../ui.js';

const TITLE = 'My day';
// Still to be done by its owner (so it can be overdue): the server says they may mark it done.
const toDo = (entry) => (entry.transitions || []).includes('mark_done');

const londonToday = () => new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/** Where an entry is acted on: the entry page at the desk, the action on the floor. */
function entryHref(user, id) {
  return session.isDesk(user) ? `#/desk/log/${id}` : `#/actions/${id}`;
}

function counts(tiles) {
  return h('ul', { class: 'myday-counts', 'aria-label': 'Today at a glance' },
    tiles.map(([n, one, many, tone]) => h('li', { class: `myday-count${n && tone ? ' ' + tone : ''}` },
      h('span', { class: 'myday-count-n' }, String(n)), ` ${n === 1 ? one : many}`)));
}

function section(id, title, items, empty, draw, after = null) {
  return h('section', { class: 'myday-section', 'aria-labelledby': id },
    h('h2', { id }, title, h('span', { class: 'myday-n' }, ` (${items.length})`)),
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
  return h('li', { class: 'card myday-item risk-high' },
    h('h3', {}, h('a', { href: '#/desk/inbox' }, item.description)),
    h('p', { class: 'meta' }, `${item.area} · ${LABELS.source[item.source] || item.source} · received ${when(item.received_at)}`),
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

function drawDay(user, body, prefs) {
  const manager = body.manager;
  const tiles = [
    [body.overdue.length, 'overdue', 'overdue', 'bad'],
    [body.due_today.length, 'due today', 'due today', 'warn'],
    [body.challenges.length, 'challenge', 'challenges', 'warn'],
    [body.new_assignments.length, 'new to you', 'new to you', 'info'],
  ];
  if (manager) {
    tiles.push([manager.findings_past_escalation.length, 'finding waiting', 'findings waiting', 'bad'],
      [manager.reviews_due.length, 'review due', 'reviews due', 'warn']);
  }
  const total = tiles.reduce((sum, [n]) => sum + n, 0);
  const card = (item) => entryCard(user, item);
  show(h('h1', {}, TITLE),
    h('p', { class: 'myday-date' }, day(body.as_of)),
    counts(tiles),
    total ? null : h('p', { class: 'notice myday-ok' }, 'Nothing is waiting for you today.'),
    section('md-overdue', 'Overdue actions', body.overdue, 'Nothing overdue.', card),
    section('md-today', 'Due today', body.due_today, 'Nothing due today.', card),
    section('md-challenges', 'Challenges on your entries', body.challenges,
      'No challenges on your entries in the last two weeks.', card),
    section('md-new', 'New to you', body.new_assignments,
      'Nothing new has been given to you in the last three days.', card),
    manager ? section('md-findings', 'High-risk findings waiting too long', manager.findings_past_escalation,
      'No high-risk finding is waiting past its escalation time.', findingCard,
      h('p', {}, h('a', { href: '#/desk/inbox' }, 'Triage them in the triage inbox'))) : null,
    manager ? section('md-reviews', 'Reviews due', manager.reviews_due,
      'No review is due in the next two days.', reviewCard) : null,
    prefs ? digestForm(prefs) : null);
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
