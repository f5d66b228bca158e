// One record per save, however the button is tapped: a form's submit runs one save at a time
// with its buttons disabled, and each submission has its own ids (the record's and its
// mutation's), kept until that save is made. A repeat of a submission is then the same
// mutation: the outbox keeps it once and the server's receipts answer a resend as a duplicate.
import { uuid } from './db.js';

/** The ids of ``form``'s current submission, made on first use. */
export function idsOf(form) {
  form.careloopIds ??= { entityId: uuid(), mutationId: uuid() };
  return form.careloopIds;
}

/** Fix the record id (a refused record sent again keeps its id; the mutation is new). */
export function resume(form, entityId) {
  form.careloopIds = { entityId, mutationId: uuid() };
}

/** The save is made: the next submission of ``form`` is a new record. */
export function done(form) {
  delete form.careloopIds;
}

/** Run ``save`` on each submit of ``form``, never two at once, its buttons disabled meanwhile. */
export function onSubmit(form, save) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (form.dataset.saving) return;
    form.dataset.saving = 'true';
    const buttons = [...form.querySelectorAll('button[type=submit]')];
    for (const b of buttons) { b.disabled = true; b.setAttribute('aria-busy', 'true'); }
    try {
      await save();
    } finally {
      for (const b of buttons) { b.disabled = false; b.removeAttribute('aria-busy'); }
      delete form.dataset.saving;
    }
  });
}
