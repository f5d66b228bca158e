// Reports: the monthly governance report (page, PDF, CSV) and the evidence pack for an
// inspection (page, PDF). Each is a plain link to the server, which checks who may see
// what; the links change as the choices change, and a choice that cannot work is named
// next to its field before the link is followed.
import * as api from '../api.js';
import { field, h, show } from '../ui.js';
import { TODAY, myServices, refusal } from './desk-common.js';
import { chosenIds, fill, statementPicker } from './statement-picker.js';
import { prepareOnClick, statusLine } from './report-jobs.js';

const GOVERNANCE = '/api/v1/reports/governance';
const PACK = '/api/v1/reports/evidence-pack';

function lastMonth() {
  const [year, month] = TODAY().split('-').map(Number);
  const d = new Date(Date.UTC(year, month - 2, 1));
  return d.toISOString().slice(0, 7);
}

function monthsAgo(count) {
  const [year, month] = TODAY().split('-').map(Number);
  return new Date(Date.UTC(year, month - 1 - count, 1)).toISOString().slice(0, 10);
}

/** Show ``message`` beside the field named ``name`` in ``form`` (none: clear it). */
function fieldError(form, name, message) {
  const box = form.querySelector(`[data-field="${name}"]`);
  const p = box.querySelector('.field-error');
  box.classList.toggle('has-error', Boolean(message));
  p.hidden = !message;
  p.textContent = message ? `Error: ${message}` : '';
  const control = box.querySelector('input, select');
  if (message) control.setAttribute('aria-invalid', 'true'); else control.removeAttribute('aria-invalid');
}

function link(text, extra = {}) {
  return h('a', { class: 'btn btn-secondary', ...extra }, text);
}

/** Keep each link's address in step with the form; stop a click while a field is wrong. */
function wire(form, links, check) {
  const update = () => {
    const { errors, urls } = check();
    for (const [name, a] of Object.entries(links)) a.href = urls[name];
    return errors;
  };
  form.addEventListener('input', () => { update(); });
  form.addEventListener('change', () => { update(); });
  for (const a of Object.values(links)) {
    a.addEventListener('click', (event) => {
      const errors = update();
      const names = [...form.querySelectorAll('[data-field]')].map((b) => b.dataset.field);
      for (const name of names) fieldError(form, name, errors[name]);
      if (Object.keys(errors).length) {
        event.preventDefault();
        form.querySelector('[aria-invalid="true"]')?.focus();
      }
    });
  }
  update();
}

function governanceSection(services) {
  const form = h('form', { class: 'card desk-report-form', novalidate: true, onsubmit: (e) => e.preventDefault() },
    h('div', { class: 'desk-report-grid' },
      field({ name: 'month', label: 'Month', type: 'month', required: true, hint: 'For example 2026-10. Last month is chosen for you.' }),
      field({ name: 'service_id', label: 'Service', required: true, options: services.map((s) => [s.id, s.name]) })));
  const select = form.elements.service_id;
  const blank = select.querySelector('option[value=""]');
  if (services.length > 1) blank.textContent = 'All my services together';
  else blank.remove();
  form.elements.month.value = lastMonth();
  form.elements.month.max = TODAY().slice(0, 7);
  const links = {
    html: link('Open report', { target: '_blank', rel: 'noopener', class: 'btn btn-primary' }),
    pdf: link('Download PDF', { download: '' }),
    csv: link('Download CSV', { download: '' }),
  };
  wire(form, links, () => {
    const month = form.elements.month.value.trim();
    const errors = {};
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) errors.month = 'Give the month as YYYY-MM, for example 2026-10.';
    else if (month > TODAY().slice(0, 7)) errors.month = 'Choose a month that has begun.';
    const params = new URLSearchParams({ month });
    if (select.value) params.set('service_id', select.value);
    const urls = {};
    for (const kind of ['html', 'pdf', 'csv']) urls[kind] = `${GOVERNANCE}.${kind}?${params}`;
    return { errors, urls };
  });
  const status = statusLine();
  prepareOnClick(links.pdf, '/reports/governance/prepare', status, 'governance report PDF');
  return h('section', { class: 'desk-report', 'aria-labelledby': 'reports-governance' },
    h('h2', { id: 'reports-governance' }, 'Monthly governance report'),
    h('p', {}, 'For the provider\'s oversight meeting: the month\'s figures and early warnings as at the month end, '
      + 'improvement measures, high-risk and overdue entries, reviews, themes, the challenges to minute, and an '
      + 'appendix of every decision and sign-off. The CSV lists every entry of the month, one row each, '
      + 'with the appendix\'s columns.'),
    form,
    h('div', { class: 'button-row desk-report-links' }, links.html, links.pdf, links.csv),
    status);
}

function packSection(services, frameworks, inForce) {
  const form = h('form', { class: 'card desk-report-form', novalidate: true, onsubmit: (e) => e.preventDefault() },
    h('div', { class: 'desk-report-grid' },
      field({ name: 'pack_service', label: 'Service', required: true, options: services.map((s) => [s.id, s.name]) }),
      field({ name: 'from', label: 'From', type: 'date', required: true }),
      field({ name: 'to', label: 'To', type: 'date', required: true }),
      field({ name: 'framework', label: 'Framework', required: true,
        options: frameworks.map((f) => [f.id, f.in_force ? `${f.name} (in force)` : f.name]) })),
    statementPicker({ legend: 'Quality statements', framework: inForce,
      hint: 'Tick one or more for a short pack about them alone; routine low-risk actions are then summarised in a table. '
        + 'Tick none for the whole pack.' }));
  for (const name of ['pack_service', 'framework']) {
    const select = form.elements[name];
    select.querySelector('option[value=""]')?.remove();
  }
  const picker = form.querySelector('.statement-picker');
  if (inForce) form.elements.framework.value = inForce;
  form.elements.framework.addEventListener('change', () => {
    picker._chosen = [];
    delete picker.dataset.ready;
    picker.ready = fill(picker, form.elements.framework.value);
  });
  form.elements.from.value = monthsAgo(3);
  form.elements.to.value = TODAY();
  const links = {
    html: link('Open evidence pack', { target: '_blank', rel: 'noopener', class: 'btn btn-primary' }),
    pdf: link('Download evidence pack PDF', { download: '' }),
  };
  wire(form, links, () => {
    const from = form.elements.from.value;
    const to = form.elements.to.value;
    const errors = {};
    if (!from) errors.from = 'Give the first day of the period.';
    if (!to) errors.to = 'Give the last day of the period.';
    else if (from && to < from) errors.to = 'The last day must not be before the first.';
    if (!form.elements.pack_service.value) errors.pack_service = 'Choose a service.';
    if (!form.elements.framework.value) errors.framework = 'Choose a framework.';
    const params = new URLSearchParams({ service_id: form.elements.pack_service.value, from, to,
      framework: form.elements.framework.value });
    const statements = chosenIds(picker);
    if (statements.length) params.set('statement_ids', statements.join(','));
    return { errors, urls: { html: `${PACK}.html?${params}`, pdf: `${PACK}.pdf?${params}` } };
  });
  const status = statusLine();
  prepareOnClick(links.pdf, `${PACK.replace('/api/v1', '')}/prepare`, status, 'evidence pack PDF');
  return h('section', { class: 'desk-report', 'aria-labelledby': 'reports-pack' },
    h('h2', { id: 'reports-pack' }, 'Evidence pack for inspection'),
    h('p', {}, 'For inspectors and commissioners: one service\'s entries for the period, grouped by key question '
      + 'and quality statement, with their decisions, outcomes and evidence.'),
    form,
    h('div', { class: 'button-row desk-report-links' }, links.html, links.pdf),
    status);
}

export async function render() {
  let services; let frameworks;
  try {
    [services, frameworks] = await Promise.all([myServices(), api.get('/cqc/frameworks')]);
  } catch (err) {
    show(h('h1', {}, 'Reports'), h('p', { class: 'notice notice-bad', role: 'alert' }, refusal(err)));
    return;
  }
  if (!services.length) {
    show(h('h1', {}, 'Reports'), h('p', { class: 'notice' }, 'You do not work in any service yet.'));
    return;
  }
  show(h('h1', {}, 'Reports'),
    governanceSection(services),
    packSection(services, frameworks.items || [], frameworks.in_force));
}
