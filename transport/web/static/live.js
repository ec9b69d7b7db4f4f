// Live board: follows /api/v1/live and keeps the counts and the latest
// cases current, removing the card of a case moderation hides and showing
// the title it puts in place. The page works without it; this only
// refreshes it.
(function () {
  "use strict";
  var main = document.querySelector("main[data-live]");
  var counts = document.querySelector("[data-live-counts]");
  if (!main || !counts || !("WebSocket" in window)) return;
  var list = document.querySelector("[data-live-list]");
  var position = Number(counts.getAttribute("data-position")) || 0;
  var refreshing = false;

  function statusLabel(status) {
    var label = counts.querySelector(".status-" + status + " .label");
    return label ? label.textContent : status;
  }

  // Counts come from the board endpoint, at most every half second.
  function refreshCounts() {
    if (refreshing) return;
    refreshing = true;
    setTimeout(function () {
      fetch("/api/v1/boards/public").then(function (r) { return r.json(); }).then(function (b) {
        var total = 0, overdue = 0;
        Object.keys(b.by_status).forEach(function (s) {
          total += b.by_status[s];
          var el = counts.querySelector('[data-count="' + s + '"]');
          if (el) el.textContent = b.by_status[s];
        });
        (b.departments || []).forEach(function (d) { overdue += d.overdue; });
        var t = counts.querySelector('[data-count="total"]');
        if (t) t.textContent = total;
        var o = counts.querySelector('[data-count="overdue"]');
        if (o) o.textContent = overdue;
      }).catch(function () {}).then(function () { refreshing = false; });
    }, 500);
  }

  function show(item) {
    if (!list) return;
    var card = list.querySelector('[data-case-id="' + item.case_id + '"]');
    // Moderation hid the case: its card goes, and nothing of it stays.
    if (item.hidden) {
      if (card) card.parentNode.removeChild(card);
      return;
    }
    if (!card && (item.event === "CaseReported" || item.event === "CaseModerated")) {
      card = document.createElement("li");
      card.className = "case-card";
      card.setAttribute("data-case-id", item.case_id);
      var head = document.createElement("div");
      head.className = "case-head";
      var a = document.createElement("a");
      a.className = "case-title";
      a.href = "/cases/" + encodeURIComponent(item.case_id) + location.search;
      a.dir = "auto";
      a.textContent = item.title;
      var badges = document.createElement("span");
      badges.className = "badges";
      var badge = document.createElement("span");
      badges.appendChild(badge);
      head.appendChild(a);
      head.appendChild(badges);
      card.appendChild(head);
      var meta = document.createElement("p");
      meta.className = "meta";
      meta.dir = "auto";
      meta.textContent = item.district;
      card.appendChild(meta);
      list.insertBefore(card, list.firstChild);
    }
    if (!card) return;
    // Moderation may have replaced the title the public reads.
    var title = card.querySelector(".case-title");
    if (title && item.title) title.textContent = item.title;
    var b = card.querySelector(".badge");
    if (b) {
      b.className = "badge status-" + item.status;
      b.textContent = statusLabel(item.status);
    }
    card.classList.remove("live-updated");
    void card.offsetWidth; // restart the highlight
    card.classList.add("live-updated");
  }

  function connect(delay) {
    var url = new URL(main.getAttribute("data-live"), location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    if (position > 0) url.searchParams.set("since", String(position));
    var ws = new WebSocket(url.toString());
    ws.onopen = function () { delay = 1000; };
    ws.onmessage = function (m) {
      var msg;
      try { msg = JSON.parse(m.data); } catch (e) { return; }
      if (msg.type === "snapshot" || msg.type === "event") {
        position = msg.position;
        refreshCounts();
      }
      if (msg.type === "event") show(msg);
    };
    // Reconnect with since: the server replays what was missed.
    ws.onclose = function () {
      setTimeout(function () { connect(Math.min(delay * 2, 30000)); }, delay);
    };
  }
  connect(1000);
})();
