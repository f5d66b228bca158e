// The desk screens, in this same app: the triage inbox, the log and its entries, the
// conflicts queue. Oversight, reviews and the ownership board arrive in later work.
import { h, show } from '../ui.js';
import * as conflicts from './desk-conflicts.js';
import * as entry from './desk-entry.js';
import * as inbox from './desk-inbox.js';
import * as log from './desk-log.js';

export function render(user, which, id) {
  if (which === 'inbox') return inbox.render(user);
  if (which === 'log') return id ? entry.render(user, id) : log.render(user);
  if (which === 'conflicts') return conflicts.render(user);
  const titles = { oversight: 'Provider oversight' };
  show(h('h1', {}, titles[which] || 'Desk'),
    h('p', { class: 'notice' }, 'This desk screen is coming soon. The triage inbox, the log and the conflicts queue work now.'),
    h('p', {}, `Signed in as ${user.display_name}.`));
  return undefined;
}
