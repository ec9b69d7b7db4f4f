// Maps: draws each [data-map] element of the page with Leaflet (loaded
// before this script, only on pages with a map): the board's pins from the
// public GeoJSON export, clustered; a case's pin; the report form's point
// picker, which fills the latitude and longitude fields. Everything comes
// from data- attributes, texts in the page's language included. The pages
// work without it: a map's section stays hidden, and the lists and fields
// say what the map would.
(function () {
  "use strict";
  var L = window.L;
  if (!L) return;
  var rtl = document.documentElement.getAttribute("dir") === "rtl";
  var pointZoom = 16; // a few streets around one point

  function attr(el, name) { return el.getAttribute("data-" + name) || ""; }

  // latLng reads "lat,lon", or returns null.
  function latLng(s) {
    var p = String(s || "").split(",");
    var lat = Number(p[0]), lon = Number(p[1]);
    if (p.length !== 2 || p[0] === "" || p[1] === "" || !isFinite(lat) || !isFinite(lon) ||
        Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
    return L.latLng(lat, lon);
  }

  // baseMap shows el's section and makes the map: the tiles with their
  // credit, the zoom buttons in the page's language on its reading side.
  function baseMap(el) {
    var section = el.closest("[data-map-section]");
    if (section) section.hidden = false;
    var map = L.map(el, { zoomControl: false, attributionControl: false });
    L.control.zoom({
      position: rtl ? "topright" : "topleft",
      zoomInTitle: attr(el, "zoom-in"), zoomOutTitle: attr(el, "zoom-out")
    }).addTo(map);
    L.control.attribution({ position: rtl ? "bottomleft" : "bottomright" }).addTo(map);
    L.tileLayer(attr(el, "tiles"), { maxZoom: 19, attribution: attr(el, "attribution") }).addTo(map);
    map.on("zoomend", function () { el.setAttribute("data-zoom", map.getZoom()); });
    map.setView(latLng(attr(el, "center")) || L.latLng(0, 0), 13);
    el.setAttribute("data-zoom", map.getZoom());
    return map;
  }

  // say puts text in the status line of el's section, which screen
  // readers announce.
  function say(el, text) {
    var section = el.closest("[data-map-section]");
    var status = section && section.querySelector("[data-map-status]");
    if (status) status.textContent = text;
  }

  // The board: a pin per located case, clustered where they crowd, each
  // opening the case's title (a link to its page) and status.
  function board(el) {
    var map = baseMap(el);
    var labels = {};
    try { labels = JSON.parse(attr(el, "statuses")) || {}; } catch (e) { labels = {}; }
    var suffix = attr(el, "link-suffix");
    var pins = L.markerClusterGroup ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 }) : L.featureGroup();
    pins.addTo(map);

    function popup(p) {
      var box = document.createElement("div");
      box.className = "map-popup";
      var a = document.createElement("a");
      a.href = "/cases/" + encodeURIComponent(p.id) + suffix;
      a.textContent = p.title;
      a.setAttribute("dir", "auto");
      var badge = document.createElement("span");
      badge.className = "badge status-" + p.status;
      badge.textContent = labels[p.status] || p.status;
      var line = document.createElement("p");
      line.appendChild(badge);
      box.appendChild(a);
      box.appendChild(line);
      return box;
    }

    fetch(attr(el, "geojson"), { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) {
        if (!r.ok) throw new Error("GeoJSON " + r.status);
        return r.json();
      })
      .then(function (fc) {
        var markers = [], bounds = L.latLngBounds([]);
        (fc.features || []).forEach(function (f) {
          var c = f.geometry && f.geometry.coordinates, p = f.properties || {};
          if (!c || c.length < 2 || !p.id) return;
          var m = L.marker([c[1], c[0]], { alt: p.title || p.id, riseOnHover: true });
          m.bindPopup(popup(p));
          markers.push(m);
          bounds.extend(m.getLatLng());
        });
        // The view first, then the pins: clustered at the zoom they are
        // shown at, rather than animated from the first view's clusters.
        if (markers.length) map.fitBounds(bounds, { padding: [24, 24], maxZoom: pointZoom, animate: false });
        if (pins.addLayers) pins.addLayers(markers);
        else markers.forEach(function (m) { pins.addLayer(m); });
        el.setAttribute("data-pins", markers.length);
      })
      .catch(function () {
        var section = el.closest("[data-map-section]");
        var status = section && section.querySelector("[data-map-status]");
        if (status) say(el, attr(status, "failed"));
        el.setAttribute("data-pins", "failed");
      });
  }

  // A case: its one pin.
  function onePoint(el) {
    var map = baseMap(el);
    var at = latLng(attr(el, "point"));
    if (!at) return;
    L.marker(at, { alt: attr(el, "point-title"), keyboard: false }).addTo(map);
    map.setView(at, pointZoom);
    el.setAttribute("data-pins", 1);
  }

  // The report form: a tap on the map, Enter on the focused map (for its
  // centre) or the device's position sets the point and fills the
  // fields; typing in the fields moves the pin.
  function picker(el) {
    var map = baseMap(el);
    var form = el.closest("form");
    var lat = form && form.querySelector('[data-coordinate="lat"]');
    var lon = form && form.querySelector('[data-coordinate="lon"]');
    if (!lat || !lon) return;
    var section = el.closest("[data-map-section]");
    var status = section.querySelector("[data-map-status]");
    var pin = null;

    function show(at) {
      if (pin) pin.setLatLng(at);
      else pin = L.marker(at, { keyboard: false, alt: "" }).addTo(map);
    }
    // set puts the point at, five decimals (about a metre) in the fields.
    function set(at, message) {
      at = at.wrap();
      lat.value = at.lat.toFixed(5);
      lon.value = at.lng.toFixed(5);
      show(at);
      say(el, message);
    }
    function fromFields() {
      var at = latLng(lat.value.replace(",", ".") + "," + lon.value.replace(",", "."));
      if (!at) return null;
      show(at);
      return at;
    }

    var start = fromFields();
    if (start) map.setView(start, pointZoom);
    map.on("click", function (e) { set(e.latlng, attr(status, "set")); });
    map.getContainer().addEventListener("keydown", function (e) {
      if (e.key === "Enter" && e.target === map.getContainer()) {
        e.preventDefault(); // Enter would submit the form
        set(map.getCenter(), attr(status, "set"));
      }
    });
    [lat, lon].forEach(function (input) {
      input.addEventListener("change", function () {
        var at = fromFields();
        if (at) map.panTo(at);
      });
    });

    // The device's position needs a secure page (HTTPS, or this
    // machine): elsewhere the button would only ever fail.
    var locate = section.querySelector("[data-locate]");
    if (!locate || !navigator.geolocation || !window.isSecureContext) return;
    locate.hidden = false;
    locate.addEventListener("click", function () {
      say(el, attr(locate, "locating"));
      navigator.geolocation.getCurrentPosition(function (pos) {
        var at = L.latLng(pos.coords.latitude, pos.coords.longitude);
        map.setView(at, 17);
        set(at, attr(locate, "located"));
      }, function (err) {
        say(el, attr(locate, err && err.code === 1 ? "denied" : "unavailable"));
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-map]"), function (el) {
    switch (el.getAttribute("data-map")) {
      case "board": board(el); break;
      case "case": onePoint(el); break;
      case "picker": picker(el); break;
    }
  });
})();
