// What the set-up sections share: who may change what in a service, the history panel
// under each section, the notice for a stale edit, and field errors named in plain words.
import * as api from '../api.js';
import * as session from '../session.js';
import { h, showErrors } from '../ui.js';
import { refusal, say } from './desk-common.js';

/** What the user may do here, as the server said (its permission table, docs/permissions.md). */
export function abilities(user, serviceId) {
  return {
    configure: session.may('service.configure', serviceId, user),
    thresholds: session.mayEverywhere('provider.configure', user),
    readMeasures: session.may('measure.read', serviceId, user),
    manageMeasures: session.may('measure.manage', serviceId, user),
  };
}

const STAMP = { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' };

/** "2 Mar 2026, 10:02" in London time. */
export function stamp(iso) {
  return new Date(iso).toLocaleString('en-GB', STAMP);
}

/** A long date: "13 April 2026". */
export function longDay(isoDate) {
  if (!isoDate) return 'no date';
  return new Date(`${isoDate}T12:00:00`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });
}

function entry(event) {
  return h('li', { class: 'setup-history-item' },
    h('p', {}, h('strong', {}, event.summary)),
    h('p', { class: 'meta' }, `${event.actor_name} · ${stamp(event.at)}${event.channel === 'sync' ? ' · from a tablet' : ''}`),
    h('ul', { class: 'setup-history-changes' }, event.changes.map((c) => h('li', {},
      h('span', { class: 'setup-history-label' }, `${c.label}: `), c.words.join(' ')))));
}

/** A closed "History" panel that loads ``path`` (newest first) the first time it opens. */
export function historyPanel(path, title) {
  const list = h('ol', { class: 'setup-history-list' });
  const more = h('div', { class: 'setup-history-more' });
  const status = h('div', { role: 'status', class: 'setup-history-status' });
  const panel = h('details', { class: 'setup-history' },
    h('summary', {}, title), status, list, more);
  const load = async (page) => {
    const glue = path.includes('?') ? '&' : '?';
    try {
      const body = await api.get(`${path}${glue}per_page=10&page=${page}`);
      if (page === 1) list.replaceChildren();
      list.append(...body.items.map(entry));
      status.replaceChildren(body.total ? '' : h('p', {}, 'No changes recorded yet.'));
      more.replaceChildren(body.has_more ? h('button', {
        type: 'button', class: 'btn btn-secondary', onclick: () => load(page + 1),
      }, 'Show older changes') : '');
    } catch (err) {
      status.replaceChildren(h('p', { class: 'notice notice-bad' }, refusal(err)));
    }
  };
  panel.addEventListener('toggle', () => { if (panel.open && !panel.dataset.loaded) { panel.dataset.loaded = '1'; load(1); } });
  panel.reload = () => { if (panel.dataset.loaded) load(1); };
  return panel;
}

/** The notice shown when a save was refused because someone else saved first. */
export function staleNotice() {
  return h('div', { class: 'notice notice-bad setup-stale', role: 'alert' },
    h('p', {}, h('strong', {}, 'Someone else changed this while you were editing: here is the current version.')),
    h('p', {}, 'Your change was not saved. Check the values below and make your change again if it is still needed.'));
}

/**
 * Show a refusal from the server: field errors beside their fields (labelled by ``label``),
 * the message in ``box``. Returns the current copy when the refusal was a stale edit.
 */
export function refused(err, form, box, label = (f) => f) {
  if (err instanceof api.ApiError && err.status === 409 && err.body?.error?.current) {
    return err.body.error.current;
  }
  const fields = err instanceof api.ApiError ? err.fields : {};
  const named = Object.fromEntries(Object.entries(fields).map(([f, why]) => [f, `${label(f)}: ${why}`]));
  showErrors(form, named);
  // Field errors are listed at the top of the form and beside each field; anything else
  // (no permission, no connection) is said in the box under the buttons.
  say(box, Object.keys(named).length ? null : refusal(err));
  return null;
}
