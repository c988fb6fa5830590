// The service worker: the pages open and work without a network after the first visit.
// On install it caches the app shell and the generated files listed in shell.json: the citizen
// page and its pinned keys, the modules, the rule set, the editor bundle (all of this origin).
// Requests go to the network first, so a new build is picked up as soon as there is one, and fall
// back to the cache when the network is gone. It never contacts another host.
const CACHE = "eligo-v1";
const SHELL = [
  "./",
  "css/base.css",
  "css/citizen.css",
  "css/print.css",
  "css/playground.css",
  "js/boot.js",
  "js/citizen.js",
  "js/engine.js",
  "js/i18n.js",
  "js/dom.js",
  "js/form.js",
  "js/explain.js",
  "icon.svg",
  "manifest.webmanifest",
  "playground/",
  "playground/index.html",
  "playground/playground.js",
  "playground/rules-language.js",
  "embed/",
  "embed/index.html",
  "embed/embed.js",
  "embed/worker.html",
  "embed/worker-page.js",
  "embed/eligo.worker.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // The generated files (index.html, js/trust.js, modules, rules, editor bundle) are listed by
      // scripts/build-web.sh.
      let generated = [];
      try {
        generated = await (await fetch(new Request("shell.json", { cache: "no-cache" }))).json();
      } catch {}
      // One by one, so that a file missing from a build does not stop the others being cached.
      await Promise.all(
        [...SHELL, ...generated].map(async (path) => {
          try {
            const response = await fetch(new Request(path, { cache: "no-cache" }));
            if (response.ok) await cache.put(path, response);
          } catch {}
        }),
      );
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        const response = await fetch(request);
        if (response.ok && response.type === "basic") await cache.put(request, response.clone());
        return response;
      } catch (error) {
        const cached =
          (await cache.match(request, { ignoreSearch: true })) ??
          (request.mode === "navigate" && url.pathname.endsWith("/")
            ? await cache.match(url.pathname + "index.html", { ignoreSearch: true })
            : undefined);
        if (cached) return cached;
        throw error;
      }
    })(),
  );
});
