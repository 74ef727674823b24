// The camera map: Leaflet with the configured tiles, or none (points on a plain background, works offline).
"use strict";
(function () {
  var element = document.getElementById("map");
  if (!element || typeof L === "undefined") { return; }
  var colours = { up: "#2e8540", degraded: "#d4a017", down: "#c0392b", maintenance: "#2f6fd0", unknown: "#6b6b6b" };
  var map = L.map(element, { preferCanvas: false }).setView([51.37, 6.17], 13);
  var tiles = element.dataset.tiles;
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 19, attribution: element.dataset.attribution || "" }).addTo(map);
  }
  fetch(element.dataset.points, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var bounds = [];
      data.points.forEach(function (point) {
        var marker = L.circleMarker([point.lat, point.lon], {
          radius: point.status === "down" ? 9 : 7,
          color: "#1a1a1a",
          weight: 1,
          fillColor: colours[point.status] || colours.unknown,
          fillOpacity: 0.9,
          className: "marker-" + point.status
        }).addTo(map);
        var popup = document.createElement("div");
        var link = document.createElement("a");
        link.href = "/cameras/" + point.id;
        link.textContent = point.name;
        var state = document.createElement("p");
        state.textContent = element.dataset["status" + point.status.charAt(0).toUpperCase() + point.status.slice(1)] || point.status;
        popup.appendChild(link);
        popup.appendChild(state);
        marker.bindPopup(popup);
        // Leaflet writes a string as HTML; a camera's name is text (a device or a person chose it), so an element.
        var label = document.createElement("span");
        label.textContent = point.name;
        marker.bindTooltip(label);
        bounds.push([point.lat, point.lon]);
      });
      if (bounds.length) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 17, animate: false }); }
      var note = document.getElementById("map-note");
      if (note && data.without) { note.textContent = data.without + " " + note.dataset.label; }
    });
}());
