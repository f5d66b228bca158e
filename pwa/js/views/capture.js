// Capture screens: a walkaround finding, a visibility check, and feedback.
// Built for one hand on a tablet: big choices, sensible defaults, one Save button.
import * as db from '../db.js';
import * as drafts from '../drafts.js';
import * as outbox from '../outbox.js';
import * as submission from '../submission.js';
import * as sync from '../sync.js';
import { LABELS, actionBar, choices, field, fillForm, formValues, h, sendingWords, show, showErrors, toast } from '../ui.js';
import * as validation from '../validation.js';

const YES_NO = [['yes', 'Yes'], ['no', 'No']];
const PEOPLE_HINT = 'Use record references or initials only, for example "R-1042" or "J.S.". Never write full names.';

export const FORMS = {
  finding: {
    title: 'Record a walkaround finding',
    kind: 'walkaround_issue',
    source: 'walkaround',
    seen: 'What did you see?',
    seenHint: 'Describe what you saw, as facts: where, when, what happened.',
    button: 'Save finding',
    noun: 'walkaround finding',
    // The sources a walkaround finding usually has; the rest are under "Other…".
    sources: ['walkaround', 'handover', 'incident', 'family_communication', 'staffing'],
  },
  visibility: {
    title: 'Record a visibility check',
    kind: 'visibility_check',
    source: 'visibility_check',
    seen: 'What did you see of leaders on the floor?',
    seenHint: 'Who was visible, where, at what time, and how staff and people responded.',
    button: 'Save visibility check',
    noun: 'visibility check',
    sources: ['visibility_check', 'walkaround', 'handover'],
  },
};

function placeOptions(service) {
  const groups = [];
  if (service?.areas?.length) groups.push(h('optgroup', { label: 'Areas' }, service.areas.map((a) => h('option', { value: a }, a))));
  if (service?.routines?.length) groups.push(h('optgroup', { label: 'Routines' }, service.routines.map((r) => h('option', { value: r }, r))));
  return [h('option', { value: '' }, 'Choose…'), groups];
}

function placeSelect(service) {
  const id = 'f-area';
  return h('div', { class: 'field', 'data-field': 'area' },
    h('label', { for: id }, 'Area or routine'),
    h('span', { class: 'hint', id: id + '-hint' }, 'Where you were, or the routine you were watching.'),
    h('p', { class: 'field-error', id: id + '-error', hidden: true }),
    h('select', { id, name: 'area', required: true, 'aria-describedby': `${id}-hint ${id}-error` },
      placeOptions(service)));
}

function serviceSelect(services, chosen) {
  if (services.length <= 1) return h('input', { type: 'hidden', name: 'service_id', value: services[0]?.id || '' });
  const box = field({ name: 'service_id', label: 'Service', hint: 'The areas, routines and questions below are this service\'s.',
    options: services.map((s) => [s.id, s.name]), required: true });
  box.querySelector('select').value = chosen.id;
  return box;
}

/** The service a form starts on: the one its draft was for, else the first. */
async function startingService(user, services, formName) {
  const draft = await db.getDraft(user.id, formName);
  return services.find((s) => s.id === draft?.service_id) || services[0];
}

/** After a draft is restored: a draft for a service no longer held starts on ``service``. */
function keepServiceHeld(form, services, service) {
  const el = form.elements.service_id;
  if (!services.some((s) => s.id === el.value)) el.value = service.id;
}

/** Refill ``select`` with ``options``, keeping its value when the new list has it. */
function refill(select, options) {
  const value = select.value;
  select.replaceChildren(...options.flat(Infinity).filter(Boolean));
  select.value = [...select.options].some((o) => o.value === value) ? value : '';
}

/** Keep the area (and question) lists on the service chosen in the form. */
function followService(form, services, onChange) {
  const select = form.elements.service_id;
  if (!select || select.type === 'hidden') return;
  select.addEventListener('change', () => {
    const service = services.find((s) => s.id === select.value) || null;
    refill(form.elements.area, placeOptions(service));
    onChange(service);
  });
}

const MORE = 'more';

/** "Where did this come from?": the few sources this form usually has as big choices, and
 * "Other…", which opens a list of the rest. */
function sourcePicker(spec) {
  const common = spec.sources.map((v) => [v, LABELS.source[v]]);
  const rest = Object.entries(LABELS.source).filter(([v]) => !spec.sources.includes(v));
  const picker = choices({ name: 'source', legend: 'Where did this come from?', options: [...common, [MORE, 'Other…']], required: true });
  const more = field({ name: 'source_other', label: 'Which other source?', options: rest });
  more.hidden = true;
  picker.append(more);
  return picker;
}

/** Show the list of other sources while "Other…" is chosen. */
function followSource(form) {
  const more = form.querySelector('[data-field="source_other"]');
  const update = () => { more.hidden = form.elements.source.value !== MORE; };
  form.addEventListener('change', (event) => { if (event.target.name === 'source') update(); });
  return update;
}

function chosenSource(values) {
  return values.source === MORE ? values.source_other : values.source;
}

async function servicesFor(user) {
  const services = await db.listServices(user.id);
  return services.sort((a, b) => a.name.localeCompare(b.name));
}

function noServices() {
  show(h('h1', {}, 'Not ready yet'),
    h('p', { class: 'notice notice-warn' },
      'This tablet has not yet downloaded your service\'s list of areas and questions. ' +
      'Connect to Wi-Fi once and it will be kept here for use without signal.'));
}

function check(values, rules) {
  const errors = {};
  for (const [name, message] of Object.entries(rules)) if (!values[name] || !String(values[name]).trim()) errors[name] = message;
  return errors;
}

function trimmed(values) {
  const out = {};
  for (const [k, v] of Object.entries(values)) out[k] = typeof v === 'string' ? v.trim() : v;
  return out;
}

/** Check ``changes`` against the server's schema too; show every error; true when none. */
async function checked(form, services, changes, errors, names = {}) {
  const service = services.find((s) => s.id === changes.service_id) || null;
  const found = await validation.check('finding', changes, service);
  const all = { ...errors };
  for (const [f, text] of Object.entries(found)) {
    const name = names[f] || f;
    all[form.querySelector(`[data-field="${name}"]`) ? name : `record:${f}`] ??= text;
  }
  showErrors(form, all);
  return !Object.keys(all).length;
}

/** Keep the schemas for the user's services fresh while there is a connection, and have the
 * check ready (its worker started, the schema compiled) before the first Save. */
function prepareChecks(services, service) {
  const fresh = navigator.onLine ? validation.refresh(services) : Promise.resolve();
  fresh.then(() => validation.check('finding', {}, service)).catch(() => {});
}

/** The refused finding's values, as the form holds them. */
function formOf(changes) {
  const values = { ...changes };
  if (typeof changes.follow_up_needed === 'boolean') values.follow_up_needed = changes.follow_up_needed ? 'yes' : 'no';
  return values;
}

/** Put a refused finding back in ``form``: its values, its id, the office's messages. */
function reopen(form, refused, names) {
  fillForm(form, formOf(refused.changes));
  const source = refused.changes.source;
  if (form.elements.source_other && source && !form.elements.source.value) {
    form.elements.source.value = MORE;
    form.elements.source_other.value = source;
  }
  submission.resume(form, refused.entityId);
  refused.show(form, names);
}

async function saveFinding(user, form, formName, changes, refused = null) {
  const { entityId: id, mutationId } = submission.idsOf(form);
  const record = { entityType: 'finding', id, ...changes, recorded_by: user.id, triage_state: 'new' };
  const mutation = { mutation_id: mutationId, entity_type: 'finding', entity_id: id, op: 'create', changes };
  if (refused) {
    if (!(await outbox.resend(user, mutation, record, refused.item.key))) {
      toast('This was already sent again or discarded.');
      location.hash = '#/recent';
      return;
    }
    submission.done(form);
    await sync.afterSave();
    toast('Sent again. It keeps its place as the same record.');
    location.hash = '#/recent';
    return;
  }
  await outbox.queueChange(user, mutation, { record, draftForm: formName });
  submission.done(form);
  drafts.cancel(formName);
  form.reset();
  // The next finding is most likely in the same service: keep it chosen, with its lists.
  form.elements.service_id.value = changes.service_id;
  delete form.dataset.dirty;
  await sync.afterSave();
}

/** Fewer taps for the common case: follow-up starts on Yes (a manager then gives it an
 * owner, or dismisses it; No is the carer's own call that it was dealt with), which a
 * reset keeps, and once the area is chosen the description box takes the typing. */
function startsOnFollowUp(form) {
  const yes = form.querySelector('input[name=follow_up_needed][value=yes]');
  yes.defaultChecked = true;
  yes.checked = true;
  form.elements.area.addEventListener('change', () => {
    if (form.elements.area.value && !form.elements.description.value) form.elements.description.focus();
  });
}

/** A walkaround finding or a visibility check; ``refused``: a refused one reopened to fix. */
export async function renderFinding(user, which, refused = null) {
  const spec = FORMS[which];
  const services = await servicesFor(user);
  if (!services.length) return noServices();
  let service = refused ? services.find((s) => s.id === refused.changes.service_id) || services[0]
    : await startingService(user, services, which);
  prepareChecks(services, service);
  const form = h('form', { novalidate: true, 'aria-labelledby': 'capture-title' },
    serviceSelect(services, service),
    placeSelect(service),
    sourcePicker(spec),
    field({ name: 'description', label: spec.seen, hint: spec.seenHint, type: 'textarea', required: true }),
    field({ name: 'action_taken', label: 'What did you do on the spot?', hint: 'Leave blank if nothing was needed.', type: 'textarea', rows: 3 }),
    choices({ name: 'risk', legend: 'Risk', options: Object.entries(LABELS.risk), required: true }),
    choices({ name: 'follow_up_needed', legend: 'Is follow-up needed?', hint: 'Yes sends it to a manager to give it an owner and a date. Choose No if it was dealt with on the spot and needs nothing more.', options: YES_NO, required: true }),
    field({ name: 'people_involved', label: 'People supported involved', hint: PEOPLE_HINT }),
    actionBar(h('button', { type: 'submit', class: 'btn btn-primary btn-wide' }, refused ? 'Send again' : spec.button)));
  form.elements.source.value = spec.source;
  startsOnFollowUp(form);
  followService(form, services, (chosen) => { service = chosen; });
  const showSource = followSource(form);
  const draft = refused ? null : await db.getDraft(user.id, which);
  const restored = refused ? false : await drafts.keep(form, user.id, which);
  keepServiceHeld(form, services, service);
  // A draft typed when every source was in one list: a rarer one is under "Other…" now.
  if (draft?.source && !form.elements.source.value && LABELS.source[draft.source]) {
    form.elements.source.value = MORE;
    form.elements.source_other.value = draft.source;
  }
  if (!form.elements.source.value) form.elements.source.value = spec.source;
  showSource();
  submission.onSubmit(form, async () => {
    const values = trimmed(formValues(form));
    values.source = chosenSource(values);
    const errors = check(values, {
      service_id: 'Choose the service.', area: 'Choose the area or routine.', source: 'Choose where this came from.',
      description: which === 'finding' ? 'Say what you saw.' : 'Say what you saw of leaders on the floor.',
      risk: 'Choose the risk: low, medium or high.', follow_up_needed: 'Say whether follow-up is needed.',
    });
    if (values.people_involved && values.people_involved.length > 200) errors.people_involved = 'Keep this to record references or initials (200 characters at most).';
    const changes = {
      service_id: values.service_id, kind: spec.kind, area: values.area, source: values.source,
      description: values.description, action_taken: values.action_taken || '', risk: values.risk,
      follow_up_needed: values.follow_up_needed === 'yes', people_involved: values.people_involved || '',
      recorded_at: refused?.changes.recorded_at || new Date().toISOString(),
    };
    if (!(await checked(form, services, changes, errors))) return;
    await saveFinding(user, form, which, changes, refused);
    if (refused) return;
    form.elements.source.value = spec.source;
    showSource();
    toast(`Saved. ${sendingWords(sync.getState().online)}`);
    form.querySelector('select, input:not([type=hidden])')?.focus();
  });
  if (refused) {
    show(h('h1', { id: 'capture-title' }, `Fix and send again: ${spec.noun}`), refused.notice(user), form);
    reopen(form, refused);
    showSource();
    return undefined;
  }
  show(h('h1', { id: 'capture-title' }, spec.title),
    restored ? h('p', { class: 'notice' }, 'We kept what you were typing before. Carry on, or clear the form.') : null,
    form,
    h('div', { class: 'button-row' }, h('button', { type: 'button', class: 'btn btn-secondary', onclick: async () => {
      drafts.cancel(which); await db.clearDraft(user.id, which); form.reset(); delete form.dataset.dirty;
      form.elements.service_id.value = service?.id || '';
      form.elements.source.value = spec.source; showSource(); showErrors(form, {}); toast('Form cleared.');
    } }, 'Clear form')));
}

// Feedback's description is made from the answer: a message about it belongs beside the answer.
const FEEDBACK_NAMES = { description: 'answer' };

function questionOptions(service) {
  return [h('option', { value: '' }, 'No question: they raised it themselves'),
    (service?.question_sets || []).map((set) => h('optgroup', { label: set.name },
      set.questions.map((q) => h('option', { value: q.id }, q.text))))];
}

function questionSelect(service) {
  const id = 'f-question';
  return h('div', { class: 'field', 'data-field': 'question_id' },
    h('label', { for: id }, 'Question asked', h('span', { class: 'hint-inline' }, ' (optional)')),
    h('span', { class: 'hint', id: id + '-hint' }, 'Leave this if they told you without being asked: a comment, a worry or a complaint.'),
    h('p', { class: 'field-error', id: id + '-error', hidden: true }),
    h('select', { id, name: 'question_id', 'aria-describedby': `${id}-hint ${id}-error` },
      questionOptions(service)));
}

function questionText(service, id) {
  for (const set of service?.question_sets || []) for (const q of set.questions) if (q.id === id) return q.text;
  return id;
}

// Who said it, as the middle of a sentence: "…, a relative or friend said: …".
const SAID_BY = {
  person_supported: 'a person supported', relative: 'a relative or friend',
  staff: 'a staff member', professional: 'a visiting professional',
};

/** The finding's description: who said what, and the question when there was one. */
export function feedbackWords(respondent, question, answer) {
  const who = SAID_BY[respondent] || 'someone';
  const said = question ? `Asked "${question}", ${who} said: ${answer}`
    : `${who[0].toUpperCase()}${who.slice(1)} said: ${answer}`;
  return said.slice(0, 4000);
}

// The risk a tone suggests; the person recording chooses the risk.
const RISK_OF_TONE = { positive: 'low', neutral: 'low', negative: 'medium' };
const NO_STEPS = 'Your service has not written down its safeguarding steps yet. '
  + 'Tell the senior on shift or the registered manager now, before you carry on.';

function safeguardingBox() {
  return h('div', { class: 'field safeguarding', 'data-field': 'safeguarding_concern' },
    h('div', { class: 'check' },
      h('input', { type: 'checkbox', id: 'f-safeguarding', name: 'safeguarding_concern', 'aria-describedby': 'f-safeguarding-hint' }),
      h('label', { for: 'f-safeguarding' }, 'This may be a safeguarding concern')),
    h('span', { class: 'hint', id: 'f-safeguarding-hint' }, 'Ticking this makes the risk high and shows your service\'s safeguarding steps.'));
}

function safeguardingSteps(service) {
  const steps = (service?.safeguarding_steps || '').trim();
  return h('section', { class: 'notice notice-bad safeguarding-steps', 'aria-labelledby': 'safeguarding-title', hidden: true },
    h('h2', { id: 'safeguarding-title' }, 'Safeguarding: what to do now'),
    (steps || NO_STEPS).split(/\n+/).map((line) => h('p', {}, line)));
}

/** Keep risk, tone and the safeguarding flag in step: the tone suggests a risk until the
 * person chooses one; the flag makes it high and shows the service's steps. */
function followRisk(form, stepsFor) {
  let chosen = false;
  const risk = form.elements.risk;
  const flag = form.elements.safeguarding_concern;
  const update = () => {
    const steps = form.querySelector('.safeguarding-steps');
    steps.hidden = !flag.checked;
    for (const radio of form.querySelectorAll('input[name=risk]')) radio.disabled = flag.checked && radio.value !== 'high';
    if (flag.checked) risk.value = 'high';
  };
  form.addEventListener('change', (event) => {
    const name = event.target.name;
    if (name === 'risk') chosen = true;
    if (name === 'sentiment' && !chosen && !flag.checked) risk.value = RISK_OF_TONE[event.target.value] || '';
    if (name === 'safeguarding_concern') {
      if (!flag.checked && !chosen) risk.value = RISK_OF_TONE[formValues(form).sentiment] || '';
      update();
      if (flag.checked) form.querySelector('.safeguarding-steps').scrollIntoView({ block: 'nearest' });
    }
  });
  return {
    restored() { chosen = Boolean(risk.value); update(); },
    service(service) { form.querySelector('.safeguarding-steps').replaceWith(stepsFor(service)); update(); },
    reset() { chosen = false; update(); },
  };
}

/** Feedback from a person supported, a relative or friend, staff or a visiting
 * professional; ``refused``: a refused one reopened to fix. */
export async function renderFeedback(user, refused = null) {
  const services = await servicesFor(user);
  if (!services.length) return noServices();
  let service = refused ? services.find((s) => s.id === refused.changes.service_id) || services[0]
    : await startingService(user, services, 'feedback');
  prepareChecks(services, service);
  const form = h('form', { novalidate: true, 'aria-labelledby': 'feedback-title' },
    serviceSelect(services, service),
    choices({ name: 'respondent_type', legend: 'Who gave the feedback?', options: Object.entries(LABELS.respondent), required: true }),
    questionSelect(service),
    field({ name: 'answer', label: 'What they said', hint: 'In their words where you can.', type: 'textarea', required: true }),
    choices({ name: 'sentiment', legend: 'How did it sound overall?', options: Object.entries(LABELS.sentiment), required: true }),
    safeguardingBox(),
    safeguardingSteps(service),
    choices({ name: 'risk', legend: 'Risk', hint: 'The tone suggests one; change it if you judge otherwise.', options: Object.entries(LABELS.risk), required: true }),
    placeSelect(service),
    choices({ name: 'follow_up_needed', legend: 'Is follow-up needed?', options: YES_NO, required: true }),
    field({ name: 'people_involved', label: 'Person supported', hint: PEOPLE_HINT }),
    actionBar(h('button', { type: 'submit', class: 'btn btn-primary btn-wide' }, refused ? 'Send again' : 'Save feedback')));
  const risk = followRisk(form, safeguardingSteps);
  followService(form, services, (chosen) => {
    service = chosen;
    refill(form.elements.question_id, questionOptions(chosen));
    risk.service(chosen);
  });
  const restored = refused ? false : await drafts.keep(form, user.id, 'feedback');
  keepServiceHeld(form, services, service);
  if (restored) service = services.find((s) => s.id === form.elements.service_id.value) || service;
  risk.service(service);
  risk.restored();
  submission.onSubmit(form, async () => {
    const values = trimmed(formValues(form));
    const errors = check(values, {
      service_id: 'Choose the service.', respondent_type: 'Choose who gave the feedback.',
      answer: 'Write down what they said.', sentiment: 'Choose how it sounded: positive, neutral or negative.',
      risk: 'Choose the risk: low, medium or high.',
      area: 'Choose the area or routine.', follow_up_needed: 'Say whether follow-up is needed.',
    });
    if (values.safeguarding_concern && values.risk !== 'high') errors.risk = 'A possible safeguarding concern is high risk.';
    const question = values.question_id ? questionText(service, values.question_id) : null;
    const changes = {
      service_id: values.service_id, kind: 'feedback', area: values.area, source: 'feedback',
      description: feedbackWords(values.respondent_type, question, values.answer),
      action_taken: '', risk: values.risk, safeguarding_concern: Boolean(values.safeguarding_concern),
      follow_up_needed: values.follow_up_needed === 'yes', people_involved: values.people_involved || '',
      respondent_type: values.respondent_type, question_id: values.question_id || null, answer: values.answer,
      sentiment: values.sentiment, recorded_at: refused?.changes.recorded_at || new Date().toISOString(),
    };
    if (!(await checked(form, services, changes, errors, FEEDBACK_NAMES))) return;
    await saveFinding(user, form, 'feedback', changes, refused);
    if (refused) return;
    risk.reset();
    toast(`Feedback saved. ${sendingWords(sync.getState().online)}`);
    form.querySelector('input[type=radio]')?.focus();
  });
  if (refused) {
    show(h('h1', { id: 'feedback-title' }, 'Fix and send again: feedback'), refused.notice(user), form);
    reopen(form, refused, FEEDBACK_NAMES);
    risk.restored();
    return undefined;
  }
  show(h('h1', { id: 'feedback-title' }, 'Record feedback'),
    restored ? h('p', { class: 'notice' }, 'We kept what you were typing before.') : null,
    form);
}
