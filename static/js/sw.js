// The service worker's code (core/offline.py serves /sw.js, which sets self.OFFLINE and imports this file).
// It keeps the app shell so that pages open without a network, and a copy of the pages that say
// "Offline-Page: keep" (never a no-store answer, never a redirect), forgotten at every sign-in and sign-out.
// It never touches a POST: what a form sends offline is kept by static/js/outbox.js, in the page.
/* global self, caches, fetch, Response, URL */
"use strict";

var CONFIG = self.OFFLINE;
var SHELL_CACHE = "shell-" + CONFIG.version;
var PAGES_CACHE = "pages";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
    var offline = fetch(CONFIG.offline, { credentials: "omit" }).then(function (response) {
      if (response.ok) { return cache.put(CONFIG.offline, response); }
    });
    return Promise.all([cache.addAll(CONFIG.shell), offline]);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("shell-") === 0 && name !== SHELL_CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function mayKeep(response) {
  var control = (response.headers.get("Cache-Control") || "").toLowerCase();
  return response.ok && !response.redirected && response.type === "basic" && control.indexOf("no-store") === -1;
}

function keepPage(request, response) {
  return caches.open(PAGES_CACHE).then(function (cache) {
    return cache.put(request.url, response).then(function () { return cache.keys(); }).then(function (keys) {
      var extra = keys.length - CONFIG.maxPages;
      return Promise.all(keys.slice(0, Math.max(extra, 0)).map(function (key) { return cache.delete(key); }));
    });
  });
}

function page(event) {
  return fetch(event.request).then(function (response) {
    if (mayKeep(response) && response.headers.get(CONFIG.keepHeader) === CONFIG.keepValue) {
      event.waitUntil(keepPage(event.request, response.clone()));
    }
    return response;
  }).catch(function () {
    return caches.match(event.request.url, { cacheName: PAGES_CACHE }).then(function (kept) {
      return kept || caches.match(CONFIG.offline, { cacheName: SHELL_CACHE });
    }).then(function (answer) {
      return answer || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
    });
  });
}

function fromNetwork(request) {
  return fetch(request).then(function (response) {
    if (mayKeep(response)) {
      var copy = response.clone();
      caches.open(SHELL_CACHE).then(function (cache) { return cache.put(request, copy); });
    }
    return response;
  });
}

function shellFile(request) {
  if (CONFIG.hashed) {  // a hashed name never changes: the phone's copy first
    return caches.match(request, { cacheName: SHELL_CACHE }).then(function (kept) { return kept || fromNetwork(request); });
  }
  return fromNetwork(request).catch(function () {
    return caches.match(request, { cacheName: SHELL_CACHE }).then(function (kept) { return kept || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method !== "GET") {
    if (CONFIG.forgetOn.indexOf(url.pathname) !== -1) {
      event.waitUntil(caches.delete(PAGES_CACHE));  // someone signs in or out: no page of the one before stays
    }
    return;  // the network's, untouched
  }
  if (request.mode === "navigate") {
    event.respondWith(page(event));
  } else if (url.pathname.indexOf(CONFIG.static) === 0) {
    event.respondWith(shellFile(request));
  }
  // anything else (the API, htmx's fragments, the pickers' answers): the network's, never kept
});
