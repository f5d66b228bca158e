// People: the provider admin (every service) and a registered manager (their own services)
// find staff, create accounts with a one-time set-up code, change roles per service, issue
// reset codes, and deactivate a leaver while handing each open action to a new owner.
// The server decides who may do what, and names the roles; this screen only offers what it
// says the person may do (session.js).
import * as api from '../api.js';
import * as session from '../session.js';
import { day, field, formValues, h, show, showErrors, toast, when } from '../ui.js';
import { alertBox, myServices, pager, refusal, say } from './desk-common.js';

const TITLE = 'People';
const PER_PAGE = 20;
const label = (role) => session.roleLabel(role);
/** The roles a service's staff may hold ({ wide: true }: those held across the provider). */
const rolesOf = ({ wide }) => session.roleCatalogue().filter((r) => r.provider_wide === wide).map((r) => r.role);
const isWide = (role) => rolesOf({ wide: true }).includes(role);
const WHOLE = 'Whole provider';
let filters = { q: '', service_id: '', active: 'true', page: 1 };

// Managing people across the provider (every service, and provider-wide roles).
const isAdmin = (user) => session.mayEverywhere('user.manage', user);

/** The services whose staff ``user`` manages: all of them provider-wide, else where allowed. */
async function managed(user) {
  const all = await myServices();
  if (isAdmin(user)) return all;
  return all.filter((s) => session.may('user.manage', s.id, user));
}

function rolesByPlace(person, names) {
  const places = new Map();
  for (const r of person.roles) {
    const place = r.service_id ? names.get(r.service_id) || 'another service' : WHOLE;
    places.set(place, [...(places.get(place) || []), label(r.role)]);
  }
  return [...places].map(([place, roles]) => `${place}: ${roles.join(', ')}`);
}

/** The one-time code, to hand to the person; said plainly that it works once. */
function codePanel(person, reset, first) {
  const copy = h('button', { type: 'button', class: 'btn btn-secondary', onclick: async () => {
    try { await navigator.clipboard.writeText(reset.token); toast('The code is copied.'); } catch { toast('Select the code and copy it by hand.'); }
  } }, 'Copy the code');
  return h('section', { class: 'card admin-code', role: 'status', 'aria-labelledby': 'code-title' },
    h('h2', { id: 'code-title' }, `${first ? 'Set-up' : 'Password reset'} code for ${person.display_name}`),
    h('p', { class: 'admin-code-value' }, reset.token),
    h('div', { class: 'button-row' }, copy),
    h('p', {}, `It works once, until ${when(reset.expires_at)}. `
      + 'Give it to them in person. On the log-in screen they choose "Have a reset code?" and set '
      + `${first ? 'their password' : 'a new password'} with it.`),
    reset.emailed
      ? h('p', {}, `Careloop has also emailed it to ${person.email}.`)
      : h('p', { class: 'meta' }, 'Careloop did not email it: email is not set up on this server.'));
}

function createForm(user, services, onCreated) {
  const roles = rolesOf({ wide: false }).concat(isAdmin(user) ? rolesOf({ wide: true }) : []);
  const message = alertBox();
  const form = h('form', { novalidate: true, class: 'card admin-create', 'aria-labelledby': 'create-title' },
    h('h2', { id: 'create-title' }, 'Add a person'),
    h('div', { class: 'desk-two' },
      field({ name: 'display_name', label: 'Name', required: true, autocomplete: 'off' }),
      field({ name: 'email', label: 'Email address', type: 'email', required: true }),
      field({ name: 'role', label: 'Role', required: true, options: roles.map((r) => [r, label(r)]) }),
      field({ name: 'service_id', label: 'Service', required: true, options: services.map((s) => [s.id, s.name]),
        hint: isAdmin(user) ? 'Not needed for a provider-wide role.' : null })),
    message,
    h('button', { type: 'submit', class: 'btn btn-primary' }, 'Add the person and show their set-up code'));
  const serviceBox = form.querySelector('[data-field="service_id"]');
  form.elements.role.addEventListener('change', () => {
    serviceBox.hidden = isWide(form.elements.role.value);
  });
  if (services.length === 1) form.elements.service_id.value = services[0].id;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = formValues(form);
    const wide = isWide(v.role);
    const errors = {};
    if (!v.display_name.trim()) errors.display_name = 'Write their name.';
    if (!v.email.trim()) errors.email = 'Write their email address.';
    if (!v.role) errors.role = 'Choose their role.';
    if (v.role && !wide && !v.service_id) errors.service_id = 'Choose the service for this role.';
    showErrors(form, errors);
    say(message, '');
    if (Object.keys(errors).length) return;
    try {
      const body = await api.post('/admin/users', {
        display_name: v.display_name.trim(), email: v.email.trim(),
        roles: [{ role: v.role, service_id: wide ? null : v.service_id }],
      });
      onCreated(body);
    } catch (err) {
      const fields = {};
      for (const [name, why] of Object.entries(err.fields || {})) fields[name.replace(/^roles\.\d+\./, '').replace(/^roles$/, 'role')] = why;
      showErrors(form, fields);
      say(message, refusal(err));
    }
  });
  return form;
}

function searchForm(services, onApply) {
  const form = h('form', { class: 'card desk-filters', role: 'search', 'aria-label': 'Find people' },
    h('div', { class: 'desk-filter-grid' },
      field({ name: 'q', label: 'Name or email', type: 'search' }),
      services.length > 1 ? field({ name: 'service_id', label: 'Service', options: services.map((s) => [s.id, s.name]) }) : null,
      field({ name: 'active', label: 'Show', options: [['true', 'Current staff'], ['false', 'Deactivated'], ['any', 'Everyone']] })),
    h('button', { type: 'submit', class: 'btn btn-primary' }, 'Find'));
  for (const mark of form.querySelectorAll('.hint-inline')) mark.remove();
  const first = form.querySelector('select[name=service_id] option[value=""]');
  if (first) first.textContent = 'All services';
  form.elements.active.querySelector('option[value=""]').remove();
  for (const el of form.elements) if (el.name && el.name in filters) el.value = filters[el.name];
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    filters = { ...filters, ...formValues(form), page: 1 };
    onApply();
  });
  return form;
}

function personRow(person, names) {
  return h('li', { class: 'card admin-person' },
    h('div', {},
      h('h2', {}, h('a', { href: `#/admin/people/${person.id}` }, person.display_name)),
      h('p', { class: 'meta' }, person.email, person.active ? '' : [' ', h('span', { class: 'badge badge-bad' }, 'Deactivated')])),
    h('ul', { class: 'admin-roles', 'aria-label': `${person.display_name}'s roles` },
      rolesByPlace(person, names).map((line) => h('li', {}, line))));
}

async function renderList(user) {
  const services = await managed(user);
  const names = new Map((await myServices()).map((s) => [s.id, s.name]));
  const params = new URLSearchParams({ page: filters.page, per_page: PER_PAGE });
  if (filters.q.trim()) params.set('q', filters.q.trim());
  if (filters.service_id) params.set('service_id', filters.service_id);
  if (filters.active !== 'any') params.set('active', filters.active);
  const redraw = () => renderList(user);
  const created = h('div', {});
  const create = createForm(user, services, (body) => {
    created.replaceChildren(codePanel(body, body.reset, true),
      h('p', {}, h('a', { href: `#/admin/people/${body.id}` }, `Open ${body.display_name}'s page`)));
    create.reset();
    created.querySelector('h2').setAttribute('tabindex', '-1');
    created.querySelector('h2').focus();
    toast(`${body.display_name} is added.`);
  });
  let body;
  try {
    body = await api.get(`/admin/users?${params}`);
  } catch (err) {
    show(h('h1', {}, TITLE), h('p', { class: 'notice notice-bad', role: 'alert' }, refusal(err)));
    return;
  }
  const go = (page) => { filters.page = page; redraw(); };
  show(h('h1', {}, TITLE),
    h('p', {}, isAdmin(user) ? 'Everyone who works for the provider, with their roles in each service.'
      : 'The staff of the services you manage, with their roles.'),
    searchForm(services, redraw),
    h('p', { class: 'meta', role: 'status' }, `${body.total} ${body.total === 1 ? 'person matches' : 'people match'}.`),
    body.items.length ? h('ul', { class: 'list admin-people' }, body.items.map((p) => personRow(p, names)))
      : h('p', { class: 'notice' }, 'Nobody matches.'),
    pager(body, go, ['person', 'people']),
    created, create);
}

function rolesForm(person, place, roles, serviceId, onSaved) {
  const held = new Set(person.roles.filter((r) => (r.service_id || null) === serviceId).map((r) => r.role));
  const message = alertBox();
  const key = serviceId || 'provider';
  const form = h('form', { novalidate: true, class: 'admin-roles-form' },
    h('fieldset', { 'data-field': 'roles', 'aria-describedby': `roles-${key}-error` },
      h('legend', {}, `Roles: ${place}`),
      h('p', { class: 'field-error', id: `roles-${key}-error`, hidden: true }),
      h('div', { class: 'admin-checks' }, roles.map((r) => h('div', { class: 'admin-check' },
        h('input', { type: 'checkbox', id: `role-${key}-${r}`, name: r, checked: held.has(r) }),
        h('label', { for: `role-${key}-${r}` }, label(r)))))),
    message,
    h('button', { type: 'submit', class: 'btn btn-secondary' }, `Save roles: ${place}`));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const wanted = roles.filter((r) => form.elements[r].checked);
    say(message, '');
    try {
      const saved = await api.request('PUT', `/admin/users/${person.id}/roles`, { service_id: serviceId, roles: wanted });
      toast(`Roles saved: ${place}.`);
      onSaved(saved);
    } catch (err) {
      const why = Object.values(err.fields || {})[0];
      showErrors(form, why ? { roles: why } : {});
      say(message, refusal(err));
    }
  });
  return form;
}

function ownerSelect(name, label, people, blank) {
  const id = `owner-${name.replace(/\W/g, '-')}`;
  return h('div', { class: 'field', 'data-field': name },
    h('label', { for: id }, label),
    h('p', { class: 'field-error', id: `${id}-error`, hidden: true }),
    h('select', { id, name, 'aria-describedby': `${id}-error` },
      h('option', { value: '' }, blank),
      people.map((p) => h('option', { value: p.id }, p.display_name))));
}

/** Everyone who could take over every one of the entries (or anyone, if nobody could). */
function commonCandidates(entries) {
  const lists = entries.map((e) => e.candidates);
  const common = lists[0].filter((p) => lists.every((l) => l.some((q) => q.id === p.id)));
  if (common.length) return common;
  const all = new Map();
  for (const p of lists.flat()) all.set(p.id, p);
  return [...all.values()];
}

async function leaverForm(person, onDone) {
  const { items } = await api.get(`/admin/users/${person.id}/open-entries`);
  const message = alertBox();
  const form = h('form', { novalidate: true, class: 'admin-leaver', 'aria-labelledby': 'leaver-title' },
    h('h3', { id: 'leaver-title' }, `${person.display_name} is leaving`),
    items.length
      ? [h('p', {}, `${person.display_name} owns ${items.length} open action${items.length === 1 ? '' : 's'}. `
          + 'Each needs a new owner in this same step: choose one person for all of them, or one for each.'),
        ownerSelect('reassign_to', 'Give all their open actions to', commonCandidates(items), 'Choose for each action below'),
        h('ul', { class: 'list' }, items.map((e) => h('li', { class: `card desk-row risk-${e.risk}` },
          h('p', { class: 'admin-entry-title' }, e.decision || e.concern),
          h('p', { class: 'meta' }, `${e.service_name} · ${e.status.replace(/_/g, ' ')} · due ${day(e.due_date)}`),
          ownerSelect(`reassignments.${e.id}`, 'New owner', e.candidates, 'The person chosen above'))))]
      : h('p', {}, `${person.display_name} owns no open actions.`),
    h('p', {}, 'They are signed out everywhere and their tablets are withdrawn. Their records and history stay.'),
    message,
    h('button', { type: 'submit', class: 'btn btn-danger' }, items.length ? 'Deactivate and hand over their actions' : 'Deactivate the account'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = formValues(form);
    const reassignments = items.filter((e) => v[`reassignments.${e.id}`])
      .map((e) => ({ entry_id: e.id, owner_id: v[`reassignments.${e.id}`] }));
    say(message, '');
    try {
      const done = await api.post(`/admin/users/${person.id}/deactivate`, { reassign_to: v.reassign_to || null, reassignments });
      const names = new Map(items.flatMap((e) => e.candidates).map((p) => [p.id, p.display_name]));
      const handed = done.new_owners.map((o) => {
        const entry = items.find((e) => e.id === o.entry_id);
        return `"${entry.decision || entry.concern}" now belongs to ${names.get(o.owner_id) || 'a colleague'}.`;
      });
      onDone([`${person.display_name} is deactivated.`, ...handed,
        done.revoked_device_ids.length ? `${done.revoked_device_ids.length} tablet(s) withdrawn.` : ''].filter(Boolean));
    } catch (err) {
      showErrors(form, err.fields || {});
      if (!Object.keys(err.fields || {}).length) say(message, refusal(err));
    }
  });
  return form;
}

function section(key, title, ...children) {
  return h('section', { class: 'card', 'aria-labelledby': `${key}-title` }, h('h2', { id: `${key}-title` }, title), ...children);
}

/** Put ``node`` in ``box`` and move focus to its first heading. */
function reveal(box, node) {
  box.replaceChildren(node);
  const heading = box.querySelector('h2, h3');
  heading.setAttribute('tabindex', '-1');
  heading.focus();
}

function rolesSection(user, person, services, again) {
  if (person.id === user.id) return section('roles', 'Roles', h('p', {}, 'You cannot change your own roles. Ask another administrator.'));
  const managedIds = new Set(services.map((s) => s.id));
  const elsewhere = person.roles.some((r) => r.service_id && !managedIds.has(r.service_id));
  return section('roles', 'Roles',
    services.map((s) => rolesForm(person, s.name, rolesOf({ wide: false }), s.id, () => again())),
    isAdmin(user) ? rolesForm(person, WHOLE, rolesOf({ wide: true }), null, () => again()) : null,
    elsewhere ? h('p', { class: 'meta' }, 'Roles in other services are changed by their own manager.') : null);
}

function passwordSection(person) {
  const codeBox = h('div', {});
  const message = alertBox();
  return section('password', 'Password',
    h('p', {}, 'A reset code lets them set a new password. It works once, for 24 hours.'),
    message,
    h('button', { type: 'button', class: 'btn btn-secondary', onclick: async () => {
      say(message, '');
      try {
        reveal(codeBox, codePanel(person, await api.post(`/admin/users/${person.id}/reset-code`), false));
      } catch (err) { say(message, refusal(err)); }
    } }, 'Issue a password reset code'),
    codeBox,
    h('p', {}, 'Lost phone and recovery codes? Resetting two-step sign-in signs them out everywhere; '
      + 'they set it up again at their next sign-in if your provider requires it.'),
    h('button', { type: 'button', class: 'btn btn-secondary', onclick: async () => {
      try {
        await api.post(`/admin/users/${person.id}/second-factor/reset`);
        say(message, `Two-step sign-in is reset for ${person.display_name}.`, 'ok');
      } catch (err) { say(message, refusal(err)); }
    } }, 'Reset two-step sign-in'));
}

function leavingSection(person, again) {
  const leaving = h('div', {});
  return section('leave', 'Leaving', leaving,
    h('button', { type: 'button', class: 'btn btn-secondary', onclick: async (event) => {
      event.currentTarget.remove();
      try {
        reveal(leaving, await leaverForm(person, (lines) => again(lines)));
      } catch (err) { say(leaving, refusal(err)); }
    } }, `Deactivate ${person.display_name}…`));
}

function dataSection(person) {
  return section('data', 'Data held',
    h('p', {}, 'For a subject access request under UK GDPR: one file with every record about, by or assigned to them. '
      + 'The download is recorded in the audit trail.'),
    h('a', { class: 'btn btn-secondary', href: `/api/v1/admin/users/${person.id}/export`, download: '' },
      'Download everything held about this person'));
}

async function renderPerson(user, id, notes = []) {
  let person;
  try {
    person = await api.get(`/admin/users/${id}`);
  } catch (err) {
    show(h('h1', {}, TITLE), h('p', { class: 'notice notice-bad', role: 'alert' }, refusal(err)),
      h('p', {}, h('a', { href: '#/admin/people' }, 'Back to people')));
    return;
  }
  const services = await managed(user);
  const names = new Map((await myServices()).map((s) => [s.id, s.name]));
  const again = (extra = []) => renderPerson(user, id, extra);
  show(h('p', {}, h('a', { href: '#/admin/people' }, '‹ All people')),
    h('h1', {}, person.display_name),
    notes.length ? h('div', { class: 'notice', role: 'status' }, notes.map((n) => h('p', {}, n))) : null,
    h('p', { class: 'meta' }, person.email, ' · ', person.active ? `added ${when(person.created_at)}` : h('span', { class: 'badge badge-bad' }, 'Deactivated')),
    h('ul', { class: 'admin-roles' }, rolesByPlace(person, names).map((line) => h('li', {}, line))),
    person.active ? [
      rolesSection(user, person, services, again),
      passwordSection(person),
      section('tablets', 'Tablets',
        h('p', {}, h('a', { href: `#/admin/devices/${person.id}` }, `${person.display_name}'s tablets: last sync, withdraw a lost one`))),
      person.id === user.id ? null : leavingSection(person, again),
    ] : null,
    session.mayEverywhere('staff.export', user) ? dataSection(person) : null);
}

export function render(user, id) {
  const me = session.current() || user;
  return id ? renderPerson(me, id) : renderList(me);
}
