// Every desk, admin and reminder screen in one table: its address, its menu label, the
// roles that see it in the menu, and the module that draws it. The server checks every
// read and write; the roles here only keep the menu short.
const MANAGERS = ['duty_manager', 'deputy_manager', 'registered_manager'];
const LEADS = ['nominated_individual', 'provider_quality_lead'];
const DESK = ['care_coordinator', ...MANAGERS, ...LEADS];

export const SCREENS = [
  { path: 'my-day', label: 'My day', roles: 'all', module: './views/myday.js' },
  { group: 'Desk', roles: DESK },
  { path: 'desk/inbox', label: 'Triage inbox', roles: DESK, module: './views/desk-inbox.js' },
  { path: 'desk/log', label: 'Log', roles: DESK, module: './views/desk-log.js', detail: './views/desk-entry.js' },
  { path: 'desk/ownership', label: 'Ownership board', roles: MANAGERS, module: './views/desk-board.js' },
  { path: 'desk/checks', label: 'Completion checks', roles: ['care_coordinator', 'deputy_manager', 'registered_manager'], module: './views/desk-checks.js' },
  { path: 'desk/conflicts', label: 'Conflicts', roles: ['deputy_manager', 'registered_manager', ...LEADS], module: './views/desk-conflicts.js' },
  { path: 'desk/reviews', label: 'Reviews', roles: ['registered_manager', ...LEADS], module: './views/desk-reviews.js' },
  { path: 'desk/oversight', label: 'Oversight', roles: LEADS, module: './views/desk-oversight.js' },
  { path: 'desk/reports', label: 'Reports', roles: ['registered_manager', ...LEADS], module: './views/desk-reports.js' },
  { group: 'Set-up', roles: ['registered_manager', 'provider_admin', ...LEADS] },
  { path: 'admin/people', label: 'People', roles: ['registered_manager', 'provider_admin'], module: './views/admin-people.js' },
  { path: 'admin/setup', label: 'Service set-up', roles: ['registered_manager', 'provider_admin', ...LEADS], module: './views/admin-setup.js' },
  { path: 'admin/devices', label: 'Tablets', roles: ['registered_manager', 'provider_admin'], module: './views/admin-devices.js' },
  { path: 'account', label: 'My account', roles: 'all', module: './views/account.js' },
];

function allowed(screen, roles) {
  return screen.roles === 'all' || [...roles].some((r) => screen.roles.includes(r));
}

/** The menu for a user holding ``roles``: [href, label] pairs, with 'group' headings. */
export function menu(roles) {
  const items = [];
  for (const screen of SCREENS) {
    if (!allowed(screen, roles)) continue;
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
