// Capture screens: a walkaround finding and a visibility check, and the form parts that
// feedback (views/feedback.js) shares with them.
// Built for one hand on a tablet: big choices, sensible defaults, one Save button.
import * as db from '../db.js';
import * as drafts from '../drafts.js';
import * as outbox from '../outbox.js';
import * as submission from '../submission.js';
import * as sync from '../sync.js';
import { LABELS, actionBar, choices, field, fillForm, formValues, h, sendingWords, show, showErrors, toast } from '../ui.js';
import * as validation from '../validation.js';

export const YES_NO = [['yes', 'Yes'], ['no', 'No']];
export const PEOPLE_HINT = 'Use record references or initials only, for example "R-1042" or "J.S.". Never write full names.';

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

export function placeSelect(service) {
  const id = 'f-area';
  return h('div', { class: 'field', 'data-field': 'area' },
    h('label', { for: id }, 'Area or routine'),
    h('span', { class: 'hint', id: id + '-hint' }, 'Where you were, or the routine you were watching.'),
    h('p', { class: 'field-error', id: id + '-error', hidden: true }),
    h('select', { id, name: 'area', required: true, 'aria-describedby': `${id}-hint ${id}-error` },
      placeOptions(service)));
}

export function serviceSelect(services, chosen) {
  if (services.length <= 1) return h('input', { type: 'hidden', name: 'service_id', value: services[0]?.id || '' });
  const box = field({ name: 'service_id', label: 'Service', hint: 'The areas, routines and questions below are this service\'s.',
    options: services.map((s) => [s.id, s.name]), required: true });
  box.querySelector('select').value = chosen.id;
  return box;
}

/** The service a form starts on: the one its draft was for, else the first. */
export async function startingService(user, services, formName) {
  const draft = await db.getDraft(user.id, formName);
  return services.find((s) => s.id === draft?.service_id) || services[0];
}

/** After a draft is restored: a draft for a service no longer held starts on ``service``. */
export function keepServiceHeld(form, services, service) {
  const el = form.elements.service_id;
  if (!services.some((s) => s.id === el.value)) el.value = service.id;
}

/** Refill ``select`` with ``options``, keeping its value when the new list has it. */
export function refill(select, options) {
  const value = select.value;
  select.replaceChildren(...options.flat(Infinity).filter(Boolean));
  select.value = [...select.options].some((o) => o.value === value) ? value : '';
}

/** Keep the area (and question) lists on the service chosen in the form. */
export function followService(form, services, onChange) {
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

export async function servicesFor(user) {
  const services = await db.listServices(user.id);
  return services.sort((a, b) => a.name.localeCompare(b.name));
}

export function noServices() {
  show(h('h1', {}, 'Not ready yet'),
    h('p', { class: 'notice notice-warn' },
      'This tablet has not yet downloaded your service\'s list of areas and questions. ' +
      'Connect to Wi-Fi once and it will be kept here for use without signal.'));
}

export function check(values, rules) {
  const errors = {};
  for (const [name, message] of Object.entries(rules)) if (!values[name] || !String(values[name]).trim()) errors[name] = message;
  return errors;
}

export function trimmed(values) {
  const out = {};
  for (const [k, v] of Object.entries(values)) out[k] = typeof v === 'string' ? v.trim() : v;
  return out;
}

/** Check ``changes`` against the server's schema too; show every error; true when none. */
export async function checked(form, services, changes, errors, names = {}) {
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
export function prepareChecks(services, service) {
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
export function reopen(form, refused, names) {
  fillForm(form, formOf(refused.changes));
  const source = refused.changes.source;
  if (form.elements.source_other && source && !form.elements.source.value) {
    form.elements.source.value = MORE;
    form.elements.source_other.value = source;
  }
  submission.resume(form, refused.entityId);
  refused.show(form, names);
}

/** Queue ``changes`` as a new finding (or send a refused one again) and empty the form for
 * the next one. ``kept(form)`` runs straight after the form is emptied, before anything
 * else can happen, to put back what the next finding shares with this one. */
export async function saveFinding(user, form, formName, changes, refused = null, kept = () => {}) {
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
  kept(form);
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
    // "Where did this come from?" stays as it was: a round of handover follow-ups, or a
    // walk, gives several findings from the one source.
    const source = { source: form.elements.source.value, source_other: form.elements.source_other.value };
    await saveFinding(user, form, which, changes, refused, () => { fillForm(form, source); showSource(); });
    if (refused) return;
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
