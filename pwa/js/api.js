// The JSON API under /api/v1: one error shape {error: {code, message, fields}}.
const BASE = '/api/v1';
let csrfToken = null;

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `The server answered ${status}.`);
    this.status = status;
    this.code = error.code || 'http_' + status;
    this.fields = error.fields || {};
    this.body = body;
  }
}

/** The server could not be reached at all (offline, or the server is down). */
export class NetworkError extends Error {}

export function setCsrf(token) { csrfToken = token || null; }

// Requests made while this is on (the timed sync) tell the server they are not the person's
// activity, so that an app left open on a shared tablet still reaches its idle timeout.
let background = false;
export function setBackground(on) { background = Boolean(on); }

// The server's clock, from the last answer's Date header: the tablet's own clock may be
// wrong, so time windows (pruning old copies) are judged by the server's.
let serverDate = null;

/** The server's time (ms since the epoch) at its last answer, or null if it never said. */
export function serverTime() { return serverDate; }

async function ensureCsrf() {
  if (!csrfToken) {
    const body = await request('GET', '/auth/csrf');
    csrfToken = body.csrf_token;
  }
  return csrfToken;
}

export async function request(method, path, body = undefined, { retryCsrf = true } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = await ensureCsrf();
  if (background) headers['X-Careloop-Background'] = '1';
  let response;
  try {
    response = await fetch(BASE + path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new NetworkError(err.message || 'The server could not be reached.');
  }
  const data = await answer(response);
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    // A stale CSRF token (new session): fetch a fresh one and try once more.
    if (error.code === 'csrf' && retryCsrf) {
      csrfToken = null;
      return request(method, path, body, { retryCsrf: false });
    }
    throw error;
  }
  return data;
}

async function answer(response) {
  const date = Date.parse(response.headers.get('Date') || '');
  if (!Number.isNaN(date)) serverDate = date;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json().catch(() => null) : null;
}

/** A sync call under one person's device credential (docs/security.md): no cookie and no
 * CSRF token, so it works after a restart and while someone else is signed in. Returns
 * {body, next}: ``next`` is the credential's next token when the server rotated it. */
export async function withCredential(credential, method, path, body = undefined) {
  const headers = { Accept: 'application/json', Authorization: `Bearer ${credential}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (background) headers['X-Careloop-Background'] = '1';
  let response;
  try {
    response = await fetch(BASE + path, {
      method, headers, credentials: 'omit', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new NetworkError(err.message || 'The server could not be reached.');
  }
  const data = await answer(response);
  if (!response.ok) throw new ApiError(response.status, data);
  return { body: data, next: response.headers.get('X-Careloop-Device-Credential') };
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body ?? {});

/** Log in: the user, {second_factor_required: true} when a code must follow, or
 * {choose_provider: [{id, name}]} when the password opens accounts at several providers. */
export async function login(email, password, providerId = null) {
  csrfToken = null;
  const body = providerId ? { email, password, provider_id: providerId } : { email, password };
  const me = await post('/auth/login', body);
  setCsrf(me.csrf_token);
  return me;
}

/** The second step of a sign-in: {code} from the authenticator app, or {recovery_code}. */
export async function secondFactor(body) {
  const me = await post('/auth/second-factor', body);
  setCsrf(me.csrf_token);
  return me;
}

export async function me() {
  const body = await get('/me');
  setCsrf(body.csrf_token);
  return body;
}

export async function logout() {
  try { await post('/auth/logout'); } finally { csrfToken = null; }
}
