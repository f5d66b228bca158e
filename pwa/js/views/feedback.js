// Feedback as people give it: who said it, what they said (asked or not), how it sounded,
// the risk chosen apart from the tone, and a possible safeguarding concern with the
// service's own steps. The form's shared parts are in views/capture.js.
import * as drafts from '../drafts.js';
import * as submission from '../submission.js';
import * as sync from '../sync.js';
import { LABELS, actionBar, choices, field, formValues, h, sendingWords, show, toast } from '../ui.js';
import {
  PEOPLE_HINT, YES_NO, check, checked, followService, keepServiceHeld, noServices, placeSelect,
  prepareChecks, refill, reopen, saveFinding, serviceSelect, servicesFor, startingService, trimmed,
} from './capture.js';

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
    // A draft kept from before: a risk in it was chosen (or made high by the flag); with
    // none, the tone in it suggests one, as it did while it was typed.
    restored() {
      chosen = Boolean(risk.value);
      if (!chosen && !flag.checked) risk.value = RISK_OF_TONE[formValues(form).sentiment] || '';
      update();
    },
    service(service) { form.querySelector('.safeguarding-steps').replaceWith(stepsFor(service)); update(); },
    // The form was emptied for the next feedback: its tone suggests the risk again.
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
    // The risk follows the tone again from the moment the form is empty, not only once the
    // save has finished: a tap on a tone straight away still suggests its risk.
    await saveFinding(user, form, 'feedback', changes, refused, () => risk.reset());
    if (refused) return;
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
