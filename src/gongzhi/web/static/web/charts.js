/* Gongzhi charts: data comes from a json_script tag named by data-gz-chart (no inline scripts, for CSP). */
(function () {
  "use strict";

  function barChart(el) {
    var source = document.getElementById(el.dataset.gzChart);
    if (!source || !window.echarts) {
      return;
    }
    var rows = JSON.parse(source.textContent);
    el.style.height = Math.max(160, rows.length * 44 + 70) + "px";
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 4, right: 16, top: 28, bottom: 4, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.name; }) },
      series: [
        { name: el.dataset.labelDwellings, type: "bar", color: "#b3261e",
          data: rows.map(function (r) { return r.dwellings; }) },
        { name: el.dataset.labelResidents, type: "bar", color: "#f0a202",
          data: rows.map(function (r) { return r.residents; }) }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-gz-chart]").forEach(barChart);
  });
})();
