// Desk screens (triage inbox, the log, reviews, oversight) arrive in later issues in this
// same app; until then managers see where they will be.
import { h, show } from '../ui.js';

export function render(user, which) {
  const titles = { inbox: 'Triage inbox', log: 'The leadership log', oversight: 'Provider oversight' };
  show(h('h1', {}, titles[which] || 'Desk'),
    h('p', { class: 'notice' }, 'This desk screen is coming soon. Until then your findings, feedback and actions work here as on the floor tablets.'),
    h('p', {}, `Signed in as ${user.display_name}.`));
}
