// Careloop's service worker: precaches the app shell under a versioned cache, serves it
// offline, deletes old caches on activate. API calls always go to the network: the app
// keeps its data in IndexedDB, not in this cache.
// A new release changes VERSION; the page offers "Update ready — reload" and sends
// SKIP_WAITING only when the user accepts, so nobody is reloaded under a half-typed form.
const VERSION = 'careloop-shell-v10';
const SHELL = [
  '/',
  '/index.html',
  '/manifest.webmanifest',
  '/css/app.css',
  '/css/desk.css',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/maskable-512.png',
  '/vendor/idb/index.js',
  '/js/app.js',
  '/js/api.js',
  '/js/copies.js',
  '/js/db.js',
  '/js/drafts.js',
  '/js/outbox.js',
  '/js/session.js',
  '/js/status.js',
  '/js/sync.js',
  '/js/screens.js',
  '/js/ui.js',
  '/js/views/account.js',
  '/js/views/actions.js',
  '/js/views/admin-devices.js',
  '/js/views/admin-people.js',
  '/js/views/admin-setup.js',
  '/js/views/admin-setup-common.js',
  '/js/views/admin-setup-lists.js',
  '/js/views/admin-setup-measures.js',
  '/js/views/admin-setup-service.js',
  '/js/views/admin-setup-thresholds.js',
  '/js/views/capture.js',
  '/js/views/desk-board.js',
  '/js/views/desk-checks.js',
  '/js/views/desk-common.js',
  '/js/views/desk-conflicts.js',
  '/js/views/desk-entry.js',
  '/js/views/desk-entry-records.js',
  '/js/views/desk-inbox.js',
  '/js/views/desk-log.js',
  '/js/views/desk-oversight.js',
  '/js/views/desk-reports.js',
  '/js/views/desk-reviews.js',
  '/js/views/login.js',
  '/js/views/myday.js',
  '/js/views/recent.js',
  '/js/views/two-step.js',
];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(VERSION);
    // cache: 'reload' skips the HTTP cache, so a release never precaches stale files.
    await cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' })));
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith('careloop-') && n !== VERSION).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) return; // always the network
  if (request.mode === 'navigate') {
    event.respondWith((async () => {
      const cache = await caches.open(VERSION);
      return (await cache.match('/index.html')) || fetch(request);
    })());
    return;
  }
  event.respondWith((async () => {
    const cache = await caches.open(VERSION);
    const hit = await cache.match(request, { ignoreSearch: true });
    return hit || fetch(request);
  })());
});

// Background Sync (Chromium): wake an open app to send its outbox. Browsers without it
// (Safari, Firefox) are covered by the app's own triggers: start, online, visible, timer.
self.addEventListener('sync', (event) => {
  if (event.tag !== 'careloop-outbox') return;
  event.waitUntil((async () => {
    const clients = await self.clients.matchAll({ type: 'window' });
    for (const client of clients) client.postMessage({ type: 'sync' });
  })());
});
