/* Oversight dashboards (issue 4 §3): four ECharts charts drawn from the json_script tag "gz-dashboard-data".
   No inline scripts (CSP); the same figures are in the page's tables for screen readers and printing. */
(function () {
  "use strict";

  var RED = "#b3261e", AMBER = "#f0a202", GREY = "#8c8c8c", GREEN = "#2e7d32";

  function flowOption(data) {
    return {
      tooltip: { trigger: "item" },
      series: [{
        type: "sankey", left: 8, right: 120, top: 8, bottom: 8, nodeGap: 12, draggable: false,
        emphasis: { focus: "adjacency" }, lineStyle: { color: "gradient", opacity: 0.4 },
        data: data.flow.nodes, links: data.flow.links
      }]
    };
  }

  function barOption(rows, name, color, horizontal) {
    var names = rows.map(function (r) { return r[0]; });
    var values = rows.map(function (r) { return r[1]; });
    var category = { type: "category", data: names, inverse: horizontal };
    var value = { type: "value", minInterval: 1 };
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 4, right: 16, top: 16, bottom: 4, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [{ name: name, type: "bar", color: color, data: values }]
    };
  }

  function unitsOption(data) {
    var labels = data.labels, rows = data.units;
    var series = [["on_time", GREEN, 1], ["late", AMBER, 2], ["overdue", RED, 3], ["pending", GREY, 4]];
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 4, right: 16, top: 28, bottom: 4, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r[0]; }) },
      series: series.map(function (s) {
        return { name: labels[s[0]], type: "bar", stack: "units", color: s[1],
                 data: rows.map(function (r) { return r[s[2]]; }) };
      })
    };
  }

  function option(kind, data) {
    if (kind === "flow") { return data.flow.links.length ? flowOption(data) : null; }
    if (kind === "categories") {
      return data.categories.length ? barOption(data.categories, data.labels.cases, RED, true) : null;
    }
    if (kind === "ratings") { return barOption(data.ratings, data.labels.cases, AMBER, false); }
    if (kind === "units") { return data.units.length ? unitsOption(data) : null; }
    return null;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("gz-dashboard-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-gz-dash]").forEach(function (el) {
      var opts = option(el.dataset.gzDash, data);
      if (!opts) { el.classList.add("d-none"); return; }
      el.style.height = (el.dataset.height || "280") + "px";
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(opts);
      window.addEventListener("resize", function () { chart.resize(); });
    });
  });
})();
