/* Draws the dashboard's trend charts with the vendored Chart.js (UMD build) from the JSON the
   page embeds (#trend-data). The same figures are in the table below each chart. */
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("trend-data");
    if (!source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var Chart = window.Chart;
    Chart.defaults.font.size = 16;
    Chart.defaults.color = "#1b1f24";
    var grid = { color: "#c5ccd3" };
    var volume = document.getElementById("trend-chart");
    if (volume) {
      new Chart(volume, {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [
            { label: volume.dataset.received, data: data.received, backgroundColor: "#0a4d8c" },
            { label: volume.dataset.processed, data: data.processed, backgroundColor: "#a3141b" }
          ]
        },
        options: { maintainAspectRatio: false, animation: false,
          scales: { x: { grid: grid }, y: { beginAtZero: true, grid: grid, ticks: { precision: 0 } } } }
      });
    }
    var rate = document.getElementById("ontime-chart");
    if (rate) {
      new Chart(rate, {
        type: "line",
        data: {
          labels: data.labels,
          datasets: [{ label: rate.dataset.label, data: data.on_time, borderColor: "#1d6b32",
            backgroundColor: "#1d6b32", borderWidth: 4, pointRadius: 5, spanGaps: true }]
        },
        options: { maintainAspectRatio: false, animation: false,
          scales: { x: { grid: grid }, y: { min: 0, max: 100, grid: grid } } }
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
