// Checks a record against a JSON Schema with Ajv, away from the page. Ajv compiles each schema
// into a function, which needs eval: the server serves this worker, and only it, with a
// Content-Security-Policy that allows eval and no network (server/common/security.py).
import { Ajv2020, addFormats } from '../vendor/ajv/ajv.js';

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const compiled = new Map(); // the schema's text -> its compiled check

function check(text) {
  let validate = compiled.get(text);
  if (!validate) {
    const { $id: _id, ...schema } = JSON.parse(text); // one $id may come back changed
    validate = ajv.compile(schema);
    compiled.set(text, validate);
  }
  return validate;
}

self.onmessage = ({ data: { id, schema, record } }) => {
  try {
    const validate = check(schema);
    const errors = validate(record) ? [] : validate.errors;
    postMessage({ id, errors: errors.map(({ instancePath, keyword, params }) => ({ instancePath, keyword, params })) });
  } catch (err) {
    postMessage({ id, failed: String(err?.message || err) });
  }
};
