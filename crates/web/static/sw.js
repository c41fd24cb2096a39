// BillTracker service worker. It makes the app installable and gives it an offline notice,
// and it NEVER stores financial data: only the files under /static/ (stylesheets, scripts,
// icons, the offline page) are cached. Pages and /api answers always go to the network and
// are never written to any cache, so nothing about a user's bills stays on the device after
// sign-out. A page request that fails (offline) is answered with the static offline page.
"use strict";

var CACHE = "billtracker-static-v1";
var OFFLINE = "/static/offline.html";
var PRECACHE = ["/static/app.css", "/static/app.js", "/static/htmx-2.0.11.min.js", "/static/icons.svg", OFFLINE];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(PRECACHE);
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(
        names.filter(function (name) {
          return name !== CACHE;
        }).map(function (name) {
          return caches.delete(name);
        })
      );
    }).then(function () {
      return self.clients.claim();
    })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return;
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    // Static files: answer from the cache, refresh it from the network in the background.
    event.respondWith(
      caches.open(CACHE).then(function (cache) {
        return cache.match(request).then(function (cached) {
          var fresh = fetch(request).then(function (response) {
            if (response.ok) {
              cache.put(request, response.clone());
            }
            return response;
          });
          return cached || fresh;
        });
      })
    );
    return;
  }
  if (request.mode === "navigate") {
    // Pages: network only; the offline page when the network fails. Never cached.
    event.respondWith(
      fetch(request).catch(function () {
        return caches.match(OFFLINE);
      })
    );
  }
  // Everything else (the JSON API, htmx requests): the browser's normal network path.
});
