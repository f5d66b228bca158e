// Right after a full sign-in, a person without a PIN on this tablet is offered one: a banner
// above the screen (it never blocks work), and the PIN form in a dialog.
import * as pin from '../pin.js';
import { h, toast } from '../ui.js';

let banner = null;
let dialog = null;

/** Offer ``user`` a PIN, unless they already have one that works. */
export async function offer(user) {
  withdraw();
  if (await pin.usable(user.id)) return;
  banner = h('section', { class: 'pin-offer', 'aria-labelledby': 'pin-offer-title' },
    h('h2', { id: 'pin-offer-title' }, 'Set a PIN for this tablet'),
    h('p', {}, 'Next time, tap your name and type your PIN instead of your email and password. ',
      'It works only on this tablet and only for you, even without Wi-Fi.'),
    h('div', { class: 'button-row' },
      h('button', { type: 'button', class: 'btn btn-primary', onclick: () => openForm(user) }, 'Set a PIN'),
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: withdraw }, 'Not now')));
  document.querySelector('.layout').before(banner);
}

/** Take the offer (and its dialog) away: the person locked the tablet or said "Not now". */
export function withdraw() {
  banner?.remove();
  banner = null;
  if (dialog?.open) dialog.close();
  dialog?.remove();
  dialog = null;
}

function pinField(name, label, hint) {
  return h('div', { class: 'field', 'data-field': name },
    h('label', { for: `pin-${name}` }, label),
    hint ? h('span', { class: 'hint', id: `pin-${name}-hint` }, hint) : null,
    h('input', { id: `pin-${name}`, name, type: 'password', inputmode: 'numeric', pattern: '[0-9]*',
      maxlength: 6, autocomplete: 'new-password', required: true,
      'aria-describedby': [hint ? `pin-${name}-hint` : null, 'pin-setup-message'].filter(Boolean).join(' ') }));
}

function openForm(user) {
  dialog?.remove();
  const message = h('div', { id: 'pin-setup-message', role: 'alert' });
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save my PIN');
  const form = h('form', { novalidate: true, class: 'dialog-body' },
    h('h2', { id: 'pin-setup-title' }, 'Choose your PIN'),
    pinField('new_pin', 'New PIN', '4 to 6 numbers. Not one you use for your bank card.'),
    pinField('same_pin', 'The same PIN again'),
    message,
    h('div', { class: 'button-row' }, save,
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => dialog.close() }, 'Cancel')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = form.elements.new_pin.value;
    const why = pin.problem(chosen) || (chosen !== form.elements.same_pin.value ? 'The two PINs are not the same.' : '');
    if (why) {
      message.replaceChildren(h('p', { class: 'notice notice-bad' }, why));
      form.elements.new_pin.focus();
      return;
    }
    save.disabled = true;
    await pin.set(user.id, chosen);
    withdraw();
    toast('Your PIN is set. Next time, tap your name on this tablet.');
  });
  dialog = h('dialog', { 'aria-labelledby': 'pin-setup-title', class: 'pin-dialog' }, form);
  document.body.append(dialog);
  dialog.showModal();
  form.elements.new_pin.focus();
}
