// Adding a service (a care home or branch) to the provider: the provider admin or the
// nominated individual ("service.create"). A new service starts with common areas,
// routines and the two feedback question sets, which the sections below then adjust.
import * as api from '../api.js';
import * as session from '../session.js';
import { field, formValues, h } from '../ui.js';
import { alertBox, chooseService, forgetServices } from './desk-common.js';
import { refused } from './admin-setup-common.js';

const KINDS = [['care_home', 'Care home'], ['domiciliary', 'Care at home (domiciliary)'],
  ['supported_living', 'Supported living']];

/** May ``user`` add services? Only where a provider-wide role allows it (the server says). */
export function canAddService(user) {
  return session.mayEverywhere('service.create', user);
}

/** The "Add a service" form; ``onAdded(service)`` runs once the server has it. */
export function addServiceSection(onAdded) {
  const box = alertBox();
  const kind = field({ name: 'kind', label: 'Kind of service', options: KINDS, required: true });
  kind.querySelector('select').value = 'care_home';
  const form = h('form', { novalidate: true, class: 'setup-add-service', 'aria-labelledby': 'setup-add-title' },
    field({ name: 'name', label: 'Name of the service', hint: 'As people know it, for example "Willow Lodge".', required: true }),
    kind,
    h('button', { type: 'submit', class: 'btn btn-primary' }, 'Add the service'),
    box);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const service = await api.post('/services', formValues(form));
      forgetServices();
      chooseService(service.id);
      await onAdded(service);
    } catch (err) {
      refused(err, form, box, (f) => ({ name: 'Name', kind: 'Kind of service' }[f] || f));
    } finally {
      button.disabled = false;
    }
  });
  return h('section', { class: 'setup-section', 'aria-labelledby': 'setup-add-title' },
    h('h2', { id: 'setup-add-title', tabindex: '-1' }, 'Add a service'),
    h('p', {}, 'A new care home or branch starts with common areas, routines and feedback questions; change them below once it is added. Then add its registered manager and staff under People.'),
    form);
}
