/* Report charts (Apache ECharts, vendored). The CSP forbids inline scripts, so each chart is a
   <div data-chart="ID"> next to <script type="application/json" id="ID"> written by json_script;
   this file turns that data into an ECharts option, again after htmx swaps the report in. */
(function () {
  "use strict";

  var PALETTE = ["#1677ff", "#13a8a8", "#faad14", "#52c41a", "#722ed1", "#f5222d", "#8c8c8c"];

  // Tooltips are HTML: every name in them (a rep's, a reason's, a competitor's) is text that
  // users typed, so it is escaped; ECharts does not escape what a formatter returns.
  function escapeHtml(value) {
    return String(value === null || value === undefined ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  function percent(value) {
    return value === null || value === undefined ? "—" : Math.round(value * 1000) / 10 + "%";
  }

  function barOption(data) {
    var hasPercent = data.series.some(function (s) { return s.percent; });
    var yAxis = [{ type: "value", minInterval: 1, axisLabel: { hideOverlap: true } }];
    if (hasPercent) {
      yAxis.push({ type: "value", min: 0, max: 1, axisLabel: { formatter: percent }, splitLine: { show: false } });
    }
    return {
      color: PALETTE,
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var lines = [escapeHtml(items.length ? items[0].axisValueLabel : "")];
          items.forEach(function (item) {
            var s = data.series[item.seriesIndex];
            var value = s.percent ? percent(item.value) : item.value;
            lines.push(item.marker + escapeHtml(s.name) + "：" + escapeHtml(value));
          });
          return lines.join("<br>");
        }
      },
      legend: { top: 0, type: "scroll", show: data.series.length > 1 },
      grid: {
        left: 8,
        right: hasPercent ? 48 : data.horizontal ? 40 : 16,
        bottom: 8,
        top: data.series.length > 1 ? 40 : 12,
        containLabel: true
      },
      // long labels (a competitor's brand and model) read along the bars, one per row
      xAxis: data.horizontal ? yAxis[0] : { type: "category", data: data.categories, axisLabel: { interval: 0, hideOverlap: true } },
      yAxis: data.horizontal
        ? { type: "category", data: data.categories, inverse: true, axisLabel: { interval: 0, width: 120, overflow: "truncate" } }
        : yAxis,
      series: data.series.map(function (s) {
        return {
          name: s.name,
          type: s.line ? "line" : "bar",
          stack: s.stack,
          yAxisIndex: s.percent ? 1 : 0,
          data: s.data,
          barMaxWidth: data.horizontal ? 18 : 36,
          label: s.percent ? { show: true, formatter: function (p) { return percent(p.value); } } : undefined
        };
      })
    };
  }

  function pieOption(data) {
    var s = data.series[0];
    return {
      color: PALETTE,
      tooltip: {
        trigger: "item",
        formatter: function (item) {
          return item.marker + escapeHtml(item.name) + "：" + escapeHtml(item.value) +
            "（" + escapeHtml(item.percent) + "%）";
        }
      },
      legend: { bottom: 0, type: "scroll" },
      series: [{ name: s.name, type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], data: s.data,
                 label: { formatter: "{b} {c}" } }]
    };
  }

  function draw(root) {
    if (typeof window.echarts === "undefined") return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(data.kind === "pie" ? pieOption(data) : barOption(data), true);
    });
  }

  function resizeAll() {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var chart = window.echarts && window.echarts.getInstanceByDom(el);
      if (chart) chart.resize();
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
  var pending;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(resizeAll, 150);
  });
})();
