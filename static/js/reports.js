/* Dashboard charts (ECharts, vendored). Data comes from the container's data-chart attribute. */
(function () {
  "use strict";

  var STATUS_COLOURS = { achieved: "#1e7b34", on_track: "#0b5cad", behind: "#b42318" };
  var FONT = '"WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", sans-serif';

  function unitsOption(data) {
    return {
      textStyle: { fontFamily: FONT },
      title: { text: data.year + "年各单位完成人次与指导计划", left: "center", textStyle: { fontSize: 15 } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 28, data: ["完成人次", "指导计划"] },
      grid: { left: 50, right: 20, top: 70, bottom: 110 },
      xAxis: { type: "category", data: data.units, axisLabel: { rotate: 45, interval: 0 } },
      yAxis: { type: "value", name: "人次" },
      series: [
        {
          name: "完成人次", type: "bar",
          data: data.achieved.map(function (value, i) {
            return { value: value, itemStyle: { color: STATUS_COLOURS[data.status[i]] || "#616e7c" } };
          })
        },
        { name: "指导计划", type: "bar", data: data.quota, itemStyle: { color: "#d9dee4" }, barGap: "-100%", z: 1 }
      ]
    };
  }

  function cumulativeOption(data) {
    return {
      textStyle: { fontFamily: FONT },
      title: { text: data.year + "年按季度累计完成进度", left: "center", textStyle: { fontSize: 15 } },
      tooltip: { trigger: "axis" },
      legend: { top: 28, data: ["累计完成", "实名制结业", "均衡进度（" + data.basis_label + "）"] },
      grid: { left: 60, right: 20, top: 70, bottom: 40 },
      xAxis: { type: "category", data: data.quarters },
      yAxis: { type: "value", name: "人次" },
      series: [
        { name: "累计完成", type: "line", data: data.cumulative, itemStyle: { color: "#a4161a" }, symbolSize: 8 },
        { name: "实名制结业", type: "line", data: data.real_name, itemStyle: { color: "#0b5cad" }, lineStyle: { type: "dotted" } },
        { name: "均衡进度（" + data.basis_label + "）", type: "line", data: data.even_pace, itemStyle: { color: "#616e7c" }, lineStyle: { type: "dashed" } }
      ]
    };
  }

  function draw() {
    if (!window.echarts) { return; }
    var charts = [];
    document.querySelectorAll("[data-chart-kind]").forEach(function (el) {
      var data = JSON.parse(el.getAttribute("data-chart"));
      var chart = window.echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
      chart.setOption(el.getAttribute("data-chart-kind") === "units" ? unitsOption(data) : cumulativeOption(data));
      el.setAttribute("data-drawn", "1");
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

/* Export list: poll the status of exports still queued or running, show their progress,
   and reload the page once one has finished (the download link or the failure reason appears). */
(function () {
  "use strict";

  var INTERVAL_MS = 2000;

  function update(row, data) {
    var bar = row.querySelector(".export-progress");
    var percent = row.querySelector(".export-percent");
    var status = row.querySelector(".export-status");
    if (bar) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
    if (percent) { percent.textContent = data.percent + "%"; }
    if (status) { status.textContent = data.status_display; }
    row.setAttribute("data-export-status", data.status);
  }

  function poll() {
    var rows = document.querySelectorAll("[data-export-poll]");
    if (!rows.length) { return; }
    var pending = rows.length;
    var finished = false;
    rows.forEach(function (row) {
      fetch(row.getAttribute("data-export-poll"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data) {
            update(row, data);
            if (data.status !== "queued" && data.status !== "running") { finished = true; }
          }
        })
        .catch(function () { /* keep the refresh link; try again next round */ })
        .then(function () {
          pending -= 1;
          if (pending === 0) {
            if (finished) { window.location.reload(); } else { window.setTimeout(poll, INTERVAL_MS); }
          }
        });
    });
  }

  function start() { window.setTimeout(poll, INTERVAL_MS); }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
