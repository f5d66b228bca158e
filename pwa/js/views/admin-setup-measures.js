// Improvement measures of a service: each with where it stands against its target, a form
// to change its name, baseline, target or deadline, and a form to set a new one.
import * as api from '../api.js';
import { day, field, h, showErrors, toast } from '../ui.js';
import { TODAY, alertBox, refusal, say } from './desk-common.js';
import { historyPanel, longDay, refused, staleNotice } from './admin-setup-common.js';

const METRICS = [
  ['follow_ups_within_timescale', 'Follow-up actions completed within timescale (by their first due date)'],
  ['positive_visibility_feedback', 'Positive feedback on leadership visibility'],
  ['high_risk_audit_escalation', 'High-risk audit findings with a recorded escalation decision'],
];
const METRIC = Object.fromEntries(METRICS);
const STATUS = { no_data: 'No figures yet', on_target: 'On target', below_target: 'Below target', missed: 'Target missed' };
const LABEL = { name: 'Name', metric: 'What is measured', baseline: 'Baseline (%)', target: 'Target (%)',
  start_date: 'Start date', deadline: 'Deadline', base_version: 'Version' };
const pc = (v) => (v === null || v === undefined ? '–' : `${Number(v)}%`);

function progress(m) {
  const p = m.progress;
  const latest = p.latest_value === null
    ? 'Nothing has fallen due since the start.'
    : `Latest week (from ${day(p.latest_week_start)}): ${pc(p.latest_value)}.`;
  // Widths are set through the DOM: the page's CSP refuses style attributes.
  const fill = h('span', { class: 'setup-bar-fill' });
  fill.style.width = `${Math.max(0, Math.min(100, p.latest_value ?? 0))}%`;
  const target = h('span', { class: 'setup-bar-target' });
  target.style.left = `${m.target}%`;
  return [
    h('p', { class: 'setup-progress' }, h('span', { class: `badge setup-status-${p.status}` }, STATUS[p.status] || p.status), ' ', latest),
    h('div', { class: 'setup-bar', 'aria-hidden': 'true' }, fill, target),
  ];
}

function numbers(form, names) {
  const values = {};
  for (const name of names) {
    const raw = form.elements[name].value.trim();
    if (raw === '') continue;
    values[name] = ['baseline', 'target'].includes(name) && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
  }
  return values;
}

function percentField(name, hint) {
  const f = field({ name, label: LABEL[name], type: 'number', required: true, hint });
  const input = f.querySelector('input');
  Object.assign(input, { min: 0, max: 100, step: 0.1 });
  input.setAttribute('inputmode', 'decimal');
  return f;
}

function editForm(ctx, m, onDone) {
  const box = alertBox();
  const form = h('form', { novalidate: true, class: 'setup-form setup-measure-edit' },
    h('h4', {}, 'Change this measure'),
    field({ name: 'name', label: LABEL.name, required: true }),
    h('div', { class: 'setup-grid' }, percentField('baseline', 'Where it stood at the start.'),
      percentField('target', 'Where it should be by the deadline.'),
      field({ name: 'deadline', label: LABEL.deadline, type: 'date', required: true, hint: `After the start, ${longDay(m.start_date)}.` })),
    h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save the measure'),
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => onDone() }, 'Cancel')), box);
  for (const name of ['name', 'baseline', 'target', 'deadline']) form.elements[name].value = m[name];
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showErrors(form, {});
    say(box, null);
    const sent = numbers(form, ['name', 'baseline', 'target', 'deadline']);
    const changes = Object.fromEntries(Object.entries(sent).filter(([k, v]) => v !== m[k]));
    if (!Object.keys(changes).length) { say(box, 'Nothing has changed.', 'warn'); return; }
    try {
      await api.request('PATCH', `/measures/${m.id}`, { base_version: m.version, ...changes });
      toast('Measure saved.');
      ctx.redraw('measures', { saved: true });
    } catch (err) {
      const current = refused(err, form, box, (f) => LABEL[f] || f);
      if (current) onDone(current);
    }
  });
  return form;
}

function card(ctx, m, { stale = false, editing = false } = {}) {
  const headingId = `measure-${m.id}`;
  const li = h('li', { class: 'setup-measure' }, h('h3', { id: headingId }, m.name),
    stale ? staleNotice() : null,
    h('p', { class: 'meta' }, `${METRIC[m.metric] || m.metric} · from ${longDay(m.start_date)}`),
    h('p', {}, `Baseline ${pc(m.baseline)} · target ${pc(m.target)} by ${longDay(m.deadline)}`),
    progress(m));
  if (ctx.can.manageMeasures) {
    const slot = h('div');
    const open = (measure, isStale) => {
      if (isStale) {
        // Someone saved first: show their version, with the form holding their values.
        const fresh = card(ctx, measure, { stale: true, editing: true });
        li.replaceWith(fresh);
        fresh.querySelector('form input')?.focus();
        return;
      }
      slot.replaceChildren(editForm(ctx, measure, (current) => (current ? open(current, true) : close())));
      slot.querySelector('input').focus();
    };
    const button = h('button', { type: 'button', class: 'btn btn-secondary', 'aria-describedby': headingId,
      onclick: () => { button.hidden = true; open(m); } }, 'Change target or deadline');
    const close = () => { slot.replaceChildren(); button.hidden = false; button.focus(); };
    li.append(button, slot);
    if (editing) { button.hidden = true; slot.replaceChildren(editForm(ctx, m, (current) => (current ? open(current, true) : close()))); }
  }
  return li;
}

function createForm(ctx) {
  const box = alertBox();
  const form = h('form', { novalidate: true, class: 'setup-form' },
    field({ name: 'name', label: LABEL.name, required: true, hint: 'For example: Follow-ups completed on time.' }),
    field({ name: 'metric', label: LABEL.metric, required: true, options: METRICS, hint: 'Worked out from the log week by week.' }),
    h('div', { class: 'setup-grid' },
      percentField('baseline', 'Where it stands now.'), percentField('target', 'Where it should be by the deadline.'),
      field({ name: 'start_date', label: LABEL.start_date, type: 'date', required: true }),
      field({ name: 'deadline', label: LABEL.deadline, type: 'date', required: true, hint: 'For example six or eight weeks on.' })),
    h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Set the measure')), box);
  form.elements.start_date.value = TODAY();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showErrors(form, {});
    say(box, null);
    try {
      await api.post('/measures', { service_id: ctx.settings.id,
        ...numbers(form, ['name', 'metric', 'baseline', 'target', 'start_date', 'deadline']) });
      toast('Measure set.');
      ctx.redraw('measures', { saved: true });
    } catch (err) { refused(err, form, box, (f) => LABEL[f] || f); }
  });
  return h('details', { class: 'setup-new' }, h('summary', {}, 'Set a new improvement measure'), form);
}

export async function measuresSection(ctx) {
  const id = 'setup-measures';
  const parts = [h('h2', { id: `${id}-title`, tabindex: '-1' }, 'Improvement measures'),
    h('p', {}, 'Each measure is worked out from the log itself, week by week. A carried-forward action counts as late.')];
  try {
    const list = await api.get(`/measures?service_id=${ctx.settings.id}&per_page=50`);
    const measures = await Promise.all(list.items.map((m) => api.get(`/measures/${m.id}`)));
    parts.push(measures.length ? h('ul', { class: 'list setup-measures' }, measures.map((m) => card(ctx, m)))
      : h('p', { class: 'notice' }, 'No improvement measures are set for this service yet.'));
  } catch (err) {
    parts.push(h('p', { class: 'notice notice-bad' }, refusal(err)));
  }
  if (ctx.can.manageMeasures) parts.push(createForm(ctx));
  else parts.push(h('p', { class: 'meta' }, 'The registered manager, the nominated individual or the provider quality lead can set and change measures.'));
  parts.push(historyPanel(`/services/${ctx.settings.id}/history?about=measures`, 'History of the measures'));
  return h('section', { class: 'card setup-section', id, 'aria-labelledby': `${id}-title` }, parts);
}
