/* Reports page: draws each <canvas class="report-chart" data-chart="{...}"> with Chart.js.
   The figures are also in the tables beside each chart, so the page works without this script. */
(function () {
  "use strict";
  var palette = ["#0b4f8a", "#8a3b00", "#1d6b2f", "#6b2f8a", "#4a4a4a"];

  function draw(canvas) {
    var spec;
    try {
      spec = JSON.parse(canvas.getAttribute("data-chart"));
    } catch (error) {
      return;
    }
    var twoAxes = spec.datasets.some(function (set) { return set.yAxisID === "y1"; });
    var datasets = spec.datasets.map(function (set, index) {
      var colour = palette[index % palette.length];
      return Object.assign({ borderColor: colour, backgroundColor: colour, spanGaps: true }, set);
    });
    var scales = { y: { beginAtZero: true, position: "left" } };
    if (twoAxes) {
      scales.y1 = { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } };
    }
    canvas.chart = new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: scales },
    });
  }

  function start() {
    if (!window.Chart) {
      return;
    }
    document.querySelectorAll("canvas.report-chart[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
