// Bureau charts: data from the page's <script type="application/json" id="chart-data"> block
// (no inline script, so the Content-Security-Policy needs nothing more than 'self').
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var trend = document.getElementById("chart-trend");
    if (trend) {
      var chart = echarts.init(trend, null, { renderer: "svg" });
      chart.setOption({
        animation: false,
        tooltip: { trigger: "axis" },
        legend: { data: [data.labels.net, data.labels.upward] },
        grid: { left: 70, right: 20, top: 40, bottom: 30 },
        xAxis: { type: "category", data: data.series.map(function (r) { return r[0]; }) },
        yAxis: { type: "value" },
        series: [
          { name: data.labels.net, type: "line", data: data.series.map(function (r) { return r[1]; }) },
          { name: data.labels.upward, type: "bar", data: data.series.map(function (r) { return r[2]; }) }
        ]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    }
    var rows = document.getElementById("chart-rows");
    if (rows && data.rows.length) {
      var bars = echarts.init(rows, null, { renderer: "svg" });
      bars.setOption({
        animation: false,
        tooltip: { trigger: "axis" },
        grid: { left: 120, right: 20, top: 20, bottom: 30 },
        xAxis: { type: "value" },
        yAxis: { type: "category", inverse: true, data: data.rows.map(function (r) { return r[0]; }) },
        series: [{ name: data.labels.net, type: "bar", data: data.rows.map(function (r) { return r[1]; }) }]
      });
      window.addEventListener("resize", function () { bars.resize(); });
    }
    document.documentElement.setAttribute("data-charts", "ready");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
