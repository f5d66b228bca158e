// Reviews: the registered manager's weekly review of a service's log and the provider's
// monthly review (nominated individual or provider quality lead). The reviewer goes through
// the entries under review a page at a time, records assurance, challenge or further action
// on any of them, gives an overall outcome, and records it all in one step. A challenge
// keeps the entry open and reaches its owner as a note; past reviews are listed below.
// The page leads with what needs deciding (counts, whether the review is due, the outcomes
// so far) and a button to the overall outcome and "Record the review"; each entry is one
// short card (its words open it), its concern and last review folded, its comment box
// shown once it has an outcome.
import * as api from '../api.js';
import { uuid } from '../db.js';
import { LABELS, choices, day, field, h, show, showErrors, toast, when } from '../ui.js';
import * as session from '../session.js';
import { alertBox, currentService, myServices, nameOf, pager, peopleOf, refusal, say, servicePicker } from './desk-common.js';
import { REVIEW_KINDS, REVIEW_OUTCOMES } from './desk-entry-records.js';

const TITLE = 'Reviews';
const PER_PAGE = 20;
const KIND_LABELS = { rm_weekly: 'Weekly review (registered manager)', provider_monthly: 'Monthly review (provider)', ad_hoc: 'Ad hoc review' };
const SHOW_LABELS = { all: 'Everything under review', open: 'Open', in_progress: 'In progress', done: 'Done', overdue: 'Overdue' };
const NEEDS_COMMENT = new Set(['challenge', 'further_action']);
const OUTCOME_CHOICES = [['', 'No outcome'], ...Object.entries(REVIEW_OUTCOMES)];

// The review being written survives paging and the service's other screens until recorded.
const state = { serviceId: null, kind: null, show: 'all', page: 1, pastPage: 1, choices: new Map(), overall: {}, reviewId: null };

function kindsFor() {
  const kinds = [];
  if (session.mayAnywhere('review.rm')) kinds.push('rm_weekly');
  if (session.mayAnywhere('review.provider')) kinds.push('provider_monthly');
  if (kinds.length) kinds.push('ad_hoc');
  return kinds;
}

function resetReview() {
  state.choices = new Map();
  state.overall = {};
  state.reviewId = null;
  state.page = 1;
}

function cadenceLines(cadence) {
  if (!cadence) return null;
  const line = (track, what) => {
    const last = track.last_reviewed_at
      ? `last ${when(track.last_reviewed_at)} by ${track.reviewed_by?.display_name || 'a colleague'} (${REVIEW_OUTCOMES[track.outcome] || track.outcome})`
      : 'never recorded';
    const due = track.overdue ? h('strong', { class: 'desk-review-late' }, ` overdue by ${track.days_overdue} day${track.days_overdue === 1 ? '' : 's'}`)
      : ` next due ${day(track.next_due)}`;
    return h('li', {}, h('strong', {}, what), `: ${last};`, due);
  };
  return h('ul', { class: 'desk-cadence' }, line(cadence.rm, 'Weekly review'), line(cadence.provider, 'Monthly provider review'));
}

function plural(n, one, many) { return `${n} ${n === 1 ? one : many}`; }

/** The outcomes chosen so far, said in the summary as they are chosen. */
function progressWords(total) {
  const n = itemsToSend().length;
  const overall = state.overall.outcome ? `overall outcome: ${REVIEW_OUTCOMES[state.overall.outcome].toLowerCase()}` : 'no overall outcome yet';
  return `Outcomes so far: ${n} of ${plural(total, 'entry', 'entries')}; ${overall}.`;
}

/** What needs deciding, first: how many entries and how many overdue, whether the review
 * is due, the outcomes so far, and the way to the overall outcome and "Record the review". */
function summaryCard(scope, cadence, rerender) {
  const counts = scope?.counts || {};
  const all = counts.all ?? 0;
  const overdue = counts.overdue ?? 0;
  const progress = h('li', { id: 'review-progress' }, progressWords(all));
  const jump = () => {
    const overall = document.querySelector('.desk-review-overall');
    overall?.scrollIntoView({ block: 'start' });
    overall?.querySelector('input[name=outcome]')?.focus({ preventScroll: true });
  };
  return h('section', { class: 'card desk-review-summary', 'aria-labelledby': 'decide-title' },
    h('h2', { id: 'decide-title' }, 'What needs deciding'),
    h('ul', {},
      h('li', {}, h('strong', {}, `${plural(all, 'entry', 'entries')} to review`),
        `: ${overdue ? '' : 'none overdue, '}${counts.open ?? 0} open, ${counts.in_progress ?? 0} in progress, ${counts.done ?? 0} done`,
        overdue ? [', ', h('strong', { class: 'desk-review-late' }, `${overdue} overdue`)] : null, '.'),
      progress),
    cadenceLines(cadence),
    h('div', { class: 'button-row' },
      h('button', { type: 'button', class: 'btn btn-primary', onclick: jump }, 'Go to the outcome and record the review'),
      overdue && state.show !== 'overdue'
        ? h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { state.show = 'overdue'; state.page = 1; rerender(); } },
          `Show the ${plural(overdue, 'overdue entry', 'overdue entries')} only`)
        : null));
}

function setupForm(kinds, scope, rerender) {
  const form = h('form', { class: 'card desk-review-setup', novalidate: true, 'aria-label': 'What to review' },
    h('div', { class: 'desk-filter-grid' },
      field({ name: 'kind', label: 'Kind of review', options: kinds.map((k) => [k, KIND_LABELS[k]]), required: true }),
      field({ name: 'show', label: 'Show', required: true,
        options: Object.entries(SHOW_LABELS).map(([k, text]) => [k, `${text} (${scope?.counts?.[k] ?? 0})`]) })),
    h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Show these entries'));
  for (const el of form.querySelectorAll('option[value=""]')) el.remove();
  form.elements.kind.value = state.kind;
  form.elements.show.value = state.show;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (form.elements.kind.value !== state.kind) { state.kind = form.elements.kind.value; resetReview(); }
    state.show = form.elements.show.value;
    state.page = 1;
    rerender();
  });
  return form;
}

function remember(entryId, concern, form) {
  const outcome = form.querySelector(`input[name="outcome-${entryId}"]:checked`)?.value || '';
  const comment = form.querySelector(`textarea[name="comment-${entryId}"]`).value;
  if (outcome || comment.trim()) state.choices.set(entryId, { outcome, comment, concern });
  else state.choices.delete(entryId);
}

function entryFieldset(item, names) {
  const { entry } = item;
  const latest = item.latest_review;
  const lastReview = latest ? `Last review: ${REVIEW_OUTCOMES[latest.outcome]} in the ${REVIEW_KINDS[latest.kind]}, `
    + `${when(latest.reviewed_at)}${latest.comment ? ` – ${latest.comment}` : ''}` : null;
  const more = entry.decision || lastReview;
  const comment = field({ name: `comment-${entry.id}`, label: 'Comment', type: 'textarea', rows: 2,
    hint: 'Needed for a challenge or further action: say what has to change. The owner is told.' });
  const set = h('fieldset', { class: `card desk-review-entry risk-${entry.risk}`, 'data-entry': entry.id },
    // The entry's words open it.
    h('legend', {}, h('a', { href: `#/desk/log/${entry.id}` }, entry.decision || entry.concern)),
    h('p', { class: 'meta' },
      h('span', { class: `badge badge-status status-${entry.status}` }, LABELS.status[entry.status] || entry.status), ' ',
      h('span', { class: `badge badge-risk badge-risk-${entry.risk}` }, `${LABELS.risk[entry.risk]} risk`), ' ',
      item.overdue ? h('span', { class: 'badge badge-bad' }, 'Overdue') : null, ' ',
      `Owner: ${entry.owner_id ? nameOf(names, entry.owner_id) : 'none'} · due ${day(entry.due_date)} · evidence: ${entry.evidence_count}`),
    more ? h('details', { class: 'desk-review-more' },
      h('summary', {}, entry.decision ? 'The concern' + (lastReview ? ' and the last review' : '') : 'The last review'),
      entry.decision ? h('p', { class: 'desk-concern' }, entry.concern) : null,
      lastReview ? h('p', { class: 'meta' }, lastReview) : null) : null,
    choices({ name: `outcome-${entry.id}`, legend: 'Outcome for this entry', options: OUTCOME_CHOICES }),
    comment);
  const chosen = state.choices.get(entry.id) || { outcome: '', comment: '' };
  for (const radio of set.querySelectorAll('input[type=radio]')) radio.checked = radio.value === chosen.outcome;
  set.querySelector('textarea').value = chosen.comment;
  // The comment box once there is something to say: an outcome chosen, or words kept.
  const showComment = () => { comment.hidden = !set.querySelector('input[type=radio]:checked')?.value && !set.querySelector('textarea').value; };
  showComment();
  const concern = entry.decision || entry.concern;
  set.addEventListener('change', () => { remember(entry.id, concern, set); showComment(); });
  set.addEventListener('input', () => remember(entry.id, concern, set));
  return set;
}

function overallFields() {
  const box = h('fieldset', { class: 'card desk-review-overall' },
    h('legend', {}, 'Overall'),
    choices({ name: 'outcome', legend: 'Overall outcome of the review', options: Object.entries(REVIEW_OUTCOMES), required: true }),
    field({ name: 'comment', label: 'Overall comment', type: 'textarea', rows: 3,
      hint: 'Needed for a challenge or further action. What did the review find?' }));
  for (const radio of box.querySelectorAll('input[name=outcome]')) radio.checked = radio.value === state.overall.outcome;
  box.querySelector('textarea').value = state.overall.comment || '';
  box.addEventListener('change', () => {
    state.overall = { outcome: box.querySelector('input[name=outcome]:checked')?.value || '', comment: box.querySelector('textarea').value };
  });
  box.addEventListener('input', () => { state.overall.comment = box.querySelector('textarea').value; });
  return box;
}

/** The review's items in the order sent, so that "items.3.comment" names an entry. */
function itemsToSend() {
  return [...state.choices].filter(([, c]) => c.outcome).map(([id, c]) => ({ entry_id: id, outcome: c.outcome, comment: c.comment.trim(), concern: c.concern }));
}

function checkReview(items) {
  const errors = {};
  items.forEach((item) => {
    if (NEEDS_COMMENT.has(item.outcome) && !item.comment) {
      errors[`comment-${item.entry_id}`] = `“${item.concern}”: say what has to change (${REVIEW_OUTCOMES[item.outcome].toLowerCase()}).`;
    }
  });
  if (!state.overall.outcome) errors.outcome = 'Overall outcome: choose assurance, challenge or further action.';
  else if (NEEDS_COMMENT.has(state.overall.outcome) && !(state.overall.comment || '').trim()) {
    errors.comment = 'Overall comment: say what has to change.';
  }
  return errors;
}

function serverErrors(err, items) {
  const out = {};
  for (const [name, why] of Object.entries(err.fields || {})) {
    const match = /^items\.(\d+)\.(\w+)$/.exec(name);
    const item = match && items[Number(match[1])];
    if (item) out[`${match[2]}-${item.entry_id}`] = `“${item.concern}”: ${why}`;
    else out[name] = `${name === 'comment' ? 'Overall comment' : name === 'outcome' ? 'Overall outcome' : name}: ${why}`;
  }
  return out;
}

async function submit(service, form, message, rerender) {
  const items = itemsToSend();
  const errors = checkReview(items);
  showErrors(form, errors);
  if (Object.keys(errors).length) return;
  state.reviewId ||= uuid(); // the same review if the first answer was lost
  try {
    await api.post('/reviews', { id: state.reviewId, service_id: service.id, kind: state.kind, outcome: state.overall.outcome,
      comment: (state.overall.comment || '').trim(), items: items.map(({ concern, ...rest }) => rest) });
    const challenged = items.filter((i) => i.outcome === 'challenge').length;
    toast(`Review recorded with ${items.length} entr${items.length === 1 ? 'y' : 'ies'} reviewed`
      + `${challenged ? `; ${challenged} challenged, kept open and sent to the owner` : ''}.`);
    resetReview();
    state.pastPage = 1;
    rerender();
  } catch (err) {
    if (err instanceof api.ApiError) showErrors(form, serverErrors(err, items));
    say(message, refusal(err));
  }
}

function reviewForm(service, scope, names, rerender) {
  const message = alertBox();
  const count = h('p', { class: 'meta', role: 'status' });
  const form = h('form', { novalidate: true, class: 'desk-review-form', 'aria-labelledby': 'entries-title' },
    h('h2', { id: 'entries-title' }, `${SHOW_LABELS[scope.show]}: ${scope.total} entr${scope.total === 1 ? 'y' : 'ies'}`),
    h('p', {}, `Entries open now, and those closed since ${when(scope.since)}`,
      scope.last_review ? ` (the last ${REVIEW_KINDS[scope.kind]}, by ${scope.last_review.reviewer_name}).` : ' (no earlier review of this kind).'),
    scope.items.length ? h('div', { class: 'desk-review-entries' }, scope.items.map((item) => entryFieldset(item, names)))
      : h('p', { class: 'notice' }, 'Nothing to show here.'),
    pager(scope, (page) => { state.page = page; rerender(); }),
    count, overallFields(), message,
    h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Record the review')));
  const tell = () => {
    const n = itemsToSend().length;
    count.textContent = `${n} entr${n === 1 ? 'y has' : 'ies have'} an outcome so far (kept while you change pages).`;
    const progress = document.getElementById('review-progress');
    if (progress) progress.textContent = progressWords(scope.counts?.all ?? scope.total);
  };
  tell();
  form.addEventListener('change', tell);
  form.addEventListener('submit', (event) => { event.preventDefault(); submit(service, form, message, rerender); });
  return form;
}

function pastReview(review) {
  const tally = Object.keys(REVIEW_OUTCOMES).map((o) => [o, review.items.filter((i) => i.outcome === o).length]).filter(([, n]) => n);
  return h('li', { class: `card desk-past-review outcome-${review.outcome}` },
    h('h3', {}, `${KIND_LABELS[review.kind] || review.kind}: ${REVIEW_OUTCOMES[review.outcome]}`),
    h('p', { class: 'meta' }, `${review.reviewer_name} · ${when(review.reviewed_at)} · `
      + (tally.length ? tally.map(([o, n]) => `${n} ${REVIEW_OUTCOMES[o].toLowerCase()}`).join(', ') : 'no entry outcomes')),
    review.comment ? h('p', {}, review.comment) : null,
    review.items.length ? h('details', {}, h('summary', {}, 'Outcomes per entry'),
      h('ul', {}, review.items.map((i) => h('li', {}, h('a', { href: `#/desk/log/${i.entry_id}` }, i.entry_concern),
        ` – ${REVIEW_OUTCOMES[i.outcome]}${i.comment ? `: ${i.comment}` : ''}`)))) : null);
}

export async function render(user) {
  const list = await myServices();
  const service = await currentService();
  const kinds = kindsFor();
  if (!service || !kinds.length) {
    show(h('h1', {}, TITLE), h('p', { class: 'notice' }, service ? 'Your role does not record reviews.' : 'You do not work in any service yet.'));
    return;
  }
  if (state.serviceId !== service.id || !kinds.includes(state.kind)) {
    Object.assign(state, { serviceId: service.id, kind: kinds[0], show: 'all', pastPage: 1 });
    resetReview();
  }
  const rerender = () => render(user);
  let scope; let past; let cadence = null; let names;
  try {
    [scope, past, names] = await Promise.all([
      api.get(`/reviews/scope?service_id=${service.id}&kind=${state.kind}&show=${state.show}&page=${state.page}&per_page=${PER_PAGE}`),
      api.get(`/reviews?service_id=${service.id}&per_page=10&page=${state.pastPage}`),
      peopleOf(service.id)]);
    cadence = (await api.get(`/review-cadence?service_id=${service.id}`)).services[0];
  } catch (err) {
    if (!scope || !past) {
      show(h('h1', {}, TITLE), servicePicker(list, service, rerender), h('p', { class: 'notice notice-bad', role: 'alert' }, refusal(err)));
      return;
    }
  }
  show(h('h1', {}, TITLE),
    servicePicker(list, service, rerender),
    summaryCard(scope, cadence, rerender),
    h('p', {}, 'Look at each entry, record assurance, a challenge or further action where you have one, then the overall outcome. A challenge keeps the entry open and its owner is told.'),
    setupForm(kinds, scope, rerender),
    reviewForm(service, scope, names, rerender),
    h('section', { 'aria-labelledby': 'past-title' },
      h('h2', { id: 'past-title' }, 'Past reviews'),
      past.items.length ? h('ul', { class: 'list' }, past.items.map(pastReview)) : h('p', { class: 'notice' }, 'No reviews recorded yet.'),
      pager(past, (page) => { state.pastPage = page; rerender(); }, ['review', 'reviews'])));
}
