// The service's own settings: areas and routines, feedback question sets, and when to
// escalate. Each section saves only its own fields, with the version it was loaded at.
import * as api from '../api.js';
import { field, h, showErrors, toast } from '../ui.js';
import { alertBox, say } from './desk-common.js';
import { historyPanel, refused, staleNotice } from './admin-setup-common.js';

let serial = 0;

/** PATCH the service with ``changes``; 'saved', 'stale' (ctx.settings now current) or 'refused'. */
async function save(ctx, changes, form, box, label) {
  showErrors(form, {});
  say(box, null);
  try {
    ctx.settings = await api.request('PATCH', `/services/${ctx.settings.id}`,
      { base_version: ctx.settings.version, ...changes });
    return 'saved';
  } catch (err) {
    const current = refused(err, form, box, label);
    if (!current) return 'refused';
    ctx.settings = current;
    return 'stale';
  }
}

function section(id, title, ...children) {
  return h('section', { class: 'card setup-section', id, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title`, tabindex: '-1' }, title), ...children);
}

/** After a save: redraw this section (or all of them when it was stale) and say so. */
function after(ctx, outcome, name, message) {
  if (outcome === 'saved') { toast(message); ctx.redraw(name, { saved: true }); }
  if (outcome === 'stale') ctx.redrawSettings(name);
}

// ---- an editable list of names --------------------------------------------------------

function listEditor({ name, legend, hint, items, one, addLabel }) {
  const rows = h('ol', { class: 'setup-rows' });
  const renumber = () => [...rows.children].forEach((li, i) => {
    li.dataset.field = `${name}.${i}`;
    li.querySelector('label').textContent = `${one} ${i + 1}`;
    li.querySelector('button').setAttribute('aria-label', `Remove ${one.toLowerCase()} ${i + 1}`);
  });
  const row = (value) => {
    const id = `${name}-row-${++serial}`;
    const li = h('li', { class: 'setup-row' },
      h('label', { for: id, class: 'visually-hidden' }, one),
      h('p', { class: 'field-error', hidden: true }),
      h('div', { class: 'setup-row-line' },
        h('input', { type: 'text', id, name: `${name}[]`, value, maxlength: 120, autocomplete: 'off' }),
        h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => {
          const next = li.nextElementSibling?.querySelector('input') || newInput;
          li.remove(); renumber(); next.focus();
        } }, 'Remove')));
    rows.append(li);
    return li;
  };
  const newId = `${name}-new-${++serial}`;
  const newInput = h('input', { type: 'text', id: newId, maxlength: 120, autocomplete: 'off' });
  const add = () => {
    const value = newInput.value.trim();
    if (!value) { newInput.focus(); return; }
    row(value); renumber();
    newInput.value = '';
    newInput.focus();
  };
  newInput.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } });
  items.forEach((v) => row(v));
  renumber();
  const box = h('fieldset', { class: 'setup-list', 'data-field': name },
    h('legend', {}, legend), hint ? h('span', { class: 'hint' }, hint) : null,
    h('p', { class: 'field-error', hidden: true }), rows,
    h('div', { class: 'setup-add' },
      h('label', { for: newId }, `New ${one.toLowerCase()}`),
      h('div', { class: 'setup-row-line' }, newInput,
        h('button', { type: 'button', class: 'btn btn-secondary', onclick: add }, addLabel))));
  box.values = () => [...rows.querySelectorAll('input')].map((i) => i.value.trim());
  return box;
}

function plainList(items, empty) {
  return items.length ? h('ul', { class: 'setup-plain' }, items.map((i) => h('li', {}, i))) : h('p', {}, empty);
}

// ---- areas and routines ---------------------------------------------------------------

export function areasSection(ctx, { stale = false } = {}) {
  const { settings, can } = ctx;
  const history = historyPanel(`/services/${settings.id}/history?about=areas`, 'History of the areas and routines');
  if (!can.configure) {
    return section('setup-areas', 'Areas and routines',
      h('div', { class: 'setup-two' },
        h('div', {}, h('h3', {}, 'Areas'), plainList(settings.areas, 'No areas yet.')),
        h('div', {}, h('h3', {}, 'Routines'), plainList(settings.routines, 'No routines yet.'))),
      h('p', { class: 'meta' }, 'The registered manager or a provider admin can change these.'), history);
  }
  const areas = listEditor({ name: 'areas', legend: 'Areas', items: settings.areas, one: 'Area',
    addLabel: 'Add area', hint: 'Places floor staff pick when they record a finding. At least one.' });
  const routines = listEditor({ name: 'routines', legend: 'Routines', items: settings.routines, one: 'Routine',
    addLabel: 'Add routine', hint: 'Times of day or tasks a finding can be about.' });
  const box = alertBox();
  const form = h('form', { novalidate: true, class: 'setup-form' },
    h('div', { class: 'setup-two' }, areas, routines),
    h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save areas and routines')), box);
  const label = (f) => {
    const [list, index] = f.split('.');
    const one = list === 'areas' ? 'Area' : 'Routine';
    return index === undefined ? `${one}s` : `${one} ${Number(index) + 1}`;
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const outcome = await save(ctx, { areas: areas.values(), routines: routines.values() }, form, box, label);
    after(ctx, outcome, 'areas', 'Areas and routines saved.');
  });
  return section('setup-areas', 'Areas and routines', stale ? staleNotice() : null, form, history);
}

// ---- feedback question sets -----------------------------------------------------------

function slug(text, taken) {
  const base = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'set';
  let id = base;
  for (let n = 2; taken.has(id); n += 1) id = `${base}-${n}`;
  return id;
}

function questionsEditor(sets) {
  const holder = h('div', { class: 'setup-sets' });
  const allIds = () => new Set([...holder.querySelectorAll('[data-qid]')].map((el) => el.dataset.qid)
    .concat([...holder.querySelectorAll('[data-sid]')].map((el) => el.dataset.sid)));
  const renumber = () => [...holder.children].forEach((fs, s) => {
    fs.dataset.field = `question_sets.${s}`;
    fs.querySelector('.setup-set-name').dataset.field = `question_sets.${s}.name`;
    fs.querySelector('.setup-rows').parentElement.dataset.field = `question_sets.${s}.questions`;
    [...fs.querySelectorAll('.setup-rows > li')].forEach((li, q) => {
      li.dataset.field = `question_sets.${s}.questions.${q}.text`;
      li.querySelector('label').textContent = `Question ${q + 1}`;
      li.querySelector('button').setAttribute('aria-label', `Remove question ${q + 1} of ${fs.querySelector('.setup-set-name input').value || 'this set'}`);
    });
  });
  const question = (rows, q) => {
    const id = `q-${++serial}`;
    const li = h('li', { class: 'setup-row', 'data-qid': q.id },
      h('label', { for: id, class: 'visually-hidden' }, 'Question'),
      h('p', { class: 'field-error', hidden: true }),
      h('div', { class: 'setup-row-line' },
        h('textarea', { id, rows: 2, maxlength: 500 }, q.text),
        h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => {
          const next = li.nextElementSibling?.querySelector('textarea') || li.closest('fieldset').querySelector('.setup-add input');
          li.remove(); renumber(); next.focus();
        } }, 'Remove')));
    rows.append(li);
    return li;
  };
  const addSet = (set) => {
    const rows = h('ol', { class: 'setup-rows' });
    const nameId = `set-name-${++serial}`;
    const newId = `set-new-${serial}`;
    const nameInput = h('input', { type: 'text', id: nameId, value: set.name, maxlength: 120, autocomplete: 'off' });
    const newInput = h('input', { type: 'text', id: newId, maxlength: 500, autocomplete: 'off' });
    const legend = h('legend', {}, set.name);
    nameInput.addEventListener('input', () => { legend.textContent = nameInput.value || 'New question set'; });
    const addQuestion = () => {
      const text = newInput.value.trim();
      if (!text) { newInput.focus(); return; }
      const taken = allIds();
      let n = rows.children.length + 1;
      while (taken.has(`${set.id}-${n}`)) n += 1;
      question(rows, { id: `${set.id}-${n}`, text });
      renumber();
      newInput.value = '';
      newInput.focus();
    };
    newInput.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); addQuestion(); } });
    const fs = h('fieldset', { class: 'setup-set', 'data-sid': set.id }, legend,
      h('p', { class: 'field-error', hidden: true }),
      h('div', { class: 'field setup-set-name' }, h('label', { for: nameId }, 'Name of the set'),
        h('p', { class: 'field-error', hidden: true }), nameInput),
      h('div', { class: 'setup-questions' }, h('p', { class: 'field-error', hidden: true }), rows),
      h('div', { class: 'setup-add' }, h('label', { for: newId }, 'New question'),
        h('div', { class: 'setup-row-line' }, newInput,
          h('button', { type: 'button', class: 'btn btn-secondary', onclick: addQuestion }, 'Add question'))),
      h('button', { type: 'button', class: 'btn btn-danger', onclick: () => { fs.remove(); renumber(); } }, 'Remove this set'));
    set.questions.forEach((q) => question(rows, q));
    holder.append(fs);
    renumber();
    return fs;
  };
  sets.forEach(addSet);
  holder.values = () => [...holder.children].map((fs) => ({
    id: fs.dataset.sid,
    name: fs.querySelector('.setup-set-name input').value.trim(),
    questions: [...fs.querySelectorAll('.setup-rows > li')].map((li) => ({ id: li.dataset.qid, text: li.querySelector('textarea').value.trim() })),
  }));
  holder.addSet = (name) => {
    const fs = addSet({ id: slug(name, allIds()), name, questions: [] });
    fs.querySelector('.setup-add input').focus();
  };
  return holder;
}

export function questionsSection(ctx, { stale = false } = {}) {
  const { settings, can } = ctx;
  const history = historyPanel(`/services/${settings.id}/history?about=question_sets`, 'History of the feedback questions');
  const title = 'Feedback questions';
  if (!can.configure) {
    return section('setup-questions', title, settings.question_sets.map((s) => h('div', {},
      h('h3', {}, s.name), h('ol', {}, s.questions.map((q) => h('li', {}, q.text))))),
    h('p', { class: 'meta' }, 'The registered manager or a provider admin can change these.'), history);
  }
  const sets = questionsEditor(settings.question_sets);
  const newSet = field({ name: 'new_set', label: 'Name of a new question set', hint: 'Then add its questions.' });
  newSet.querySelector('.hint-inline')?.remove();
  const box = alertBox();
  const form = h('form', { novalidate: true, class: 'setup-form' },
    h('p', { class: 'hint' }, 'Key workers ask these questions and record the answers as feedback. '
      + 'The set named “Leadership visibility” feeds the visibility measure. Feedback already recorded keeps its question.'),
    h('div', { 'data-field': 'question_sets' }, h('p', { class: 'field-error', hidden: true }), sets),
    h('div', { class: 'setup-new-set' }, newSet, h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => {
      const input = newSet.querySelector('input');
      if (!input.value.trim()) { input.focus(); return; }
      sets.addSet(input.value.trim());
      input.value = '';
    } }, 'Add question set')),
    h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save feedback questions')), box);
  form.elements.new_set.addEventListener('keydown', (e) => { if (e.key === 'Enter') e.preventDefault(); });
  const label = (f) => {
    const [, s, part, q] = f.split('.');
    const set = sets.values()[Number(s)];
    const where = set ? `“${set.name || 'New question set'}”` : 'Question sets';
    if (part === 'questions' && q !== undefined) return `${where}, question ${Number(q) + 1}`;
    if (part === 'name') return `${where}, name`;
    return where;
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const outcome = await save(ctx, { question_sets: sets.values() }, form, box, label);
    after(ctx, outcome, 'questions', 'Feedback questions saved.');
  });
  return section('setup-questions', title, stale ? staleNotice() : null, form, history);
}

// ---- when to escalate -----------------------------------------------------------------

/** The provider's escalation times in words, shown beside the criteria. */
export function escalationTimes(settings) {
  const hours = settings.thresholds.thresholds.escalation_hours;
  return `Escalation times for the whole provider (see Thresholds): high risk ${hours.high} hours, `
    + `medium ${hours.medium} hours, low ${hours.low} hours.`;
}

export function escalationSection(ctx, { stale = false } = {}) {
  const { settings, can } = ctx;
  const history = historyPanel(`/services/${settings.id}/history?about=escalation_criteria`, 'History of the escalation criteria');
  const times = h('p', { class: 'meta setup-escalation-times' }, escalationTimes(settings));
  const title = 'When to escalate';
  if (!can.configure) {
    return section('setup-escalation', title,
      h('p', { class: 'setup-criteria' }, settings.escalation_criteria || 'No escalation criteria written yet.'), times,
      h('p', { class: 'meta' }, 'The registered manager or a provider admin can change these.'), history);
  }
  const box = alertBox();
  const form = h('form', { novalidate: true, class: 'setup-form' },
    field({ name: 'escalation_criteria', label: 'Escalation criteria', type: 'textarea', rows: 5,
      hint: 'What makes a finding go to the registered manager or to the provider, and how fast. Staff read this when they record a high-risk finding.' }),
    times,
    h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save escalation criteria')), box);
  form.elements.escalation_criteria.value = settings.escalation_criteria;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const outcome = await save(ctx, { escalation_criteria: form.elements.escalation_criteria.value.trim() },
      form, box, () => 'Escalation criteria');
    after(ctx, outcome, 'escalation', 'Escalation criteria saved.');
  });
  return section('setup-escalation', title, stale ? staleNotice() : null, form, history);
}

// ---- safeguarding steps ---------------------------------------------------------------

/** The provider's own steps for a possible safeguarding concern: the tablet shows them when
 * someone ticks "This may be a safeguarding concern" on a feedback form. */
export function safeguardingSection(ctx, { stale = false } = {}) {
  const { settings, can } = ctx;
  const history = historyPanel(`/services/${settings.id}/history?about=safeguarding_steps`, 'History of the safeguarding steps');
  const title = 'Safeguarding steps';
  if (!can.configure) {
    return section('setup-safeguarding', title,
      h('p', { class: 'setup-criteria' }, settings.safeguarding_steps || 'No safeguarding steps written yet.'),
      h('p', { class: 'meta' }, 'The registered manager or a provider admin can change these.'), history);
  }
  const box = alertBox();
  const form = h('form', { novalidate: true, class: 'setup-form' },
    field({ name: 'safeguarding_steps', label: 'What staff do about a possible safeguarding concern', type: 'textarea', rows: 5,
      hint: 'One step a line: who to tell, how fast, what to write down. The tablet shows these when someone marks feedback as a possible safeguarding concern, even without signal.' }),
    h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save safeguarding steps')), box);
  form.elements.safeguarding_steps.value = settings.safeguarding_steps || '';
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const outcome = await save(ctx, { safeguarding_steps: form.elements.safeguarding_steps.value.trim() },
      form, box, () => 'Safeguarding steps');
    after(ctx, outcome, 'safeguarding', 'Safeguarding steps saved.');
  });
  return section('setup-safeguarding', title, stale ? staleNotice() : null, form, history);
}

export { section };
