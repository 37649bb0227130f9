// The outbox: a <form data-outbox="what it records"> is sent with fetch; when the network fails, what it sends
// (its fields, its files as blobs, its idempotency key in the "once" field) is kept in IndexedDB on the phone and
// sent again, with the same key, when the network is back (on "online", on every page load and every 30 s). The
// server keeps the key (core/idempotency.py), so a request sent twice is stored once. A refusal (4xx) is kept for
// the user to see and discard or send again; a busy server (5xx, 429) is tried again later. See docs/offline.md.
(function () {
  "use strict";
  var DB_NAME = "outbox", STORE = "requests", KEY_FIELD = "once", EVERY_MS = 30000;
  var box = null, words = {}, user = "", db = null, chain = Promise.resolve();

  function word(name, n) { return (words[name] || name).replace("{n}", n); }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID().replace(/-/g, ""); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function request(req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function open() {
    if (db) { return Promise.resolve(db); }
    var req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "id" }); };
    return request(req).then(function (opened) { db = opened; return db; });
  }

  function store(mode) { return db.transaction(STORE, mode).objectStore(STORE); }
  function put(record) { return open().then(function () { return request(store("readwrite").put(record)); }); }
  function remove(id) { return open().then(function () { return request(store("readwrite").delete(id)); }); }
  function mine() {
    return open().then(function () { return request(store("readonly").getAll()); }).then(function (all) {
      return all.filter(function (r) { return r.user === user; }).sort(function (a, b) { return a.saved - b.saved; });
    });
  }

  // one send at a time, across the phone's tabs when the browser can say so (two sends would still be stored
  // once, by the key; this only spares the network)
  function exclusive(work) {
    if (navigator.locks && navigator.locks.request) { return navigator.locks.request("outbox", work); }
    chain = chain.then(work, work);
    return chain;
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function summary(form) {
    var parts = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || el.type === "submit" || el.name === "q") { return; }
      if ((el.type === "checkbox" || el.type === "radio") && el.checked) {
        var label = el.closest("label");
        parts.push((label ? label.textContent : el.value).trim());
      } else if (el.tagName === "SELECT" && el.selectedIndex > 0) {
        parts.push(el.options[el.selectedIndex].textContent.trim());
      } else if (el.type === "file" && el.files.length) {
        parts.push(word("photo"));
      } else if ((el.tagName === "TEXTAREA" || el.type === "text" || el.type === "date" || el.type === "number") && el.value) {
        parts.push(el.value.trim());
      }
    });
    var text = parts.join(" · ");
    return text.length > 90 ? text.slice(0, 89) + "…" : text;
  }

  function recordOf(form, submitter) {
    var data = submitter ? new FormData(form, submitter) : new FormData(form);
    var fields = [];
    data.forEach(function (value, name) {
      if (value instanceof File && !value.name && !value.size) { return; }  // a file input left empty
      fields.push([name, value]);
    });
    return {
      // the attribute, not form.action: a field named "action" (a campaign's mark) would stand in its place
      id: newKey(), user: user, url: new URL(form.getAttribute("action") || location.href, location.href).href,
      page: location.pathname + location.search,
      key: data.get(KEY_FIELD) || "", label: form.getAttribute("data-outbox") || document.title,
      summary: summary(form), fields: fields, saved: Date.now(), state: "sending", errors: []
    };
  }

  function body(record) {
    var data = new FormData();
    record.fields.forEach(function (pair) {
      var value = pair[1];
      if (pair[0] === "csrfmiddlewaretoken") { value = csrfToken() || value; }  // the page's token, the newest
      if (value instanceof Blob) { data.append(pair[0], value, value.name || "file"); } else { data.append(pair[0], value); }
    });
    return data;
  }

  // the answer, as the outbox reads it: "sent", "offline" (try later), "signin" (the session ended), "refused"
  function send(record) {
    var headers = { "X-CSRFToken": csrfToken(), "Idempotency-Key": record.key };
    return fetch(record.url, { method: "POST", body: body(record), credentials: "same-origin", headers: headers })
      .then(function (response) {
        var path = new URL(response.url).pathname;
        if (response.redirected && path === box.getAttribute("data-login")) { return { state: "signin", response: response }; }
        if (response.ok) { return { state: "sent", response: response }; }
        if (response.status >= 500 || response.status === 429 || response.status === 408) { return { state: "offline", response: response }; }
        return { state: "refused", response: response };
      }, function () { return { state: "offline" }; });
  }

  function errorsOf(html, status) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var found = [];
    doc.querySelectorAll(".has-error").forEach(function (field) {
      var label = field.querySelector("label, legend");
      field.querySelectorAll(".error").forEach(function (e) {
        found.push((label ? label.textContent.replace("*", "").trim() + ": " : "") + e.textContent.trim());
      });
    });
    doc.querySelectorAll(".errors p, .errors li").forEach(function (e) { found.push(e.textContent.trim()); });
    if (!found.length) { found.push(word("refused") + " (" + status + ")"); }
    return found.slice(0, 6);
  }

  function replay() {
    if (!user || !db) { return Promise.resolve(); }
    return exclusive(function () {
      return mine().then(function (records) {
        var sent = 0;
        var next = function (i) {
          var record = records[i];
          if (!record) { return sent; }
          if (record.state === "refused") { return next(i + 1); }
          return send(record).then(function (answer) {
            if (answer.state === "sent") { sent += 1; return remove(record.id).then(function () { return next(i + 1); }); }
            if (answer.state === "refused") {
              return answer.response.text().then(function (html) {
                record.state = "refused";
                record.errors = errorsOf(html, answer.response.status);
                return put(record);
              }).then(function () { return next(i + 1); });
            }
            record.state = answer.state;  // offline or signin: the rest waits too
            return put(record).then(function () { return sent; });
          });
        };
        return next(0);
      });
    }).then(function (sent) {
      if (sent) { say(word("sent", sent), "ok"); }
      return show();
    });
  }

  function say(text, kind) {
    var line = box.querySelector(".outbox-said");
    line.textContent = text;
    line.className = "outbox-said msg-" + (kind || "info");
    line.hidden = !text;
  }

  function button(text, action, id) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn secondary";
    b.textContent = text;
    b.setAttribute("data-outbox-action", action);
    b.setAttribute("data-outbox-id", id);
    return b;
  }

  function show() {
    if (!box || !db) { return Promise.resolve(); }
    return mine().then(function (records) {
      var count = box.querySelector(".outbox-count"), list = box.querySelector(".outbox-list");
      box.hidden = !records.length && box.querySelector(".outbox-said").hidden;
      box.classList.toggle("has-waiting", records.length > 0);
      count.hidden = !records.length;
      count.textContent = word("waiting", records.length);
      box.setAttribute("data-waiting", String(records.length));
      list.textContent = "";
      if (records.some(function (r) { return r.state === "refused"; })) { box.querySelector(".outbox-waiting").open = true; }
      records.forEach(function (record) {
        var li = document.createElement("li");
        li.className = "outbox-item state-" + record.state;
        var title = document.createElement("strong");
        title.textContent = record.label + " · " + new Date(record.saved).toLocaleString();
        li.appendChild(title);
        var what = document.createElement("p");
        what.textContent = record.summary;
        li.appendChild(what);
        var state = document.createElement("p");
        state.className = "outbox-state";
        state.textContent = word(record.state === "refused" ? "refused" : record.state === "signin" ? "signin" : "queued");
        li.appendChild(state);
        (record.errors || []).forEach(function (text) {
          var e = document.createElement("p");
          e.className = "error";
          e.textContent = text;
          li.appendChild(e);
        });
        var actions = document.createElement("div");
        actions.className = "outbox-actions";
        actions.appendChild(button(word("retry"), "retry", record.id));
        if (record.state === "refused") { actions.appendChild(button(word("discard"), "discard", record.id)); }
        li.appendChild(actions);
        list.appendChild(li);
      });
    });
  }

  function onAction(event) {
    var b = event.target.closest("[data-outbox-action]");
    if (!b) { return; }
    var id = b.getAttribute("data-outbox-id");
    if (b.getAttribute("data-outbox-action") === "discard") {
      if (!window.confirm(word("discardAsk"))) { return; }
      remove(id).then(show);
      return;
    }
    open().then(function () { return request(store("readonly").get(id)); }).then(function (record) {
      if (!record) { return; }
      record.state = "queued";
      record.errors = [];
      return put(record);
    }).then(replay);
  }

  function carryMessages(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var texts = Array.prototype.map.call(doc.querySelectorAll(".messages li"), function (li) {
      return [li.className, li.textContent.trim()];
    });
    try { sessionStorage.setItem("outbox.messages", JSON.stringify(texts)); } catch (e) { /* private mode */ }
  }

  function showCarried() {
    var raw = null;
    try { raw = sessionStorage.getItem("outbox.messages"); sessionStorage.removeItem("outbox.messages"); } catch (e) { return; }
    var texts = raw ? JSON.parse(raw) : [];
    if (!texts.length || document.querySelector("main .messages")) { return; }
    var ul = document.createElement("ul");
    ul.className = "messages";
    texts.forEach(function (t) { var li = document.createElement("li"); li.className = t[0]; li.textContent = t[1]; ul.appendChild(li); });
    var main = document.querySelector("main");
    main.insertBefore(ul, main.firstChild);
  }

  function today() {
    var d = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
  }

  // a new record: a new key, and "today" as the phone sees it (a page kept on the phone carries the day it was
  // kept; a date the user changed is left alone)
  function freshKey(form) {
    var once = form.querySelector("input[name=" + KEY_FIELD + "]");
    if (once) { once.value = newKey(); }
    form.querySelectorAll("input[data-today]").forEach(function (input) {
      if (input.value === input.defaultValue) { input.value = today(); }
    });
  }

  function kept(form, text) {
    form.reset();
    freshKey(form);  // the next record is another request
    say(text, "info");
    show().then(function () { box.scrollIntoView({ block: "start" }); });
  }

  // the form as the server sent it back, with its errors at the fields; the files the user chose stay chosen
  function refusedHere(form, html, record) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = form.id && doc.getElementById(form.id);
    if (!fresh) {
      say(errorsOf(html, "").join(" "), "error");
      return show();
    }
    var files = {};
    record.fields.forEach(function (pair) { if (pair[1] instanceof File) { (files[pair[0]] = files[pair[0]] || []).push(pair[1]); } });
    var imported = document.importNode(fresh, true);
    form.replaceWith(imported);
    Object.keys(files).forEach(function (name) {
      var input = imported.querySelector("input[type=file][name='" + name + "']");
      if (!input || !window.DataTransfer) { return; }
      var transfer = new DataTransfer();
      files[name].forEach(function (f) { transfer.items.add(f); });
      input.files = transfer.files;
    });
    var first = imported.querySelector(".has-error, .errors");
    if (first) { first.scrollIntoView({ block: "center" }); }
    return show();
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-outbox") || !db || !user || event.defaultPrevented) { return; }
    event.preventDefault();
    var submit = form.querySelector("[type=submit]");
    if (submit) { submit.disabled = true; }
    var record = recordOf(form, event.submitter);
    // kept before it is sent: a page closed while it is on its way loses nothing
    put(record).then(function () {
      return exclusive(function () { return send(record); });
    }).then(function (answer) {
      if (submit) { submit.disabled = false; }
      if (answer.state === "sent") {
        return remove(record.id).then(function () { return answer.response.text(); }).then(function (html) {
          carryMessages(html);
          location.assign(answer.response.url);
        });
      }
      if (answer.state === "refused") {
        return remove(record.id).then(function () { return answer.response.text(); }).then(function (html) {
          return refusedHere(form, html, record);
        });
      }
      record.state = answer.state;
      return put(record).then(function () {
        kept(form, word(answer.state === "signin" ? "signinKept" : answer.response ? "busy" : "saved"));
      });
    }).catch(function () {
      if (submit) { submit.disabled = false; }
      say(word("failed"), "error");
    });
  }

  function start() {
    box = document.getElementById("outbox");
    if (!box || !window.indexedDB) { return; }
    Array.prototype.forEach.call(box.attributes, function (a) {
      if (a.name.indexOf("data-word-") === 0) {
        words[a.name.slice(10).replace(/-([a-z])/g, function (m, c) { return c.toUpperCase(); })] = a.value;
      }
    });
    user = box.getAttribute("data-user") || "";
    document.querySelectorAll("form[data-outbox]").forEach(freshKey);  // a page opened from the phone's copy
    showCarried();
    box.addEventListener("click", onAction);
    document.addEventListener("submit", onSubmit);
    open().then(function () {
      window.addEventListener("online", replay);
      document.addEventListener("visibilitychange", function () { if (!document.hidden) { replay(); } });
      setInterval(replay, EVERY_MS);
      return replay();
    }).catch(function () { db = null; });  // no IndexedDB (a private window): forms are sent the ordinary way
    if (navigator.serviceWorker && box.getAttribute("data-worker")) {
      navigator.serviceWorker.register(box.getAttribute("data-worker"), { scope: "/" }).catch(function () { /* no worker: pages need the network */ });
    }
  }

  window.outbox = { replay: replay, show: show, count: function () { return db ? mine().then(function (r) { return r.length; }) : Promise.resolve(0); } };
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
