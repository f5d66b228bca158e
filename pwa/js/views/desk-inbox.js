// The triage inbox: new findings from the floor grouped by area and source, those past
// their escalation time first (the server orders them). Select one or several and turn
// them into a draft entry, link them to an entry, or dismiss them with a reason.
import * as api from '../api.js';
import { LABELS, ago, day, field, h, show, showErrors, toast } from '../ui.js';
import { alertBox, currentService, myServices, nameOf, peopleOf, refusal, say, servicePicker } from './desk-common.js';
import { pickedStatements, statementPicker, suggest } from './statement-picker.js';

function findingRow(finding, now) {
  const id = `pick-${finding.id}`;
  const risk = LABELS.risk[finding.risk] || finding.risk;
  return h('li', { class: `desk-finding risk-${finding.risk}${finding.past_escalation_time ? ' late' : ''}` },
    h('input', { type: 'checkbox', id, name: 'finding', value: finding.id, 'data-description': finding.description, 'data-area': finding.area }),
    h('label', { for: id },
      h('span', { class: 'desk-finding-text' }, finding.description),
      h('span', { class: 'meta' },
        h('span', { class: `badge badge-risk badge-risk-${finding.risk}` }, `${risk} risk`), ' ',
        finding.past_escalation_time ? h('span', { class: 'badge badge-bad' }, 'Past escalation time') : null, ' ',
        `${LABELS.kind[finding.kind] || finding.kind} · recorded by ${finding.recorded_by_name || 'someone no longer listed'} · received ${ago(finding.received_at, now)}`,
        finding.action_taken ? ` · done on the spot: ${finding.action_taken}` : '')));
}

function groupSection(group, index, now) {
  const headingId = `inbox-group-${index}`;
  return h('section', { class: 'card desk-group', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, `${group.area} · ${LABELS.source[group.source] || group.source}`,
      h('span', { class: 'meta' }, ` ${group.count} new`,
        group.past_escalation_time ? `, ${group.past_escalation_time} past escalation time` : '')),
    h('ul', { class: 'list' }, group.findings.map((f) => findingRow(f, now))));
}

function chosen(root) {
  return [...root.querySelectorAll('input[name="finding"]:checked')];
}

function actionsForm(serviceId, root, refresh) {
  const form = h('form', { novalidate: true, class: 'card desk-triage', 'aria-labelledby': 'triage-title' },
    h('h2', { id: 'triage-title' }, 'What to do with the chosen findings'),
    h('p', { class: 'meta', id: 'triage-count', 'aria-live': 'polite' }, 'No findings chosen yet.'),
    field({ name: 'concern', label: 'Concern for a new draft entry', type: 'textarea', rows: 3,
      hint: 'Filled in from the chosen findings; change it if you need to. Source and risk come from the findings.' }),
    statementPicker({ legend: 'Quality statements for the new entry',
      hint: 'Suggested from the findings\' areas and words; tick the ones that fit. You can change them on the entry later.' }),
    h('div', { class: 'button-row' },
      h('button', { type: 'submit', class: 'btn btn-primary', value: 'create_entry' }, 'Create draft entry')),
    field({ name: 'entry_id', label: 'Entry to link to', options: [],
      hint: 'Needed to link: entries of this service that are not closed, most recently changed first.' }),
    h('div', { class: 'button-row' },
      h('button', { type: 'submit', class: 'btn btn-secondary', value: 'link' }, 'Link to entry')),
    field({ name: 'reason', label: 'Reason for dismissing', type: 'textarea', rows: 2,
      hint: 'Needed to dismiss: it stays on the record.' }),
    h('div', { class: 'button-row' },
      h('button', { type: 'submit', class: 'btn btn-danger', value: 'dismiss' }, 'Dismiss')));
  // Each box is needed by one action only (its hint says which), so none is marked optional.
  for (const mark of form.querySelectorAll('.hint-inline')) mark.remove();
  const message = alertBox();
  form.append(message);
  root.addEventListener('change', (event) => {
    if (event.target.name !== 'finding') return;
    const picked = chosen(root);
    form.querySelector('#triage-count').textContent = picked.length
      ? `${picked.length} finding${picked.length > 1 ? 's' : ''} chosen.` : 'No findings chosen yet.';
    form.elements.concern.value = picked.map((box) => box.dataset.description).join('\n');
    suggest(form.querySelector('.statement-picker'),
      { areas: [...new Set(picked.map((box) => box.dataset.area))], text: form.elements.concern.value });
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const action = event.submitter?.value || 'create_entry';
    await triage(serviceId, form, root, action, message, refresh);
  });
  loadEntries(serviceId, form.elements.entry_id);
  return form;
}

/** An entry as the link picker offers it, told apart from entries worded alike: its words
 * cut short, its owner, due date and status, and a reference (the start of the id in its
 * page's address). */
function entryChoice(entry, names) {
  const words = entry.decision || entry.concern;
  const cut = words.length > 60 ? `${words.slice(0, 60).trimEnd()}…` : words;
  const owner = entry.owner_id ? nameOf(names, entry.owner_id) : 'no owner yet';
  const due = entry.due_date ? `due ${day(entry.due_date)}` : 'no due date';
  return `${cut} · ${owner} · ${due} · ${LABELS.status[entry.status]} · ref ${entry.id.slice(0, 6).toUpperCase()}`;
}

async function loadEntries(serviceId, select) {
  try {
    const [body, names] = await Promise.all([
      api.get(`/entries?service_id=${serviceId}&status=draft,open,in_progress,awaiting_check,awaiting_sign_off&per_page=100`),
      peopleOf(serviceId).catch(() => new Map())]);
    for (const entry of body.items) select.append(h('option', { value: entry.id }, entryChoice(entry, names)));
  } catch { /* the link choice stays empty; the other actions still work */ }
}

function localErrors(action, values, count) {
  const errors = {};
  if (!count) errors.finding = 'Choose at least one finding first.';
  if (action === 'dismiss' && !values.reason) errors.reason = 'Reason for dismissing: say why these findings are dismissed. The reason stays on the record.';
  if (action === 'link' && !values.entry_id) errors.entry_id = 'Entry to link to: choose the entry.';
  return errors;
}

async function triage(serviceId, form, root, action, message, refresh) {
  const ids = chosen(root).map((box) => box.value);
  const values = { concern: form.elements.concern.value.trim(), entry_id: form.elements.entry_id.value, reason: form.elements.reason.value.trim() };
  const errors = localErrors(action, values, ids.length);
  showErrors(form, Object.fromEntries(Object.entries(errors).filter(([k]) => k !== 'finding')));
  say(message, errors.finding || '');
  if (Object.keys(errors).length) return;
  const body = { finding_ids: ids, action };
  if (action === 'create_entry' && values.concern) body.concern = values.concern;
  const statements = pickedStatements(form.querySelector('.statement-picker'));
  if (action === 'create_entry' && statements.length) body.statement_ids = statements;
  if (action === 'link') body.entry_id = values.entry_id;
  if (action === 'dismiss') body.reason = values.reason;
  try {
    const result = await api.post('/findings/triage', body);
    if (action === 'create_entry') {
      toast('Draft entry created. Give it an owner, a due date and the evidence needed, then open it.');
      location.hash = `#/desk/log/${result.entry_id}`;
      return;
    }
    toast(action === 'link' ? 'Findings linked to the entry.' : 'Findings dismissed; the reason is on the record.');
    refresh();
  } catch (err) {
    if (err instanceof api.ApiError && Object.keys(err.fields).some((f) => form.querySelector(`[data-field="${f}"]`))) {
      showErrors(form, Object.fromEntries(Object.entries(err.fields).map(([f, why]) => [f, `${labelFor(f)}: ${why}`])));
    }
    say(message, refusal(err));
  }
}

function labelFor(name) {
  return { reason: 'Reason for dismissing', entry_id: 'Entry to link to', concern: 'Concern', statement_ids: 'Quality statements' }[name] || name;
}

export async function render(user) {
  const list = await myServices();
  const service = await currentService();
  if (!service) {
    show(h('h1', {}, 'Triage inbox'), h('p', { class: 'notice' }, 'You do not work in any service yet.'));
    return;
  }
  let inbox;
  try {
    inbox = await api.get(`/services/${service.id}/inbox`);
  } catch (err) {
    show(h('h1', {}, 'Triage inbox'), servicePicker(list, service, () => render(user)),
      h('p', { class: 'notice notice-bad', role: 'alert' }, refusal(err)));
    return;
  }
  // Waits are told by the server's clock (this answer's Date header), not the computer's.
  const now = api.serverTime() ?? Date.now();
  const groups = h('div', { class: 'desk-groups' }, inbox.groups.map((g, i) => groupSection(g, i, now)));
  const summary = inbox.total
    ? `${inbox.total} new finding${inbox.total > 1 ? 's' : ''} to triage${inbox.past_escalation_time ? `, ${inbox.past_escalation_time} past the escalation time` : ''}. The most urgent are first.`
    : 'Nothing new to triage. Findings from the floor appear here when the tablets sync.';
  show(h('h1', {}, 'Triage inbox'),
    servicePicker(list, service, () => render(user)),
    h('p', { class: inbox.past_escalation_time ? 'notice notice-bad' : 'notice' }, summary),
    inbox.total ? h('div', { class: 'desk-inbox' },
      h('fieldset', { class: 'desk-pick' }, h('legend', {}, `Findings in ${service.name}`), groups),
      actionsForm(service.id, groups, () => render(user))) : null);
}
