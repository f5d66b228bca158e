// Drafts: what is typed into a form is saved as it is typed, so a reload, a crash or an
// update never loses it. A save of the form clears its draft in the same transaction.
import * as db from './db.js';
import { fillForm, formValues } from './ui.js';

const timers = new Map();
const pending = new Set();

/** Restore ``form``'s draft and keep saving it as the user types. */
export async function keep(form, userId, name) {
  const values = await db.getDraft(userId, name);
  if (values) {
    fillForm(form, values);
    form.dataset.restored = 'true';
  }
  const save = () => {
    clearTimeout(timers.get(name));
    form.dataset.dirty = 'true';
    timers.set(name, setTimeout(() => flushOne(form, userId, name), 250));
  };
  form.addEventListener('input', save);
  form.addEventListener('change', save);
  form.careloopDraft = { userId, name };
  return Boolean(values);
}

function flushOne(form, userId, name) {
  timers.delete(name);
  const p = db.saveDraft(userId, name, formValues(form)).finally(() => pending.delete(p));
  pending.add(p);
  return p;
}

/** Save every form on screen now (before an update reload, or leaving the screen). */
export async function flushAll() {
  for (const form of document.querySelectorAll('form')) {
    const d = form.careloopDraft;
    if (d && form.dataset.dirty === 'true') { clearTimeout(timers.get(d.name)); await flushOne(form, d.userId, d.name); }
  }
  await Promise.all([...pending]);
}

export function cancel(name) {
  clearTimeout(timers.get(name));
  timers.delete(name);
}

/** Whether a form on screen holds typing not yet saved as a record. */
export function anyDirty() {
  return [...document.querySelectorAll('form')].some((f) => f.dataset.dirty === 'true');
}
