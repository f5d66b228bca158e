// What every desk screen shares: the services the user may work on, people's names, plain
// words for a refusal from the server, and a pager. The desk talks to the server directly
// (no outbox): it is an office screen with a connection, and each write is checked there.
import * as api from '../api.js';
import * as session from '../session.js';
import { formValues, h, londonToday, showErrors } from '../ui.js';

let services = null;
const people = new Map(); // serviceId -> Map(userId -> display name)

/** The services the signed-in user may see, fetched once per page load. */
export async function myServices() {
  if (!services) services = (await api.get('/services')).items || [];
  return services;
}

/** Fetch the list again next time (a service was just added). */
export function forgetServices() { services = null; }

const SERVICE_KEY = 'careloop-desk-service';

/** The service the desk is looking at: the last one chosen, else the first. */
export async function currentService() {
  const list = await myServices();
  const chosen = sessionStorage.getItem(SERVICE_KEY);
  return list.find((s) => s.id === chosen) || list[0] || null;
}

/** Make ``id`` the service the desk is looking at (the log's service filter sets it). */
export function chooseService(id) { sessionStorage.setItem(SERVICE_KEY, id); }

/** A labelled service chooser, shown only when the user works in more than one service. */
export function servicePicker(list, current, onChange) {
  if (list.length < 2) return null;
  const select = h('select', { id: 'desk-service', name: 'service' },
    list.map((s) => h('option', { value: s.id, selected: s.id === current.id }, s.name)));
  select.addEventListener('change', () => {
    sessionStorage.setItem(SERVICE_KEY, select.value);
    onChange(select.value);
  });
  return h('div', { class: 'field desk-service' }, h('label', { for: 'desk-service' }, 'Service'), select);
}

/** Names of the service's active staff by id (anyone who reads its log may list them). */
export async function peopleOf(serviceId) {
  if (people.has(serviceId)) return people.get(serviceId);
  const names = new Map();
  const me = session.current();
  if (me) names.set(me.id, me.display_name);
  const body = await api.get(`/services/${serviceId}/people`);
  for (const person of body.items) names.set(person.id, person.display_name);
  people.set(serviceId, names);
  return names;
}

/** A person's name, "you" for the signed-in user, or a neutral word when unknown. */
export function nameOf(names, id) {
  if (!id) return 'nobody';
  if (id === session.current()?.id) return `${names.get(id) || 'You'} (you)`;
  return names.get(id) || 'a colleague';
}

// What each permission lets a person do, for a refusal in plain words (the server's own
// message names the permission's code, which means nothing to a manager).
const ALLOWS = {
  'entry.open': 'open entries', 'entry.start': 'start entries they do not own',
  'entry.mark_done': 'mark done entries they do not own', 'entry.send_back': 'send entries back',
  'entry.close': 'close entries', 'entry.sign_off': 'sign off or challenge high-risk closures',
  'entry.reopen': 'reopen closed entries', 'entry.edit': 'change entries', 'entry.assign': 'name owners',
  'entry.escalate': 'record escalation decisions', 'entry.annotate': 'add notes or evidence to this entry',
  'entry.override_vague': 'accept a decision flagged as vague', 'review.rm': 'record the weekly review',
  'review.provider': "record the provider's monthly review", 'review.read': 'read reviews',
  'conflict.resolve': 'decide sync conflicts',
};

/** What to tell a person when the server refuses: its own message, in its own words. */
export function refusal(err) {
  if (err instanceof api.NetworkError) {
    return 'The server cannot be reached. Check the connection and try again; nothing was changed.';
  }
  if (err instanceof api.ApiError) {
    if (err.status === 401) return 'You are signed out. Log in again, then try once more.';
    const action = err.body?.error?.action;
    if (err.status === 403 && /\(([a-z_.]+)\)\.?$/.test(err.message) && ALLOWS[action]) {
      return `Your role does not allow you to ${ALLOWS[action]}. Nothing was changed.`;
    }
    return err.message;
  }
  return 'Something went wrong. Nothing was changed; try again.';
}

/** The query after '?' in the address: '#/desk/log?status=open' gives status=open. */
export function hashParams() {
  const at = location.hash.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : location.hash.slice(at + 1));
}

const DEFAULTS = { page: '1', sort: '-updated_at' };
let lastLog = '#/desk/log';

/** The address of the log with ``filters`` (for links from other screens, e.g.
 * logLink({ signal: 'no_owner', service_id })); empty values and defaults are left out. */
export function logLink(filters = {}) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) {
    if (value === '' || value === null || value === undefined || DEFAULTS[name] === String(value)) continue;
    params.set(name, value);
  }
  const query = params.toString();
  return query ? `#/desk/log?${query}` : '#/desk/log';
}

/** Remember the log's last address, so "back to the log" returns to the same list. */
export function rememberLog(link) { lastLog = link; }
export function backToLog() { return lastLog; }

// The early-warning signals the log can be filtered by (entry-based; see docs/early-warnings.md).
export const SIGNALS = {
  carried_forward: 'Carried forward too often', overdue_without_interim_controls: 'Overdue with no interim controls',
  high_risk_no_escalation: 'High risk with no escalation decision', no_owner: 'No named owner',
  weak_closure_evidence: 'Closed on weak evidence',
};

/** A refusal box read out at once by screen readers; empty until it has something to say. */
export function alertBox(extraClass = '') {
  return h('div', { class: `desk-alert ${extraClass}`.trim(), role: 'alert' });
}

/**
 * Read a form and show, next to each field, what `problems(values)` says is wrong with it
 * (a message, or false when the field is fine). Return the values, or null when any is wrong.
 */
export function checkedValues(form, problems) {
  const values = formValues(form);
  const errors = Object.fromEntries(Object.entries(problems(values)).filter(([, why]) => why));
  showErrors(form, errors);
  return Object.keys(errors).length ? null : values;
}

export function say(box, message, kind = 'bad') {
  box.replaceChildren(message ? h('p', { class: `notice notice-${kind}` }, message) : '');
}

/** "Page 2 of 5" with previous and next buttons (nothing for one page); calls go(page). */
export function pager(body, go, what = ['entry', 'entries']) {
  const pages = Math.max(1, Math.ceil(body.total / body.per_page));
  const count = `${body.total} ${body.total === 1 ? what[0] : what[1]}`;
  if (pages < 2) return null;
  return h('nav', { class: 'desk-pager', 'aria-label': `Pages of ${what[1]}` },
    h('button', { type: 'button', class: 'btn btn-secondary', disabled: body.page <= 1, onclick: () => go(body.page - 1) }, '‹ Previous page'),
    h('p', { 'aria-live': 'polite' }, `Page ${body.page} of ${pages} (${count})`),
    h('button', { type: 'button', class: 'btn btn-secondary', disabled: !body.has_more, onclick: () => go(body.page + 1) }, 'Next page ›'));
}

export const TODAY = londonToday;
