// Every desk, admin and reminder screen in one table: its address, its menu label, the
// permitted actions (any one of them, in any service) that show it in the menu, and the
// module that draws it. What a person may do comes from the server (session.js); the
// server checks every read and write, and the actions here only keep the menu short.
import * as session from './session.js';

const DESK = ['finding.read_all'];
const SETUP = ['service.configure', 'provider.configure', 'measure.manage'];

export const SCREENS = [
  { path: 'my-day', label: 'My day', needs: 'all', module: './views/myday.js' },
  { group: 'Desk', needs: DESK },
  { path: 'desk/inbox', label: 'Triage inbox', needs: DESK, module: './views/desk-inbox.js' },
  { path: 'desk/log', label: 'Log', needs: DESK, module: './views/desk-log.js', detail: './views/desk-entry.js' },
  { path: 'desk/oversight', label: 'Oversight', needs: ['oversight.read'], module: './views/desk-oversight.js' },
  { path: 'desk/ownership', label: 'Ownership board', needs: ['entry.assign'], module: './views/desk-board.js' },
  { path: 'desk/checks', label: 'Completion checks', needs: ['entry.check_completion'], module: './views/desk-checks.js' },
  { path: 'desk/conflicts', label: 'Conflicts', needs: ['conflict.resolve'], module: './views/desk-conflicts.js' },
  { path: 'desk/reviews', label: 'Reviews', needs: ['review.rm', 'review.provider'], module: './views/desk-reviews.js' },
  { path: 'desk/reports', label: 'Reports', needs: ['report.read'], module: './views/desk-reports.js' },
  { group: 'Set-up', needs: ['user.manage', 'device.manage', ...SETUP] },
  { path: 'admin/people', label: 'People', needs: ['user.manage'], module: './views/admin-people.js' },
  { path: 'admin/setup', label: 'Service set-up', needs: SETUP, module: './views/admin-setup.js' },
  { path: 'admin/devices', label: 'Tablets', needs: ['device.manage'], module: './views/admin-devices.js' },
  { path: 'account', label: 'My account', needs: 'all', module: './views/account.js' },
  // Not in the menu: reached from a refusal in the status dialog.
  { path: 'refused', needs: 'all', module: './views/refusals.js' },
];

function allowed(screen, user) {
  return screen.needs === 'all' || screen.needs.some((action) => session.mayAnywhere(action, user));
}

/** The menu for ``user``: [href, label] pairs, with 'group' headings. */
export function menu(user) {
  const items = [];
  for (const screen of SCREENS) {
    if (!allowed(screen, user) || !(screen.group || screen.label)) continue;
    items.push(screen.group ? ['group', screen.group] : [`#/${screen.path}`, screen.label]);
  }
  // Drop a heading with nothing under it.
  return items.filter(([href], i) => href !== 'group' || (items[i + 1] && items[i + 1][0] !== 'group'));
}

/** The screen at ``parts`` (the hash split on '/'), with the id after it, if any. */
export function find(parts) {
  for (const screen of SCREENS) {
    if (!screen.path) continue;
    const words = screen.path.split('/');
    if (words.every((w, i) => parts[i] === w)) return { screen, id: parts[words.length] };
  }
  return null;
}

/** Draw ``screen`` for ``user``; a detail id goes to the screen's detail module. */
export async function render(found, user) {
  const path = found.id && found.screen.detail ? found.screen.detail : found.screen.module;
  const view = await import(path);
  return view.render(user, found.id);
}
