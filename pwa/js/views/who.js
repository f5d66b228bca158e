// "Who is recording?": the people who use this tablet, each unlocking with their own PIN;
// anyone else logs in with email and password below. A PIN is checked on the tablet
// (pin.js), so this works without a connection.
import * as pin from '../pin.js';
import * as session from '../session.js';
import { h, show } from '../ui.js';
import * as login from './login.js';

/**
 * Draw "Who is recording?". ``onUnlocked(userId)`` follows a right PIN; ``onLoggedIn(me)``
 * a full sign-in.
 */
export async function render({ onUnlocked, onLoggedIn, reason = '' }) {
  const people = await session.known();
  // Someone with a reset code from their manager: the log-in screen draws that form.
  if (!people.length || location.hash.startsWith('#/reset')) return login.render({ onLoggedIn, reason });
  const again = () => render({ onUnlocked, onLoggedIn });
  const password = (person, why) => login.render({ onLoggedIn, email: person.email, reason: why, onBack: again });
  show(h('h1', {}, 'Who is recording?'),
    reason ? h('p', { class: 'notice notice-warn' }, reason) : null,
    h('p', { id: 'who-hint' }, 'Tap your name.'),
    h('ul', { class: 'who-list', 'aria-describedby': 'who-hint' }, people.map((person) => h('li', {},
      h('button', { type: 'button', class: 'btn btn-secondary btn-wide who-person',
        onclick: () => (person.pin
          ? renderPin({ person, onUnlocked, onBack: again, password })
          : password(person, 'Log in with your password. Then you can set a PIN for this tablet.')),
      }, person.name)))),
    h('h2', { id: 'someone-else' }, 'Someone else? Log in to Careloop'),
    login.signInForm({ onLoggedIn, labelledBy: 'someone-else',
      again: (why, email) => login.render({ onLoggedIn, email, reason: why, onBack: again }) }));
  return undefined;
}

/** Ask ``person`` for their PIN; wrong ones wait longer each time, the fifth needs a password. */
async function renderPin({ person, onUnlocked, onBack, password }) {
  const input = h('input', { id: 'pin', name: 'pin', type: 'password', inputmode: 'numeric',
    autocomplete: 'off', pattern: '[0-9]*', maxlength: 6, required: true,
    'aria-describedby': 'pin-hint pin-message' });
  const button = h('button', { type: 'submit', class: 'btn btn-primary btn-wide' }, 'Unlock');
  const message = h('div', { id: 'pin-message', role: 'alert' });
  let timer = null;
  const hold = (seconds, words) => {
    input.disabled = button.disabled = seconds > 0;
    message.replaceChildren(words ? h('p', { class: 'notice notice-bad' }, words) : '');
    clearTimeout(timer);
    if (seconds > 0) timer = setTimeout(() => { input.disabled = button.disabled = false; input.focus(); }, seconds * 1000);
  };
  const form = h('form', { class: 'pin-form', novalidate: true, 'aria-labelledby': 'pin-title' },
    h('div', { class: 'field' },
      h('label', { for: 'pin' }, 'Your PIN'),
      h('span', { class: 'hint', id: 'pin-hint' }, 'The 4 to 6 numbers you chose for this tablet.'),
      input),
    message, button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    if (!input.value) { hold(0, 'Enter your PIN.'); input.focus(); return; }
    button.disabled = true;
    const answer = await pin.check(person.id, input.value);
    input.value = '';
    if (answer.ok) { clearTimeout(timer); await onUnlocked(person.id); return; }
    button.disabled = false;
    if (answer.why === 'password') {
      password(person, 'That was the fifth wrong PIN, so your PIN is switched off. Log in with your password; then you can set a new PIN.');
    } else if (answer.why === 'wait') {
      hold(answer.seconds, `Too many wrong PINs. Try again in ${answer.seconds} seconds.`);
    } else {
      const more = `${answer.left} more wrong PIN${answer.left === 1 ? '' : 's'} and you will need your password.`;
      const wait = answer.seconds ? ` Wait ${answer.seconds} seconds, then try again.` : ' Try again.';
      hold(answer.seconds, `That PIN is not right.${wait} ${more}`);
      if (!answer.seconds) input.focus();
    }
  });
  show(h('h1', { id: 'pin-title' }, `Hello, ${person.name}`),
    form,
    h('div', { class: 'button-row' },
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { clearTimeout(timer); onBack(); } }, 'Not me'),
      h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => { clearTimeout(timer); password(person, ''); } }, 'Forgotten your PIN? Use your password')));
  const wait = await pin.waitFor(person.id);
  if (wait > 0) hold(wait, `Too many wrong PINs. Try again in ${wait} seconds.`);
  else input.focus();
}
