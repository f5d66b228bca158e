// My account, for everybody: who I am here and changing my own password. Also the public
// page where someone holding a reset code (from their manager) sets a new password.
import * as api from '../api.js';
import * as session from '../session.js';
import { field, formValues, h, show, showErrors } from '../ui.js';
import * as twoStep from './two-step.js';
import { alertBox, myServices, refusal, say } from './desk-common.js';

const MIN = 10; // the server's rule (server/admin/passwords.py); it checks again

/** Check the two new-password fields; return errors by field name. */
function checkNew(v, errors = {}) {
  if (!v.new_password) errors.new_password = 'Write the new password.';
  else if (v.new_password.length < MIN) errors.new_password = `Use at least ${MIN} characters.`;
  if (!v.new_password_again) errors.new_password_again = 'Write the new password again.';
  else if (v.new_password && v.new_password !== v.new_password_again) errors.new_password_again = 'The two new passwords are not the same.';
  return errors;
}

function newPasswordFields() {
  return [
    field({ name: 'new_password', label: 'New password', type: 'password', required: true,
      autocomplete: 'new-password', hint: `At least ${MIN} characters. A few words you will remember work well.` }),
    field({ name: 'new_password_again', label: 'New password again', type: 'password', required: true, autocomplete: 'new-password' }),
  ];
}

async function rolesList(user) {
  let names = new Map();
  try { names = new Map((await myServices()).map((s) => [s.id, s.name])); } catch { /* offline: roles without places */ }
  return (user.memberships || []).map((m) => h('li', {},
    `${session.roleLabel(m.role, user)} – ${m.service_id ? names.get(m.service_id) || 'a service' : 'whole provider'}`));
}

export async function render(user) {
  const me = session.current() || user;
  const message = alertBox();
  const form = h('form', { novalidate: true, class: 'card', 'aria-labelledby': 'password-title' },
    h('h2', { id: 'password-title' }, 'Change your password'),
    field({ name: 'current_password', label: 'Current password', type: 'password', required: true, autocomplete: 'current-password' }),
    newPasswordFields(),
    message,
    h('button', { type: 'submit', class: 'btn btn-primary' }, 'Change my password'));
  for (const mark of form.querySelectorAll('.hint-inline')) mark.remove();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = formValues(form);
    const errors = checkNew(v, v.current_password ? {} : { current_password: 'Write your current password.' });
    showErrors(form, errors);
    say(message, '');
    if (Object.keys(errors).length) return;
    try {
      await api.post('/me/password', { current_password: v.current_password, new_password: v.new_password });
      form.reset();
      say(message, 'Your password is changed. You stay signed in here; everywhere else you are signed out '
        + 'and log in with the new password.', 'ok');
      message.querySelector('p').setAttribute('role', 'status');
    } catch (err) {
      showErrors(form, err.fields || {});
      if (!Object.keys(err.fields || {}).length) say(message, refusal(err));
    }
  });
  show(h('h1', {}, 'My account'),
    h('dl', { class: 'admin-facts card' },
      h('dt', {}, 'Name'), h('dd', {}, me.display_name),
      h('dt', {}, 'Email address'), h('dd', {}, me.email),
      h('dt', {}, 'Roles'), h('dd', {}, h('ul', { class: 'admin-roles' }, await rolesList(me)))),
    form,
    await twoStep.card(() => render(user)));
}

/** The public reset page: a code from the manager and a new password, no session needed. */
export function renderReset({ onBack }) {
  const message = alertBox();
  const form = h('form', { novalidate: true, 'aria-labelledby': 'reset-title' },
    field({ name: 'token', label: 'Reset code', type: 'textarea', rows: 3, required: true,
      hint: 'The code your manager gave you. It works once.' }),
    newPasswordFields(),
    message,
    h('button', { type: 'submit', class: 'btn btn-primary btn-wide' }, 'Set my new password'));
  for (const mark of form.querySelectorAll('.hint-inline')) mark.remove();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = formValues(form);
    const token = v.token.replace(/\s+/g, '');
    const errors = checkNew(v, token ? {} : { token: 'Paste or type the code.' });
    showErrors(form, errors);
    say(message, '');
    if (Object.keys(errors).length) return;
    try {
      await api.post('/auth/reset', { token, new_password: v.new_password });
      show(h('h1', {}, 'Your password is set'),
        h('p', { class: 'notice notice-ok', role: 'status' }, 'Log in with your email address and the new password.'),
        h('button', { type: 'button', class: 'btn btn-primary btn-wide', onclick: onBack }, 'Go to log in'));
    } catch (err) {
      showErrors(form, err.fields || {});
      if (!Object.keys(err.fields || {}).length) say(message, refusal(err));
    }
  });
  show(h('h1', { id: 'reset-title' }, 'Set a new password with a code'),
    form,
    h('p', {}, h('a', { href: '#/login', onclick: (e) => { e.preventDefault(); onBack(); } }, '‹ Back to log in')));
}
