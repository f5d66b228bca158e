// The provider's threshold table (DESIGN.md rule 7): read by everyone, changed by the
// nominated individual, the provider quality lead or a provider admin. Empty = default.
import * as api from '../api.js';
import { h, showErrors, toast } from '../ui.js';
import { alertBox, say } from './desk-common.js';
import { historyPanel, refused, staleNotice } from './admin-setup-common.js';

// Each setting: its label, unit, allowed range and what it means (docs/thresholds.md).
const SETTINGS = [
  ['repeat_finding_count', 'Findings that make a repeat', '', [2, 50],
    'This many findings with the same area and source within the window below raise an early warning.'],
  ['repeat_finding_window_days', 'Repeat-finding window', 'days', [1, 365], 'The window for repeat findings.'],
  ['chasing_count', 'Negative feedback that counts as chasing', '', [2, 50],
    'This many negative answers from a family or a person supported, about the same question or area, within the window below.'],
  ['chasing_window_days', 'Chasing window', 'days', [1, 365], 'The window for chasing.'],
  ['rm_review_interval_days', 'Registered manager’s review every', 'days', [1, 90],
    'A weekly review is due this many days after the last one.'],
  ['provider_review_interval_days', 'Provider’s review every', 'days', [1, 365],
    'How often the nominated individual or quality lead reviews each service’s log.'],
  ['carry_forward_limit', 'Carry-forwards before a warning', '', [1, 20],
    'An entry whose due date has moved this many times raises an early warning.'],
  ['walkaround_follow_up_window_days', 'Walkarounds without follow-up: look back', 'days', [1, 90],
    'A walkaround this recent that produced no follow-up raises an early warning.'],
];
const RISKS = [['high', 'High risk'], ['medium', 'Medium risk'], ['low', 'Low risk']];
const LABELS = Object.fromEntries(SETTINGS.map(([name, label]) => [name, label]));
for (const [risk, text] of RISKS) LABELS[`escalation_hours.${risk}`] = `Escalation time, ${text.toLowerCase()}`;

const unitText = (value, unit) => `${value}${unit ? ` ${unit}` : ''}`;

function numberField(name, label, unit, [low, high], hint, value, fallback, customised) {
  const id = `th-${name.replace('.', '-')}`;
  const note = customised ? ` Changed: the default is ${fallback}.` : ' This is the default.';
  return h('div', { class: 'field setup-number', 'data-field': name },
    h('label', { for: id }, label, unit ? ` (${unit})` : ''),
    h('span', { class: 'hint', id: `${id}-hint` }, `${hint ? `${hint} ` : ''}From ${low} to ${high}.${note}`),
    h('p', { class: 'field-error', id: `${id}-error`, hidden: true }),
    h('input', { type: 'number', id, name, min: low, max: high, step: 1, inputmode: 'numeric',
      value, 'aria-describedby': `${id}-hint ${id}-error` }));
}

function readOnlyTable(table) {
  const t = table.thresholds;
  const rows = [
    ...RISKS.map(([risk, text]) => [`Escalation time, ${text.toLowerCase()}`, unitText(t.escalation_hours[risk], 'hours'),
      unitText(table.defaults.escalation_hours[risk], 'hours')]),
    ...SETTINGS.map(([name, label, unit]) => [label, unitText(t[name], unit), unitText(table.defaults[name], unit)]),
  ];
  return h('table', { class: 'setup-table' },
    h('caption', { class: 'visually-hidden' }, 'The provider’s thresholds'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Setting'), h('th', { scope: 'col' }, 'Now'), h('th', { scope: 'col' }, 'Default'))),
    h('tbody', {}, rows.map(([a, b, c]) => h('tr', {}, h('th', { scope: 'row' }, a), h('td', {}, b), h('td', {}, c)))));
}

/** Only what differs from the table as loaded; an emptied box puts a setting back to default. */
function changesIn(form, table) {
  const changes = {};
  const read = (name) => (form.elements[name].value === '' ? null : Number(form.elements[name].value));
  const hours = {};
  for (const [risk] of RISKS) {
    const value = read(`escalation_hours.${risk}`);
    const fallback = table.defaults.escalation_hours[risk];
    if ((value ?? fallback) !== table.thresholds.escalation_hours[risk]) hours[risk] = value;
  }
  if (Object.keys(hours).length) changes.escalation_hours = hours;
  for (const [name] of SETTINGS) {
    const value = read(name);
    if ((value ?? table.defaults[name]) !== table.thresholds[name]) changes[name] = value;
  }
  return changes;
}

export function thresholdsSection(ctx, { stale = false } = {}) {
  const table = ctx.settings.thresholds;
  const history = historyPanel('/provider/thresholds/history', 'History of the thresholds');
  const intro = h('p', {}, 'These apply to every service of the provider: when findings count as past their escalation time, '
    + 'and what raises an early warning.');
  const parts = [h('h2', { id: 'setup-thresholds-title', tabindex: '-1' }, 'Thresholds'), stale ? staleNotice() : null, intro];
  if (!ctx.can.thresholds) {
    parts.push(readOnlyTable(table),
      h('p', { class: 'meta' }, 'Only the nominated individual, the provider quality lead or a provider admin can change these.'), history);
    return h('section', { class: 'card setup-section', id: 'setup-thresholds', 'aria-labelledby': 'setup-thresholds-title' }, parts);
  }
  const hours = table.thresholds.escalation_hours;
  const box = alertBox();
  const form = h('form', { novalidate: true, class: 'setup-form' },
    h('p', { class: 'hint' }, 'Whole numbers. Empty a box to put that setting back to its default.'),
    h('fieldset', {}, h('legend', {}, 'Escalation time in hours'),
      h('span', { class: 'hint' }, 'From when the server receives a finding. Higher risk needs a shorter time.'),
      h('div', { class: 'setup-grid setup-grid-3' }, RISKS.map(([risk, text]) => numberField(`escalation_hours.${risk}`, text, 'hours',
        [1, 720], '', hours[risk], table.defaults.escalation_hours[risk], hours[risk] !== table.defaults.escalation_hours[risk])))),
    h('div', { class: 'setup-settings' }, SETTINGS.map(([name, label, unit, range, hint]) => numberField(name, label, unit, range, hint,
      table.thresholds[name], table.defaults[name], table.thresholds[name] !== table.defaults[name]))),
    h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save thresholds')), box);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showErrors(form, {});
    say(box, null);
    const changes = changesIn(form, table);
    if (!Object.keys(changes).length) { say(box, 'Nothing has changed.', 'warn'); return; }
    try {
      const saved = await api.request('PATCH', '/provider/thresholds', { base_version: table.version, ...changes });
      ctx.settings = { ...ctx.settings, thresholds: saved };
      toast('Thresholds saved.');
      ctx.redraw('thresholds', { saved: true });
      ctx.thresholdsChanged();
    } catch (err) {
      const current = refused(err, form, box, (f) => LABELS[f] || f);
      if (current) {
        ctx.settings = { ...ctx.settings, thresholds: current };
        ctx.redraw('thresholds', { stale: true });
      }
    }
  });
  parts.push(form, history);
  return h('section', { class: 'card setup-section', id: 'setup-thresholds', 'aria-labelledby': 'setup-thresholds-title' }, parts);
}
