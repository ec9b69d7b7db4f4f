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
  var empty = document.querySelector("[data-live-empty]");
  var categoryNames = {};
  try { categoryNames = JSON.parse(list.getAttribute("data-category-names")) || {}; } catch (e) { /* codes stay */ }
  var districtNames = {};
  try { districtNames = JSON.parse(list.getAttribute("data-district-names")) || {}; } catch (e) { /* codes stay */ }
  var months = [];
  try { months = JSON.parse(list.getAttribute("data-months")) || []; } catch (e) { /* numbers stay */ }
  var timezone = (list && list.getAttribute("data-timezone")) || "UTC";

  // localDate dates a moment as the server's cards do: the day in the
  // city's time zone, the month named in the page's language.
  function localDate(iso) {
    var at = new Date(iso);
    if (isNaN(at.getTime())) return "";
    try {
      var p = {};
      new Intl.DateTimeFormat("en-GB", { timeZone: timezone, year: "numeric", month: "numeric", day: "numeric" })
        .formatToParts(at).forEach(function (x) { p[x.type] = x.value; });
      return Number(p.day) + " " + (months[Number(p.month) - 1] || p.month) + " " + p.year;
    } catch (e) {
      return String(iso).slice(0, 10);
    }
  }
  var position = Number(counts.getAttribute("data-position")) || 0;

  // The counts are kept from the feed: each item moves its case from the
  // status the board counted it under (previous_status, "" for a case not
  // counted yet) to its status. countsAt is the position they reflect.
  // The board is read again only when the feed cannot say (moderation hid
  // a case, an item older than previous_status), on reconnecting, on
  // coming back to the tab, and about once a minute for the overdue count,
  // which time changes without any event.
  var countsAt = position;
  var byStatus = {};
  var overdue = 0;
  Array.prototype.forEach.call(counts.querySelectorAll("[data-count]"), function (el) {
    var k = el.getAttribute("data-count");
    if (k === "overdue") overdue = Number(el.textContent) || 0;
    else if (k !== "total") byStatus[k] = Number(el.textContent) || 0;
  });
  // Items that arrive while the board is being read, applied over it.
  var pending = null;

  function render() {
    var total = 0;
    Object.keys(byStatus).forEach(function (s) {
      total += byStatus[s];
      var el = counts.querySelector('[data-count="' + s + '"]');
      if (el) el.textContent = byStatus[s];
    });
    var t = counts.querySelector('[data-count="total"]');
    if (t) t.textContent = total;
    var o = counts.querySelector('[data-count="overdue"]');
    if (o) o.textContent = overdue;
  }

  function setBoard(b) {
    if (b.position < countsAt) return; // older than what the counts show
    Object.keys(byStatus).forEach(function (s) { byStatus[s] = 0; });
    Object.keys(b.by_status || {}).forEach(function (s) { byStatus[s] = b.by_status[s]; });
    overdue = 0;
    (b.departments || []).forEach(function (d) { overdue += d.overdue; });
    countsAt = b.position;
  }

  function move(item) {
    if (item.position <= countsAt) return;
    if (pending) { pending.push(item); return; }
    if (item.hidden || !("previous_status" in item)) {
      pending = [];
      refresh();
      return;
    }
    countsAt = item.position;
    if (item.previous_status === item.status) return;
    if (item.previous_status) byStatus[item.previous_status] = Math.max(0, (byStatus[item.previous_status] || 0) - 1);
    byStatus[item.status] = (byStatus[item.status] || 0) + 1;
    render();
  }

  // refresh reads the board, then applies what arrived meanwhile.
  var reading = false;
  function refresh() {
    if (reading) return;
    reading = true;
    if (!pending) pending = [];
    fetch("/api/v1/boards/public").then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (b) {
      setBoard(b);
      var items = pending;
      pending = null;
      reading = false;
      items.forEach(move);
      render();
    }).catch(function () {
      reading = false;
      setTimeout(refresh, 5000);
    });
  }

  // About once a minute, at times spread over the viewers.
  function tick() {
    setTimeout(function () {
      if (!document.hidden) refresh();
      tick();
    }, 45000 + Math.random() * 30000);
  }
  tick();
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) refresh();
  });

  function statusLabel(status) {
    var label = counts.querySelector(".status-" + status + " .label");
    return label ? label.textContent : status;
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
      if (item.language) a.lang = item.language;
      a.textContent = item.title;
      var badges = document.createElement("span");
      badges.className = "badges";
      var badge = document.createElement("span");
      badge.className = "badge";
      badges.appendChild(badge);
      head.appendChild(a);
      head.appendChild(badges);
      card.appendChild(head);
      // The same facts as the cards the server renders: number,
      // category, district and the day reported.
      var meta = document.createElement("p");
      meta.className = "meta";
      if (item.number) {
        var number = document.createElement("span");
        number.className = "case-number";
        number.dir = "ltr";
        number.textContent = item.number;
        meta.appendChild(number);
      }
      var category = document.createElement("span");
      category.className = "meta-category";
      category.textContent = categoryNames[item.category] || item.category || "";
      var district = document.createElement("span");
      district.className = "meta-district";
      district.dir = "auto";
      district.textContent = districtNames[item.district] || item.district || "";
      var when = document.createElement("span");
      var time = document.createElement("time");
      time.setAttribute("datetime", item.at);
      time.textContent = localDate(item.at);
      when.appendChild(time);
      meta.appendChild(category);
      meta.appendChild(district);
      meta.appendChild(when);
      card.appendChild(meta);
      if (empty) empty.hidden = true;
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

  function connect(delay, again) {
    var url = new URL(main.getAttribute("data-live"), location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    // Always from the position the page shows, 0 for an empty board: a
    // case reported before the socket opened is replayed, not lost.
    url.searchParams.set("since", String(position));
    var ws = new WebSocket(url.toString());
    ws.onopen = function () {
      delay = 1000;
      if (again) refresh();
    };
    ws.onmessage = function (m) {
      var msg;
      try { msg = JSON.parse(m.data); } catch (e) { return; }
      if (msg.type === "snapshot") {
        position = msg.position;
        setBoard(msg.board);
        render();
      }
      if (msg.type === "event") {
        position = msg.position;
        move(msg);
        show(msg);
      }
    };
    // Reconnect with since: the server replays what was missed.
    ws.onclose = function () {
      setTimeout(function () { connect(Math.min(delay * 2, 30000), true); }, delay);
    };
  }
  connect(1000, false);
})();
