// My day: being built. Replaced by the screen itself before release.
import { h, show } from '../ui.js';

export function render(user) {
  show(h('h1', {}, 'My day'), h('p', { class: 'notice' }, 'This screen is coming soon.'));
  return undefined;
}
