// "Sign out of this tablet" asks first when the person's work has not all reached the office.
import { h } from '../ui.js';

/** Resolve true if the person still wants to sign out with ``waiting`` items unsent and
 * ``refused`` refusals unread; false if they stay. */
export function confirm({ waiting, refused }) {
  const lines = [];
  if (waiting) lines.push(`${waiting} thing${waiting === 1 ? '' : 's'} you recorded ${waiting === 1 ? 'has' : 'have'} not reached the office yet.`);
  if (refused) lines.push(`${refused} thing${refused === 1 ? ' was' : 's were'} refused by the office and you have not dealt with ${refused === 1 ? 'it' : 'them'}.`);
  return new Promise((resolve) => {
    let answer = false; // closed any other way (Escape, the tablet locking): they stay
    const done = (yes) => { answer = yes; dialog.close(); };
    const dialog = h('dialog', { 'aria-labelledby': 'sign-out-title', 'aria-describedby': 'sign-out-why' },
      h('div', { class: 'dialog-body' },
        h('h2', { id: 'sign-out-title' }, 'Your work is still on this tablet'),
        h('div', { id: 'sign-out-why' }, lines.map((line) => h('p', {}, line)),
          h('p', {}, 'If you sign out now, it stays here, kept apart, and nobody else can see it. ',
            'It is sent after you next log in on this tablet with your email and password.')),
        h('div', { class: 'button-row' },
          h('button', { type: 'button', class: 'btn btn-primary', onclick: () => done(false) }, 'Stay signed in'),
          h('button', { type: 'button', class: 'btn btn-danger', onclick: () => done(true) }, 'Sign out anyway'))));
    dialog.addEventListener('close', () => { dialog.remove(); resolve(answer); });
    document.body.append(dialog);
    dialog.showModal();
  });
}
