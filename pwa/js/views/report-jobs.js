// Large PDFs (the governance report, the evidence pack) are made in the background: a click
// on a PDF link asks the server to prepare it, a status line says "Preparing…" while it is
// made, then offers the file. Asking again when nothing has changed is ready at once (the
// server keeps the file). The link keeps its own address, so it still works without this
// (and is what the page offers when the background worker is not running).
import * as api from '../api.js';
import { h } from '../ui.js';

const POLL_MS = 1000;

/** The status line under a section's links: polite live region, empty until asked. */
export function statusLine() {
  return h('div', { class: 'desk-report-status', role: 'status', 'aria-live': 'polite' });
}

function say(box, message, ...extra) {
  box.replaceChildren(h('p', { class: 'desk-report-status-text' }, message), ...extra);
}

function offer(box, job, label) {
  say(box, job.message,
    h('a', { class: 'btn btn-primary', href: job.download_url, download: '' }, `Save ${label}`));
}

function fallback(box, job, link) {
  say(box, job.message,
    h('a', { class: 'btn btn-secondary', href: link.href, download: '' }, 'Download it directly (slow)'));
}

async function follow(box, job, link, label) {
  while (box.isConnected) {
    if (job.status === 'done') { offer(box, job, label); return; }
    if (job.status === 'failed' || (job.status === 'queued' && !job.worker_running)) {
      fallback(box, job, link);
      return;
    }
    say(box, job.message);
    await new Promise((resolve) => { setTimeout(resolve, POLL_MS); });
    job = await api.get(`/jobs/${job.id}`);
  }
}

/**
 * Make a click on ``link`` prepare its PDF in the background through ``prepare`` (the API
 * path that takes the link's query as a JSON body), reporting in ``box``. A click that the
 * form's checks stopped (defaultPrevented) is left alone.
 */
export function prepareOnClick(link, prepare, box, label) {
  link.addEventListener('click', async (event) => {
    if (event.defaultPrevented) return;
    event.preventDefault();
    if (link.getAttribute('aria-disabled') === 'true') return; // already being prepared
    const body = Object.fromEntries(new URL(link.href, window.location.href).searchParams);
    say(box, `Preparing… Asking for the ${label}.`);
    link.setAttribute('aria-disabled', 'true');
    try {
      await follow(box, await api.post(prepare, body), link, label);
    } catch (err) {
      say(box, `The ${label} could not be prepared: ${err.message}`);
    } finally {
      link.removeAttribute('aria-disabled');
    }
  });
}
