// Console inbox: follows the public live feed and, when something
// happens, reads the inbox again at the same address (the same filters)
// and puts its queues in place of the ones shown, keeping the focus and
// saying so to screen readers. The page is whole without it; this only
// spares a reload. Hidden cases never reach the public feed: their
// changes show at the next reload or the next public event.
(function () {
  "use strict";
  var queues = document.querySelector("[data-queues]");
  var status = document.querySelector("[data-inbox-status]");
  if (!queues || !("WebSocket" in window) || !("fetch" in window) || !("DOMParser" in window)) return;

  var position = 0;
  var timer = null;
  var loading = false;
  var again = false;

  // focusKey names what has the focus inside the queues, so that the
  // same link can take it back once the queues are replaced.
  function focusKey() {
    var el = document.activeElement;
    if (!el || !queues.contains(el)) return null;
    var card = el.closest("[data-case-id]");
    return card ? card.getAttribute("data-case-id") : null;
  }

  function refocus(id) {
    if (!id) return;
    var card = queues.querySelector('[data-case-id="' + (window.CSS && CSS.escape ? CSS.escape(id) : id) + '"]');
    var link = card && card.querySelector("a");
    if (link) link.focus();
  }

  function announce() {
    if (!status) return;
    // A new text each time, or a screen reader may not say it again.
    status.textContent = "";
    setTimeout(function () { status.textContent = status.getAttribute("data-updated") || ""; }, 50);
  }

  function reload() {
    if (loading) { again = true; return; }
    loading = true;
    fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        // A session that ended answers with the sign-in page: leave the
        // queues as they are, the next navigation will say so.
        if (!r.ok || r.redirected) throw new Error(String(r.status));
        return r.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector("[data-queues]");
        if (!fresh) return;
        if (fresh.innerHTML === queues.innerHTML) return;
        var key = focusKey();
        queues.innerHTML = fresh.innerHTML;
        refocus(key);
        announce();
      })
      .catch(function () {})
      .then(function () {
        loading = false;
        if (again) { again = false; schedule(); }
      });
  }

  // Events come in bursts (a form's command, a demo load): one read for
  // each burst.
  function schedule() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () { timer = null; reload(); }, 400);
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) schedule();
  });

  function connect(delay, reconnected) {
    var url = new URL("/api/v1/live?board=public", location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    if (position > 0) url.searchParams.set("since", String(position));
    var ws = new WebSocket(url.toString());
    ws.onopen = function () {
      delay = 1000;
      if (reconnected) schedule();
    };
    ws.onmessage = function (m) {
      var msg;
      try { msg = JSON.parse(m.data); } catch (e) { return; }
      if (typeof msg.position === "number") position = msg.position;
      if (msg.type === "event" && !document.hidden) schedule();
    };
    // Reconnect with since: the server replays what was missed.
    ws.onclose = function () {
      setTimeout(function () { connect(Math.min(delay * 2, 30000), true); }, delay);
    };
  }
  connect(1000, false);
})();
