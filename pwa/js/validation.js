// The tablet's check of a record before it is saved, against the server's own JSON Schema for
// it (GET /api/v1/schemas/<type>.json, narrowed to the service's areas and questions): the
// same lengths, choices and patterns the server refuses, told in plain words beside the field.
// The schemas are kept in IndexedDB (the meta store) for use without signal; Ajv runs in
// validate-worker.js. Rules a schema cannot say are still checked by the server: a refusal
// then reopens the form (views/refusals.js).
import * as api from './api.js';
import * as db from './db.js';

/** Plain names of a record's fields, for messages that are not beside a field on screen. */
export const FIELD_LABELS = {
  service_id: 'Service', walkaround_id: 'Walkaround', kind: 'Kind of record', area: 'Area or routine',
  source: 'Where it came from', description: 'What you saw', action_taken: 'What you did on the spot',
  risk: 'Risk', follow_up_needed: 'Follow-up', people_involved: 'People supported involved',
  respondent_type: 'Who gave the feedback', question_id: 'Question asked', answer: 'Their answer',
  sentiment: 'How it sounded', recorded_at: 'Time recorded', body: 'Note', type: 'Type of evidence',
  location: 'Where it is kept', evidence_date: 'Date of the evidence', entry_id: 'Action',
  checked_by: 'Checked by',
};

const NOT_A_NAME = 'Use record references or initials only (for example R-1042 or J.S.), never a full name.';

// Sentences for one field and one rule, where the general one would be vague.
const FOR_FIELD = {
  people_involved: { not: NOT_A_NAME },
  area: { enum: 'Choose one of this service\'s areas or routines.' },
  question_id: { enum: 'Choose one of this service\'s questions.' },
};

const GENERAL = {
  required: () => 'This is needed.',
  minLength: () => 'This cannot be left empty.',
  maxLength: (p) => `Keep this to ${p.limit} characters or fewer.`,
  pattern: () => 'This cannot be only spaces, or hold a special (control) character. Retype it.',
  enum: () => 'Choose one of the choices offered.',
  format: (p) => ({ date: 'Give a real date.', 'date-time': 'Give a real date and time.' }[p.format]
    || 'Choose from the list offered.'),
  type: () => 'Choose or type a value here.',
  not: () => 'This value is not accepted.',
  additionalProperties: () => 'This app sent something the office does not know. Update the app.',
};

/** A plain sentence for one Ajv error, and the field it belongs to. */
export function explain(error) {
  const field = error.keyword === 'required' ? error.params.missingProperty
    : error.keyword === 'additionalProperties' ? error.params.additionalProperty
      : error.instancePath.split('/')[1] || '';
  const text = FOR_FIELD[field]?.[error.keyword] || (GENERAL[error.keyword] || (() => 'This value is not accepted.'))(error.params || {});
  return [field, text];
}

// The server's own messages that are not yet plain words.
const SERVER_WORDS = [
  [/^Missing data for required field\.$/, () => 'This is needed.'],
  [/^Longer than maximum length (\d+)\.$/, (m) => `Keep this to ${m[1]} characters or fewer.`],
  [/^Must be one of: /, () => 'Choose one of the choices offered.'],
  [/^Not a valid /, () => 'This is not in the right form.'],
  [/^Unknown field\.$/, () => 'This app sent something the office does not know. Update the app.'],
];

/** A refusal's ``fields`` ({path: why}) in plain words, by the record's field names. */
export function plain(fields) {
  const out = {};
  for (const [name, why] of Object.entries(fields || {})) {
    const text = String(Array.isArray(why) ? why[0] : why);
    const hit = SERVER_WORDS.map(([re, say]) => [re.exec(text), say]).find(([m]) => m);
    // The protocol names a value by its path: changes.<field>, or changes.<field>.<index>.
    const field = name.startsWith('changes.') ? name.split('.')[1] : name;
    out[field] ??= hit ? hit[1](hit[0]) : text;
  }
  return out;
}

/** Where ``field`` is named in a sentence that is not beside it. */
export function label(field) {
  return FIELD_LABELS[field] || 'A detail of this record';
}

const key = (entityType, serviceId) => `schema:${entityType}:${serviceId || ''}`;

/** What a service's schema narrows to: its lists as this tablet holds them now. */
function listsOf(service) {
  if (!service) return '';
  const questions = (service.question_sets || []).flatMap((set) => set.questions.map((q) => q.id));
  return JSON.stringify([service.areas || [], service.routines || [], questions]);
}

async function fetchSchema(entityType, service) {
  const query = service ? `?service_id=${encodeURIComponent(service.id)}` : '';
  const schema = await api.get(`/schemas/${entityType}.json${query}`);
  await db.setMeta(key(entityType, service?.id),
    { schema, lists: listsOf(service), fetchedAt: new Date().toISOString() });
  return schema;
}

/** Fetch and keep the schemas the floor forms use: findings per service, notes, evidence. */
export async function refresh(services) {
  const wanted = [...services.map((s) => ['finding', s]), ['note', null], ['evidence', null]];
  await Promise.all(wanted.map(([type, service]) => fetchSchema(type, service).catch(() => null)));
}

/** A schema without the per-service lists (areas, routines, questions). */
function unlisted(schema) {
  const properties = { ...schema.properties };
  for (const name of ['area', 'question_id']) {
    if (properties[name]) { const { enum: _lists, ...rest } = properties[name]; properties[name] = rest; }
  }
  return { ...schema, properties };
}

/**
 * The kept schema of ``entityType`` (for ``service``), fetched now if none is kept. When the
 * service's lists have changed since it was kept and it cannot be fetched again, its lists
 * are left out (the server checks them): an old list must never block a new area.
 */
async function schemaFor(entityType, service) {
  const kept = await db.getMeta(key(entityType, service?.id));
  if (kept && kept.lists === listsOf(service)) return kept.schema;
  try { return await fetchSchema(entityType, service); } catch { return kept ? unlisted(kept.schema) : null; }
}

let worker = null;
let serial = 0;
const waiting = new Map();

function validator() {
  if (!worker) {
    worker = new Worker(new URL('./validate-worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data }) => { waiting.get(data.id)?.(data); waiting.delete(data.id); };
    worker.onerror = () => { for (const done of waiting.values()) done({ failed: 'worker' }); waiting.clear(); worker = null; };
  }
  return worker;
}

const PATIENCE_MS = 5000; // a check that never answers must not hold a save: the server checks too

function run(schema, record) {
  const id = ++serial;
  return new Promise((resolve) => {
    const timer = setTimeout(() => { waiting.delete(id); resolve({ failed: 'timeout' }); }, PATIENCE_MS);
    waiting.set(id, (answer) => { clearTimeout(timer); resolve(answer); });
    validator().postMessage({ id, schema: JSON.stringify(schema), record });
  });
}

/**
 * Check ``record`` (a mutation's changes) against the server's schema for ``entityType``
 * (narrowed to ``service``, the tablet's copy of it, if given);
 * return {field: plain sentence}, empty when it passes or when no schema is known yet (the
 * server checks it anyway).
 */
export async function check(entityType, record, service = null) {
  const schema = await schemaFor(entityType, service);
  if (!schema) return {};
  const answer = await run(schema, record);
  if (answer.failed) return {};
  const errors = {};
  for (const error of answer.errors) {
    const [field, text] = explain(error);
    errors[field] ??= text;
  }
  return errors;
}
