// Tablets: each person's and each service's tablets with their last sync, what the server
// has (and has not) received from them, and the unsent work each said it holds at its last
// pull (which tablets hold unsent work, and since when); a lost tablet is withdrawn after a
// confirmation, and the manager is told the last change the server acknowledged from it.
import * as api from '../api.js';
import { h, show, when } from '../ui.js';
import { alertBox, myServices, pager, refusal, say } from './desk-common.js';

const TITLE = 'Tablets';
const PER_PAGE = 20;
const THINGS = {
  finding: 'a finding', walkaround: 'a walkaround', log_entry: 'an action', entry: 'an action',
  note: 'a note', evidence: 'evidence', feedback: 'feedback',
};
let state = { service_id: '', page: 1 };

/** "change 7 (a finding) at today at 09:14", or what to say when nothing ever arrived. */
export function lastChange(acked) {
  if (!acked || !acked.mutation_id) return 'none: nothing was ever received from this tablet';
  const what = THINGS[acked.entity_type] || acked.entity_type || 'a change';
  return `change ${acked.seq} (${what}) at ${when(acked.at)}`;
}

/** "3 changes waiting to be sent, the oldest made yesterday at 03:10", or null. */
export function unsent(device) {
  const n = device.unsent_count || 0;
  if (!n) return null;
  const since = device.unsent_since ? `, the oldest made ${when(device.unsent_since)}` : '';
  return `${n} change${n === 1 ? '' : 's'} waiting to be sent${since} (as the tablet said at its last sync).`;
}

function waiting(device) {
  const missing = device.last_acknowledged.missing;
  const lines = [unsent(device)].filter(Boolean);
  if (missing) {
    lines.push(`${missing} earlier change${missing === 1 ? ' was' : 's were'} never received: still on the tablet, or refused there.`);
  }
  lines.push(device.last_seen_at
    ? `Anything recorded on it since its last sync (${when(device.last_seen_at)}) is still only on the tablet.`
    : 'It has never synced.');
  return lines;
}

function confirmDialog(device, onYes) {
  const dialog = h('dialog', { class: 'admin-dialog', 'aria-labelledby': 'revoke-title' });
  const close = () => { dialog.close(); dialog.remove(); };
  dialog.append(h('div', { class: 'dialog-body' },
    h('h2', { id: 'revoke-title' }, `Withdraw "${device.label || 'this tablet'}"?`),
    h('p', {}, `${device.user.display_name} will no longer be able to send or fetch anything from it. `
      + 'Anything recorded on it and not yet sent will not reach Careloop.'),
    h('p', {}, 'This cannot be undone: if the tablet turns up, they sign in on it again as new.'),
    h('div', { class: 'button-row' },
      h('button', { type: 'button', class: 'btn btn-danger', onclick: () => { close(); onYes(); } }, 'Withdraw the tablet'),
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: close }, 'Keep it'))));
  dialog.addEventListener('cancel', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

function deviceCard(device, redraw) {
  const message = alertBox();
  const revoke = async () => {
    try {
      const done = await api.post(`/admin/devices/${device.device_id}/revoke`);
      redraw([`"${done.label || 'The tablet'}" of ${done.user.display_name} is withdrawn.`,
        `Last acknowledged change: ${lastChange(done.last_acknowledged)}.`]);
    } catch (err) { say(message, refusal(err)); }
  };
  return h('li', { class: `card admin-device${device.revoked ? ' revoked' : ''}` },
    h('h3', {}, device.label || 'Unnamed tablet',
      device.revoked ? [' ', h('span', { class: 'badge badge-bad' }, 'Withdrawn')]
        : unsent(device) ? [' ', h('span', { class: 'badge badge-waiting' }, 'Holds unsent work')] : null),
    h('dl', { class: 'admin-facts' },
      h('dt', {}, 'Last sync'), h('dd', {}, when(device.last_seen_at)),
      h('dt', {}, 'Last change received'), h('dd', {}, lastChange(device.last_acknowledged)),
      device.revoked
        ? [h('dt', {}, 'Withdrawn'), h('dd', {}, when(device.revoked_at))]
        : [h('dt', {}, 'Still on the tablet'), h('dd', {}, waiting(device).map((line) => h('span', { class: 'admin-line' }, line)))]),
    message,
    device.revoked ? null : h('button', { type: 'button', class: 'btn btn-danger', onclick: () => confirmDialog(device, revoke) },
      `Withdraw this tablet (${device.user.display_name})`));
}

/** Devices grouped under their person, in the server's order (by name). */
function byPerson(items) {
  const groups = new Map();
  for (const d of items) {
    if (!groups.has(d.user.id)) groups.set(d.user.id, { user: d.user, devices: [] });
    groups.get(d.user.id).devices.push(d);
  }
  return [...groups.values()];
}

export async function render(user, personId, notes = []) {
  const services = await myServices();
  const redraw = (extra = []) => render(user, personId, extra);
  const params = new URLSearchParams({ page: state.page, per_page: PER_PAGE });
  if (personId) params.set('user_id', personId);
  else if (state.service_id) params.set('service_id', state.service_id);
  let body;
  try {
    body = await api.get(`/admin/devices?${params}`);
  } catch (err) {
    show(h('h1', {}, TITLE), h('p', { class: 'notice notice-bad', role: 'alert' }, refusal(err)));
    return;
  }
  const picker = !personId && services.length > 1 ? h('div', { class: 'field desk-service' },
    h('label', { for: 'devices-service' }, 'Service'),
    h('select', { id: 'devices-service', onchange: (e) => { state = { service_id: e.target.value, page: 1 }; redraw(); } },
      h('option', { value: '' }, 'All services'),
      services.map((s) => h('option', { value: s.id, selected: s.id === state.service_id }, s.name)))) : null;
  const groups = byPerson(body.items);
  const holding = body.items.filter((d) => !d.revoked && unsent(d));
  const who = personId && groups[0] ? groups[0].user.display_name : null;
  show(h('h1', {}, who ? `${who}'s tablets` : TITLE),
    personId ? h('p', {}, h('a', { href: '#/admin/devices' }, '‹ Every tablet'), ' · ',
      h('a', { href: `#/admin/people/${personId}` }, 'Their page')) : null,
    h('p', {}, 'A tablet is registered for each person who signs in on it. Withdraw a lost one: '
      + 'from then on it can neither send nor fetch anything.'),
    notes.length ? h('div', { class: 'notice notice-warn admin-result', role: 'status' }, notes.map((n) => h('p', {}, n))) : null,
    holding.length ? h('p', { class: 'notice notice-warn' },
      `${holding.length} tablet${holding.length === 1 ? ' holds' : 's hold'} work not yet sent: `,
      holding.map((d) => `${d.user.display_name} (${d.label || 'unnamed tablet'}, since ${when(d.unsent_since)})`).join('; '), '.') : null,
    picker,
    groups.length ? groups.map((g) => h('section', { class: 'admin-device-group', 'aria-label': g.user.display_name },
      h('h2', {}, g.user.display_name, g.user.active ? '' : ' (deactivated)'),
      h('ul', { class: 'list' }, g.devices.map((d) => deviceCard(d, redraw)))))
      : h('p', { class: 'notice' }, 'No tablet is registered yet.'),
    pager(body, (page) => { state.page = page; redraw(); }, ['tablet', 'tablets']));
}
