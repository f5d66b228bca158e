// Two-step sign-in: the code step of logging in, and setting it up (an authenticator app
// such as Microsoft or Google Authenticator makes a new 6-digit code every 30 seconds).
import * as api from '../api.js';
import { field, formValues, h, show, showErrors } from '../ui.js';

function notice(box, text, kind = 'bad') {
  box.replaceChildren(text ? h('p', { class: `notice notice-${kind}` }, text) : '');
}

/** The second step of logging in: a code from the app, or one recovery code. */
export function renderCodeStep({ onLoggedIn, onBack }) {
  let recovery = false;
  const message = h('div', { role: 'alert' });
  const form = h('form', { novalidate: true, 'aria-labelledby': 'code-title' });
  const toggle = h('button', { type: 'button', class: 'btn btn-link' });
  const draw = () => {
    form.replaceChildren(
      recovery
        ? field({ name: 'recovery_code', label: 'Recovery code', required: true, autocomplete: 'off',
          hint: 'One of the codes you saved when you set up two-step sign-in. Each works once.' })
        : field({ name: 'code', label: 'Code from your authenticator app', required: true,
          autocomplete: 'one-time-code', hint: '6 digits. A new one shows every 30 seconds.' }),
      h('button', { type: 'submit', class: 'btn btn-primary btn-wide' }, 'Continue'));
    const input = form.elements[recovery ? 'recovery_code' : 'code'];
    if (!recovery) { input.setAttribute('inputmode', 'numeric'); input.setAttribute('pattern', '[0-9]*'); }
    toggle.textContent = recovery ? 'Use a code from the app instead' : 'Lost your phone? Use a recovery code';
    input.focus();
  };
  toggle.addEventListener('click', () => { recovery = !recovery; notice(message, ''); draw(); });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = recovery ? 'recovery_code' : 'code';
    const value = (formValues(form)[name] || '').trim();
    showErrors(form, value ? {} : { [name]: recovery ? 'Type a recovery code.' : 'Type the 6-digit code.' });
    if (!value) return;
    notice(message, '');
    try {
      await onLoggedIn(await api.secondFactor({ [name]: value }));
    } catch (err) {
      if (err instanceof api.ApiError && err.status === 401) { onBack(err.message); return; }
      if (err.fields && Object.keys(err.fields).length) showErrors(form, err.fields);
      else notice(message, err.message);
    }
  });
  show(h('h1', { id: 'code-title' }, 'Two-step sign-in'),
    h('p', {}, 'Your password was right. Now the code your authenticator app shows for Careloop.'),
    message, form, h('p', {}, toggle));
  draw();
}

function recoveryCodes(codes, onDone) {
  return h('section', { class: 'card', 'aria-labelledby': 'codes-title' },
    h('h2', { id: 'codes-title' }, 'Your recovery codes'),
    h('p', { class: 'notice notice-ok', role: 'status' }, 'Two-step sign-in is on.'),
    h('p', {}, 'Write these down or print them, and keep them somewhere safe. If you lose your phone, '
      + 'each one lets you sign in once. They are shown only now.'),
    h('ul', { class: 'recovery-codes' }, codes.map((c) => h('li', {}, h('code', {}, c)))),
    h('button', { type: 'button', class: 'btn btn-primary', onclick: onDone }, 'I have saved them'));
}

/** Set-up: the secret as a QR code and as text, then a first code to confirm it. */
async function setupCard(box, onEnrolled) {
  const message = h('div', { role: 'alert' });
  let setup;
  try {
    setup = await api.post('/me/second-factor/setup');
  } catch (err) {
    box.replaceChildren(h('p', { class: 'notice notice-bad' }, err.message));
    return;
  }
  const form = h('form', { novalidate: true },
    field({ name: 'code', label: 'Code from the app', required: true, autocomplete: 'one-time-code',
      hint: 'Type the 6 digits the app shows for Careloop, to check it is set up.' }),
    message,
    h('button', { type: 'submit', class: 'btn btn-primary' }, 'Turn on two-step sign-in'));
  form.elements.code.setAttribute('inputmode', 'numeric');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const code = (formValues(form).code || '').trim();
    showErrors(form, code ? {} : { code: 'Type the 6-digit code.' });
    if (!code) return;
    try {
      const me = await api.post('/me/second-factor/confirm', { code });
      api.setCsrf(me.csrf_token);
      box.replaceChildren(recoveryCodes(me.recovery_codes, () => onEnrolled(me)));
      box.querySelector('h2').focus?.();
    } catch (err) {
      if (err.fields && Object.keys(err.fields).length) showErrors(form, err.fields);
      else notice(message, err.message);
    }
  });
  box.replaceChildren(
    h('ol', { class: 'two-step-steps' },
      h('li', {}, 'Open an authenticator app on your phone and choose to add an account.'),
      h('li', {}, 'Scan this QR code, or type the key below into the app.'),
      h('li', {}, 'Type the code the app then shows.')),
    h('img', { src: setup.qr_svg, alt: 'QR code for your authenticator app', class: 'two-step-qr',
      width: 200, height: 200 }),
    h('p', {}, 'Key for typing in: ', h('code', { class: 'two-step-secret' }, setup.secret)),
    h('details', {}, h('summary', {}, 'Set-up link (otpauth)'), h('code', { class: 'two-step-uri' }, setup.otpauth_uri)),
    form);
  form.elements.code.focus();
}

/** Turning it off again (only where the provider does not require it), with a code. */
function turnOffForm(onChanged) {
  const message = h('div', { role: 'alert' });
  const form = h('form', { novalidate: true },
    field({ name: 'code', label: 'Code from the app, to turn it off', autocomplete: 'one-time-code' }),
    message,
    h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Turn off two-step sign-in'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const code = (formValues(form).code || '').trim();
    showErrors(form, code ? {} : { code: 'Type the 6-digit code.' });
    if (!code) return;
    try {
      await api.post('/me/second-factor/turn-off', { code });
      onChanged();
    } catch (err) {
      if (err.fields && err.fields.code) showErrors(form, err.fields);
      else notice(message, err.message);
    }
  });
  return h('details', {}, h('summary', {}, 'Turn it off'), form);
}

/** The "Two-step sign-in" card of My account. */
export async function card(onEnrolled = () => {}) {
  const box = h('div', {});
  const section = h('section', { class: 'card', 'aria-labelledby': 'two-step-title' },
    h('h2', { id: 'two-step-title' }, 'Two-step sign-in'), box);
  let status;
  try { status = await api.get('/me/second-factor'); } catch { return section; /* offline */ }
  if (status.enrolled) {
    box.replaceChildren(h('p', {}, 'On. You sign in with your password and a code from your app. '
      + `Recovery codes left: ${status.recovery_codes_left}.`),
    status.required ? null : turnOffForm(onEnrolled));
    return section;
  }
  box.replaceChildren(
    h('p', {}, status.required
      ? 'Your provider requires it for your role: set it up to go on.'
      : 'Off. Turn it on to sign in with your password and a code from an app on your phone.'),
    h('button', { type: 'button', class: 'btn btn-primary', onclick: () => setupCard(box, onEnrolled) },
      'Set up two-step sign-in'));
  return section;
}

/** The whole screen for someone who must set it up before anything else. */
export async function renderRequired(onEnrolled) {
  show(h('h1', {}, 'Set up two-step sign-in'),
    h('p', { class: 'notice notice-warn' },
      'Your provider requires two-step sign-in for your role. Set it up now; it takes a minute.'),
    await card(onEnrolled));
}
