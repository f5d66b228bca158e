// The desk screens, in this same app: the triage inbox, the log and its entries, the
// conflicts queue, the ownership board and the completion checks. Oversight and reviews
// arrive in later work.
import { h, show } from '../ui.js';
import * as board from './desk-board.js';
import * as checks from './desk-checks.js';
import * as conflicts from './desk-conflicts.js';
import * as entry from './desk-entry.js';
import * as inbox from './desk-inbox.js';
import * as log from './desk-log.js';

export function render(user, which, id) {
  if (which === 'inbox') return inbox.render(user);
  if (which === 'log') return id ? entry.render(user, id) : log.render(user);
  if (which === 'conflicts') return conflicts.render(user);
  if (which === 'ownership') return board.render(user);
  if (which === 'checks') return checks.render(user);
  const titles = { oversight: 'Provider oversight' };
  show(h('h1', {}, titles[which] || 'Desk'),
    h('p', { class: 'notice' }, 'This desk screen is coming soon. The triage inbox, the ownership board, completion checks, the log and the conflicts queue work now.'),
    h('p', {}, `Signed in as ${user.display_name}.`));
  return undefined;
}
