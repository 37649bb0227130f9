// The cockpit's charts (cockpit/views.py): each element with data-chart="<id>" is drawn from the page's JSON
// (#cockpit-charts, written by json_script: the Content-Security-Policy runs no inline script) with ECharts.
// A bar, a pie slice or a map tile with a link opens it (the area under this one). Once every chart has drawn
// (ECharts' "finished"), <html> gets data-charts-ready (bench/cockpit_page.py and the browser tests wait on it)
// and data-charts-ms, the milliseconds that took from the start of the navigation.
// Tooltips are drawn on the canvas (renderMode "richText"): ECharts' HTML tooltips carry style attributes,
// which the policy refuses.
(function () {
  "use strict";

  var PALETTE = ["#b3261e", "#c9a227", "#1f6feb", "#1a7f37", "#8250df", "#bf8700", "#cf222e", "#0a7ea4"];

  function number(text) {
    return text === null || text === undefined ? null : Number(text);
  }

  function withUnit(value, unit) {
    return value === null || value === undefined || isNaN(value) ? "—" : value + (unit ? " " + unit : "");
  }

  function barOption(spec, horizontal) {
    var category = {
      type: "category", data: spec.labels,
      axisLabel: { interval: 0, rotate: !horizontal && spec.labels.length > 5 ? 30 : 0, hideOverlap: true }
    };
    var value = { type: "value", name: spec.unit, nameTextStyle: { align: horizontal ? "center" : "left" },
                  minInterval: spec.unit === "%" ? 0 : 1 };
    if (horizontal) { category.inverse = true; }
    return {
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      tooltip: { trigger: "item", renderMode: "richText",
                 formatter: function (p) { return p.name + "：" + withUnit(p.value, spec.unit); } },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [{
        type: "bar", data: spec.values.map(number), barMaxWidth: 36,
        itemStyle: { color: PALETTE[0] },
        label: { show: spec.values.length <= 12, position: horizontal ? "right" : "top" },
        cursor: "pointer"
      }]
    };
  }

  function pieOption(spec) {
    return {
      tooltip: { trigger: "item", renderMode: "richText",
                 formatter: function (p) { return p.name + "：" + withUnit(p.value, spec.unit) + "（" + p.percent + "%）"; } },
      legend: { type: "scroll", bottom: 0 },
      color: PALETTE,
      series: [{
        type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"],
        data: spec.labels.map(function (label, i) { return { name: label, value: number(spec.values[i]) }; }),
        label: { formatter: "{b}\n{d}%" }
      }]
    };
  }

  function lineOption(spec) {
    return {
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      tooltip: { trigger: "item", renderMode: "richText",
                 formatter: function (p) { return p.name + "：" + withUnit(p.value, spec.unit); } },
      xAxis: { type: "category", data: spec.labels, boundaryGap: false },
      yAxis: { type: "value", name: spec.unit, nameTextStyle: { align: "left" }, minInterval: 1 },
      series: [{ type: "line", data: spec.values.map(number), smooth: true, symbolSize: 8,
                 itemStyle: { color: PALETTE[0] }, areaStyle: { opacity: 0.12 } }]
    };
  }

  function mapOption(spec, dark) {
    echarts.registerMap(spec.map, spec.geo);
    var names = {};
    var values = spec.data.map(function (d) { names[d.name] = d.label; return number(d.value) || 0; });
    var max = Math.max.apply(null, values.concat([1]));
    return {
      tooltip: { trigger: "item", renderMode: "richText",
                 formatter: function (p) { return (names[p.name] || p.name) + "：" + withUnit(p.value, spec.unit); } },
      visualMap: { min: 0, max: max, calculable: false, orient: "horizontal", left: "center", bottom: 0,
                   text: [String(max), "0"], textStyle: { color: dark ? "#e6edf3" : "#1f2328" },
                   inRange: { color: dark ? ["#16324f", "#1f6feb", "#f2c94c"] : ["#fdecea", "#e57368", "#8c1d18"] } },
      series: [{
        type: "map", map: spec.map, aspectScale: 1, roam: false, selectedMode: false,
        layoutCenter: ["50%", "46%"], layoutSize: "88%",  // the tiles keep their shape, whatever the box
        label: { show: true, formatter: function (p) { return (names[p.name] || p.name) + "\n" + withUnit(p.value, spec.unit); },
                 color: dark ? "#ffffff" : "#1f2328", fontSize: dark ? 16 : 12,
                 textBorderColor: dark ? "#0d1117" : "#ffffff", textBorderWidth: 2 },
        itemStyle: { borderColor: dark ? "#0d1117" : "#ffffff", borderWidth: 2 },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#c9a227" } },
        data: spec.data.map(function (d) { return { name: d.name, value: number(d.value) }; })
      }]
    };
  }

  function optionFor(spec, dark) {
    if (spec.kind === "pie") { return pieOption(spec); }
    if (spec.kind === "line") { return lineOption(spec); }
    if (spec.kind === "map") { return mapOption(spec, dark); }
    return barOption(spec, spec.kind === "rank");
  }

  function linkOf(spec, params) {
    if (spec.kind === "map") {
      var found = spec.data.filter(function (d) { return d.name === params.name; })[0];
      return found ? found.link : null;
    }
    return spec.links ? spec.links[params.dataIndex] : null;
  }

  function draw() {
    var source = document.getElementById("cockpit-charts");
    var specs = source ? JSON.parse(source.textContent) : {};
    var dark = document.body.classList.contains("cockpit-screen");
    var nodes = Array.prototype.filter.call(document.querySelectorAll("[data-chart]"), function (node) {
      return specs[node.getAttribute("data-chart")];
    });
    var charts = [];
    var waiting = nodes.length;
    function done() {
      waiting -= 1;
      if (waiting <= 0) {
        var root = document.documentElement;
        // the milliseconds since the navigation began (bench/cockpit_page.py reads them), then the mark
        root.setAttribute("data-charts-ms", String(Math.round(performance.now())));
        root.setAttribute("data-charts-ready", String(nodes.length));
      }
    }
    if (!waiting) { done(); }
    nodes.forEach(function (node) {
      var spec = specs[node.getAttribute("data-chart")];
      var chart = echarts.init(node, dark ? "dark" : null, { renderer: "canvas" });
      var first = true;
      chart.on("finished", function () {
        if (first) { first = false; done(); }
      });
      chart.on("click", function (params) {
        var link = linkOf(spec, params);
        if (link) { window.location.href = link; }
      });
      var option = optionFor(spec, dark);
      option.animation = false;  // drawn at once: a screen of figures, not a show
      if (dark) { option.backgroundColor = "transparent"; }
      chart.setOption(option);
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    // printed on A4: each chart at the print stylesheet's size, and back after
    window.addEventListener("beforeprint", function () {
      charts.forEach(function (c) { c.resize({ width: 640, height: 300 }); });
    });
    window.addEventListener("afterprint", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (typeof echarts === "undefined") { return; }  // the library is missing: the tables still say it all
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
