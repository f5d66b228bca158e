// Small DOM helpers: build elements without innerHTML (no injection, CSP-friendly).

/** Build an element: h('p', {class: 'x'}, 'text', child…). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replace the main region with a screen and move focus to its heading. */
export function show(...children) {
  const main = document.getElementById('main');
  main.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: false });
    document.title = `${heading.textContent} – Careloop`;
  }
  window.scrollTo(0, 0);
}

let toastTimer = null;
/** A short message just below the status strip (and its banner), never on top of them. */
/** Today's date (YYYY-MM-DD) in Europe/London, the care home's calendar day, whatever the
 * tablet's time zone: the server counts due dates and overdue in London days. */
export function londonToday() {
  return new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
}

export function toast(message) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('show'), 4000);
}

/** What happens next to a record just saved on the tablet, said truthfully for now. */
export function sendingWords(online) {
  return online ? 'Sending now.' : 'It is kept on this tablet and will be sent when there is a signal.';
}

let navWatched = false;
/** Keep --nav-h equal to the height of the bottom navigation bar (0 when it is not at the
 * bottom), so a sticky action bar sits just above it. */
function watchNav() {
  if (navWatched) return;
  const nav = document.getElementById('nav');
  if (!nav || typeof ResizeObserver === 'undefined') return;
  navWatched = true;
  const measure = () => {
    const fixed = getComputedStyle(nav).position === 'fixed' && !nav.hidden;
    document.documentElement.style.setProperty('--nav-h', `${fixed ? nav.offsetHeight : 0}px`);
  };
  new ResizeObserver(measure).observe(nav);
  window.addEventListener('resize', measure);
  measure();
}

/** The save buttons of a form, in a bar that stays in view at the bottom while the form
 * is on screen. Put it last in the form, so focus reaches it after the last field. */
export function actionBar(...buttons) {
  watchNav();
  return h('div', { class: 'form-actions' }, buttons);
}

export function when(iso) {
  if (!iso) return 'never';
  const d = new Date(iso);
  const sameDay = d.toDateString() === new Date().toDateString();
  const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  return sameDay ? `today at ${time}` : `${d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' })} at ${time}`;
}

/** How long ago ``iso`` was, in words ("2 hours ago", "3 days ago"), by ``now`` (ms). */
export function ago(iso, now = Date.now()) {
  const minutes = Math.floor((now - Date.parse(iso)) / 60_000);
  if (Number.isNaN(minutes)) return 'at an unknown time';
  const plural = (n, unit) => `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  if (minutes < 1) return 'just now';
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.floor(hours / 24), 'day');
}

export function day(isoDate) {
  if (!isoDate) return 'no date';
  return new Date(isoDate + 'T12:00:00').toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
}

// Plain-English words for the log's vocabularies.
export const LABELS = {
  risk: { low: 'Low', medium: 'Medium', high: 'High' },
  source: {
    walkaround: 'Walkaround', visibility_check: 'Visibility check', audit: 'Audit', incident: 'Incident',
    handover: 'Handover', appointment: 'Appointment', family_communication: 'Family contact',
    feedback: 'Feedback', complaint: 'Complaint', staffing: 'Staffing', daily_management_check: 'Daily management check',
    provider_oversight: 'Provider oversight', other: 'Other',
  },
  respondent: { person_supported: 'Person supported', relative: 'Relative or friend', staff: 'Staff member', professional: 'Visiting professional' },
  sentiment: { positive: 'Positive', neutral: 'Neutral', negative: 'Negative' },
  status: {
    draft: 'Draft', open: 'Open', in_progress: 'In progress', awaiting_check: 'Done – waiting for check',
    awaiting_sign_off: 'Waiting for sign-off', closed: 'Closed',
  },
  kind: { walkaround_issue: 'Walkaround finding', feedback: 'Feedback', positive_practice: 'Good practice', visibility_check: 'Visibility check' },
  evidence: {
    care_record: 'Care record', audit: 'Audit', feedback: 'Feedback', observation: 'Observation',
    handover_record: 'Handover record', incident_trend: 'Incident trend', governance_minutes: 'Governance minutes',
    staff_practice_check: 'Staff practice check', training_record: 'Training record',
  },
};

let fieldSerial = 0;

/** A labelled text input, textarea or select. */
export function field({ name, label, hint, type = 'text', options = null, required = false, rows, autocomplete }) {
  const id = `f-${name}-${++fieldSerial}`;
  const hintId = hint ? id + '-hint' : null;
  const errorId = id + '-error';
  let control;
  const common = { id, name, required, 'aria-describedby': [hintId, errorId].filter(Boolean).join(' ') };
  if (options) {
    control = h('select', common,
      h('option', { value: '' }, 'Choose…'),
      options.map(([value, text]) => h('option', { value }, text)));
  } else if (type === 'textarea') {
    control = h('textarea', { ...common, rows: rows || 4 });
  } else {
    control = h('input', { ...common, type, autocomplete: autocomplete || 'off' });
  }
  return h('div', { class: 'field', 'data-field': name },
    h('label', { for: id }, label, required ? '' : h('span', { class: 'hint-inline' }, ' (optional)')),
    hint ? h('span', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'field-error', id: errorId, hidden: true }),
    control);
}

/** A group of big radio buttons. */
export function choices({ name, legend, hint, options, required = false }) {
  const base = `c-${name}-${++fieldSerial}`;
  return h('fieldset', { class: 'field', 'data-field': name, 'aria-describedby': hint ? base + '-hint' : null },
    h('legend', {}, legend),
    hint ? h('span', { class: 'hint', id: base + '-hint' }, hint) : null,
    h('p', { class: 'field-error', id: base + '-error', hidden: true }),
    h('div', { class: 'choices' }, options.map(([value, text], i) => h('div', { class: 'choice' },
      h('input', { type: 'radio', name, value, id: `${base}-${i}`, required: required && i === 0 }),
      h('label', { for: `${base}-${i}` }, text)))));
}

export function formValues(form) {
  const values = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === 'radio') { if (el.checked) values[el.name] = el.value; }
    else if (el.type === 'checkbox') values[el.name] = el.checked;
    else values[el.name] = el.value;
  }
  return values;
}

export function fillForm(form, values) {
  for (const el of form.elements) {
    if (!el.name || !(el.name in values)) continue;
    if (el.type === 'radio') el.checked = values[el.name] === el.value;
    else if (el.type === 'checkbox') el.checked = Boolean(values[el.name]);
    else el.value = values[el.name];
  }
}

/** Show errors beside their fields and in a summary at the top; focus the summary. */
export function showErrors(form, errors) {
  form.querySelector('.error-summary')?.remove();
  for (const box of form.querySelectorAll('[data-field]')) {
    const msg = errors[box.dataset.field];
    const p = box.querySelector('.field-error');
    box.classList.toggle('has-error', Boolean(msg));
    if (p) { p.hidden = !msg; p.textContent = msg ? `Error: ${msg}` : ''; }
  }
  const names = Object.keys(errors);
  if (!names.length) return;
  const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' },
    h('h2', {}, 'There is a problem'),
    h('ul', {}, names.map((n) => {
      const box = form.querySelector(`[data-field="${n}"]`);
      const target = box?.querySelector('input, select, textarea');
      return h('li', {}, target ? h('a', { href: '#' + target.id, onclick: (e) => { e.preventDefault(); target.focus(); } }, errors[n]) : errors[n]);
    })));
  form.prepend(summary);
  summary.focus();
}
