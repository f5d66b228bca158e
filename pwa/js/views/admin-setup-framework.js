// The framework in force: which CQC framework version the provider works to. The evidence
// pack, the statement pickers and the suggestions default to it. A provider-wide setting:
// the nominated individual, the provider quality lead or a provider admin changes it.
import * as api from '../api.js';
import { field, h, toast } from '../ui.js';
import { alertBox, say } from './desk-common.js';
import { refused } from './admin-setup-common.js';
import { forgetFrameworks, frameworkList } from './statement-picker.js';

function label(f) {
  return f.published ? `${f.name} (${f.published})` : f.name;
}

export async function frameworkSection(ctx) {
  const heading = h('h2', { id: 'setup-framework-title', tabindex: '-1' }, 'Framework in force');
  const intro = h('p', {}, 'The CQC framework version this provider works to, for every service. The evidence pack, '
    + 'the quality statements offered at triage and on entries, and the suggestions use it. Entries keep their tags when it changes.');
  const section = (...parts) => h('section', { class: 'card setup-section', id: 'setup-framework',
    'aria-labelledby': 'setup-framework-title' }, heading, intro, ...parts);
  let list;
  try {
    list = await frameworkList();
  } catch {
    return section(h('p', { class: 'notice notice-bad' }, 'The frameworks could not be loaded. Try again later.'));
  }
  const current = list.items.find((f) => f.id === list.in_force);
  const now = h('p', { class: 'setup-framework-now' }, 'In force: ', h('strong', {}, current ? label(current) : list.in_force));
  if (!ctx.can.thresholds) {
    return section(now, h('p', { class: 'meta' },
      'Only the nominated individual, the provider quality lead or a provider admin can change it.'));
  }
  const box = alertBox();
  const form = h('form', { novalidate: true, class: 'setup-form' },
    field({ name: 'framework', label: 'Framework in force', required: true, options: list.items.map((f) => [f.id, label(f)]),
      hint: 'Choose the version CQC assesses against now. A consultation draft is for reading a log against, not for inspections yet.' }),
    h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save framework in force')), box);
  form.elements.framework.querySelector('option[value=""]')?.remove();
  form.elements.framework.value = list.in_force;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    say(box, null);
    if (form.elements.framework.value === list.in_force) { say(box, 'Nothing has changed.', 'warn'); return; }
    try {
      await api.request('PATCH', '/provider/framework', { framework: form.elements.framework.value });
      forgetFrameworks();
      toast('Framework in force saved.');
      ctx.redraw('framework', { saved: true });
    } catch (err) {
      refused(err, form, box, () => 'Framework in force');
    }
  });
  return section(now, form);
}
