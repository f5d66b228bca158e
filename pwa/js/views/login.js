// Log in. A connection is needed to log in; after that the app works without one.
import * as api from '../api.js';
import { field, formValues, h, show, showErrors } from '../ui.js';

export function render({ onLoggedIn, email = '', reason = '', onBack = null }) {
  // Someone holding a reset code from their manager sets a new password without a session.
  if (location.hash.startsWith('#/reset')) {
    const back = () => { location.hash = '#/login'; }; // the router draws the log-in screen
    return import('./account.js').then((account) => account.renderReset({ onBack: back }));
  }
  show(h('h1', { id: 'login-title' }, 'Log in to Careloop'),
    reason ? h('p', { class: 'notice notice-warn' }, reason) : null,
    signInForm({ onLoggedIn, email, labelledBy: 'login-title', again: (why, e) => render({ onLoggedIn, email: e, reason: why, onBack }) }),
    onBack ? h('p', {}, h('button', { type: 'button', class: 'btn btn-secondary', onclick: onBack }, 'Back to "Who is recording?"')) : null);
  return undefined;
}

/** The email and password form, its messages and the reset link: the log-in screen's, and
 * the "Someone else" part of "Who is recording?". */
export function signInForm({ onLoggedIn, email = '', labelledBy, again }) {
  const form = h('form', { novalidate: true, 'aria-labelledby': labelledBy },
    field({ name: 'email', label: 'Email address', type: 'email', required: true, autocomplete: 'username' }),
    field({ name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' }),
    h('button', { type: 'submit', class: 'btn btn-primary btn-wide' }, 'Log in'));
  form.elements.email.value = email;
  const message = h('div', { role: 'alert' });
  const signIn = async (e, password, providerId = null) => {
    message.replaceChildren();
    try {
      const me = await api.login(e, password, providerId);
      if (me.choose_provider) {
        message.replaceChildren(chooser(me.choose_provider, (id) => signIn(e, password, id)));
        return;
      }
      if (me.second_factor_required) {
        const twoStep = await import('./two-step.js');
        twoStep.renderCodeStep({ onLoggedIn,
          onBack: (why) => again(why, e.trim()) });
        return;
      }
      await onLoggedIn(me);
    } catch (err) {
      if (err instanceof api.NetworkError) {
        message.replaceChildren(h('p', { class: 'notice notice-warn' },
          'There is no connection. You need Wi-Fi or signal to log in; after that Careloop works without it.'));
      } else if (err.fields && Object.keys(err.fields).length) {
        showErrors(form, err.fields);
      } else {
        message.replaceChildren(h('p', { class: 'notice notice-bad' }, err.message));
      }
    }
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const { email: e, password } = formValues(form);
    const errors = {};
    if (!e.trim()) errors.email = 'Enter your email address.';
    if (!password) errors.password = 'Enter your password.';
    showErrors(form, errors);
    if (Object.keys(errors).length) return;
    await signIn(e.trim(), password);
  });
  return h('div', { class: 'sign-in' }, message, form,
    h('p', { class: 'login-reset' }, h('a', { href: '#/reset' }, 'Have a reset code? Set a new password')));
}

// The password opens accounts at more than one organisation: the person says which.
function chooser(providers, onChoose) {
  return h('div', { class: 'notice', role: 'group', 'aria-labelledby': 'choose-provider' },
    h('p', { id: 'choose-provider' }, 'You have accounts at more than one organisation. Which one?'),
    ...providers.map((p) => h('button', {
      type: 'button', class: 'btn btn-secondary btn-wide', onclick: () => onChoose(p.id),
    }, p.name)));
}
