// Careloop's service worker: precaches the app shell under a versioned cache, serves it
// offline, deletes old caches on activate. API calls always go to the network: the app
// keeps its data in IndexedDB, not in this cache.
// A new release is any change to a shell file: the server hashes the bytes of every file in
// pwa/shell.json into VERSION and writes both in below as it serves this file
// (server/web/shell.py). The page offers "Update ready — reload" and sends SKIP_WAITING
// only when the user accepts, so nobody is reloaded under a half-typed form.
const { VERSION, SHELL } = __RELEASE__;

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
