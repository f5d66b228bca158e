// Choosing CQC quality statements: at triage, on an entry and for an evidence pack. The
// statements come from the provider's framework in force (the server says which); the
// suggestions come from the server too (from the findings' areas and words), each with
// why, and nothing is ticked for the manager: they confirm a suggestion by ticking it.
import * as api from '../api.js';
import { h } from '../ui.js';

const KEY_QUESTIONS = { safe: 'Safe', effective: 'Effective', caring: 'Caring', responsive: 'Responsive', 'well-led': 'Well-led' };
let frameworks = null;
const lists = new Map();
let serial = 0;

/** The loaded frameworks and the id of the one in force: {items, in_force}. */
export async function frameworkList() {
  if (!frameworks) frameworks = api.get('/cqc/frameworks').catch((err) => { frameworks = null; throw err; });
  return frameworks;
}

/** A framework's statements in order (none given: the one in force). */
export async function statementsOf(framework) {
  const id = framework || (await frameworkList()).in_force;
  if (!lists.has(id)) {
    lists.set(id, api.get(`/cqc/statements?framework=${encodeURIComponent(id)}`).then((b) => b.items)
      .catch((err) => { lists.delete(id); throw err; }));
  }
  return lists.get(id);
}

/** Forget what was loaded (after the framework in force changes). */
export function forgetFrameworks() { frameworks = null; lists.clear(); }

function box(picker, statement, extra = null) {
  const id = `st-${picker.dataset.serial}-${++serial}`;
  const chosen = picker.querySelector(`input[value="${CSS.escape(statement.id)}"]:checked`) !== null
    || (picker._chosen || []).includes(statement.id);
  return h('div', { class: 'statement-choice' },
    h('input', { type: 'checkbox', name: 'statement', value: statement.id, id, checked: chosen,
      disabled: picker.dataset.disabled === 'true' }),
    h('label', { for: id }, h('span', { class: 'statement-code' }, statement.code), ` ${statement.title}`, extra));
}

function say(picker) {
  const codes = chosenIds(picker).map((id) => picker._codes.get(id) || id);
  picker.querySelector('.statement-chosen').textContent = codes.length
    ? `Chosen: ${codes.join(', ')}.` : 'No statement chosen yet.';
}

/** The ids of the statements ticked in ``picker``. */
export function chosenIds(picker) {
  return [...new Set([...picker.querySelectorAll('input[name="statement"]:checked')].map((b) => b.value))];
}

/**
 * A fieldset of quality statements: suggestions first (when asked for), then every
 * statement of the framework under "All quality statements". ``chosen``: ticked at first.
 * It fills itself once the statements arrive; ``picker.ready`` resolves then.
 */
export function statementPicker({ legend = 'CQC quality statements', hint = '', chosen = [], framework = null,
  disabled = false, open = false } = {}) {
  const picker = h('fieldset', { class: 'field statement-picker', 'data-field': 'statement_ids',
    'data-serial': String(++serial), 'data-disabled': String(disabled) },
  h('legend', {}, legend, h('span', { class: 'hint-inline' }, ' (optional)')),
  hint ? h('span', { class: 'hint' }, hint) : null,
  h('p', { class: 'field-error', hidden: true }),
  h('div', { class: 'statement-suggestions', 'aria-live': 'polite' }),
  h('details', { class: 'statement-all', open },
    h('summary', {}, 'All quality statements'),
    h('div', { class: 'statement-list' }, h('p', { class: 'meta' }, 'Loading the statements…'))),
  h('p', { class: 'meta statement-chosen', 'aria-live': 'polite' }));
  picker._chosen = [...chosen];
  picker._codes = new Map();
  picker.addEventListener('change', (event) => {
    if (event.target.name !== 'statement') return;
    // A statement may show twice (suggested and in the list): keep both boxes alike.
    for (const other of picker.querySelectorAll(`input[value="${CSS.escape(event.target.value)}"]`)) {
      other.checked = event.target.checked;
    }
    say(picker);
  });
  picker.ready = fill(picker, framework);
  return picker;
}

/** Show ``framework``'s statements in ``picker``, keeping what is ticked. */
export async function fill(picker, framework = null) {
  const keep = picker.dataset.ready ? chosenIds(picker) : picker._chosen;
  picker._chosen = keep;
  const list = picker.querySelector('.statement-list');
  try {
    const items = await statementsOf(framework);
    picker._codes = new Map(items.map((s) => [s.id, s.code]));
    picker.querySelector('.statement-suggestions').replaceChildren();
    const groups = Object.entries(KEY_QUESTIONS).map(([kq, label]) => {
      const mine = items.filter((s) => s.key_question === kq);
      return mine.length ? h('div', { class: 'statement-group' }, h('p', { class: 'statement-kq' }, label),
        mine.map((s) => box(picker, s))) : null;
    });
    const others = keep.filter((id) => !picker._codes.has(id));
    list.replaceChildren(...groups, others.length
      ? h('p', { class: 'meta' }, `Also tagged with statements of another framework version: ${others.join(', ')}. These stay.`) : null);
    picker.dataset.ready = 'true';
    picker._others = others;
  } catch {
    list.replaceChildren(h('p', { class: 'meta' }, 'The statements could not be loaded. Try again later.'));
  }
  say(picker);
}

/** Ask the server which statements fit ``areas`` and ``text``; show them, each with why. */
export async function suggest(picker, { areas = [], text = '' }) {
  await picker.ready;
  const region = picker.querySelector('.statement-suggestions');
  const asked = picker._asked = (picker._asked || 0) + 1;
  if (!text.trim() && !areas.length) { region.replaceChildren(); return; }
  const params = new URLSearchParams({ text: text.slice(0, 20000) });
  if (areas.length) params.set('area', areas.join('|'));
  let items = [];
  try {
    items = (await api.get(`/cqc/suggestions?${params}`)).items;
  } catch { items = []; }
  if (asked !== picker._asked) return; // a newer question has been asked
  region.replaceChildren(...(items.length ? [
    h('p', { class: 'statement-kq' }, 'Suggested: tick the ones that fit'),
    ...items.map((s) => box(picker, { id: s.statement_id, code: s.code, title: s.title },
      h('span', { class: 'statement-why' }, s.why))),
  ] : [h('p', { class: 'meta' }, 'No statement is suggested for these words; choose from the list if one fits.')]));
}

/** What to save: the ticked statements and any of another version the entry keeps. */
export function pickedStatements(picker) {
  return [...chosenIds(picker), ...(picker._others || [])];
}
