// Service set-up: a service's areas and routines, feedback questions, escalation criteria
// and safeguarding steps, the provider's thresholds and the service's improvement measures, each with
// its history. The sections are drawn by admin-setup-lists.js, -thresholds.js and
// -measures.js; what they share is in admin-setup-common.js. The server checks every
// write; the roles here only decide whether a section shows a form or the values.
import * as api from '../api.js';
import { h, show } from '../ui.js';
import { currentService, myServices, refusal, servicePicker } from './desk-common.js';
import { abilities } from './admin-setup-common.js';
import { areasSection, escalationSection, escalationTimes, questionsSection, safeguardingSection } from './admin-setup-lists.js';
import { measuresSection } from './admin-setup-measures.js';
import { thresholdsSection } from './admin-setup-thresholds.js';
import { frameworkSection } from './admin-setup-framework.js';
import { addServiceSection, canAddService } from './admin-setup-service.js';

const SECTIONS = [
  ['areas', 'setup-areas', 'Areas and routines', areasSection],
  ['questions', 'setup-questions', 'Feedback questions', questionsSection],
  ['escalation', 'setup-escalation', 'When to escalate', escalationSection],
  ['safeguarding', 'setup-safeguarding', 'Safeguarding steps', safeguardingSection],
  ['thresholds', 'setup-thresholds', 'Thresholds', thresholdsSection],
  ['framework', 'setup-framework', 'Framework in force', frameworkSection],
  ['measures', 'setup-measures', 'Improvement measures', measuresSection],
];
const SERVICE_SETTINGS = ['areas', 'questions', 'escalation', 'safeguarding'];

function contents(sections) {
  return h('nav', { class: 'setup-contents', 'aria-label': 'On this page' },
    h('ul', {}, sections.map(([, id, title]) => h('li', {}, h('a', {
      href: `#${id}`,
      // The address bar's hash is the app's router: move to the section without it.
      onclick: (event) => {
        event.preventDefault();
        const heading = document.getElementById(`${id}-title`);
        heading?.focus();
        heading?.scrollIntoView({ block: 'start' });
      },
    }, title)))));
}

function makeContext(user, settings, slots) {
  const ctx = {
    user, settings, can: abilities(user, settings.id),
    /** Draw one section again; after a save, open its history to show the change. */
    async redraw(name, { saved = false, stale = false } = {}) {
      const build = SECTIONS.find(([n]) => n === name)[3];
      const el = await build(ctx, { stale });
      slots[name].replaceChildren(el);
      if (saved) {
        const history = el.querySelector('details.setup-history');
        if (history) history.open = true;
      }
      if (saved || stale) el.querySelector('h2').focus();
    },
    /** A stale save: every service setting is redrawn from the current copy. */
    redrawSettings(staleIn) {
      for (const name of SERVICE_SETTINGS) ctx.redraw(name, { stale: name === staleIn });
    },
    thresholdsChanged() {
      for (const p of document.querySelectorAll('.setup-escalation-times')) p.textContent = escalationTimes(ctx.settings);
    },
  };
  return ctx;
}

export async function render(user) {
  const list = await myServices();
  const service = await currentService();
  const title = h('h1', {}, 'Service set-up');
  const adding = canAddService(user) ? addServiceSection(() => render(user)) : null;
  if (!service) {
    // A new provider: its first service is added here.
    show(title, h('p', { class: 'notice' }, adding
      ? 'Your provider has no services yet. Add the first one to start.'
      : 'You do not work in any service yet.'), adding);
    return;
  }
  const picker = servicePicker(list, service, () => render(user));
  let settings;
  try {
    settings = await api.get(`/services/${service.id}`);
  } catch (err) {
    show(title, picker, h('p', { class: 'notice notice-bad', role: 'alert' }, refusal(err)));
    return;
  }
  const slots = {};
  const ctx = makeContext(user, settings, slots);
  const sections = SECTIONS.filter(([name]) => name !== 'measures' || ctx.can.readMeasures);
  const drawn = await Promise.all(sections.map(([, , , build]) => build(ctx)));
  sections.forEach(([name], i) => { slots[name] = h('div', { class: 'setup-slot' }, drawn[i]); });
  show(h('div', { class: 'setup-head' }, title, h('p', { class: 'setup-service' }, service.name)),
    picker,
    h('p', {}, 'What floor staff pick from when they record, when findings are escalated, and what the service is working towards. '
      + 'Every change is kept in the history under each section.'),
    contents(sections),
    sections.map(([name]) => slots[name]),
    adding);
}
