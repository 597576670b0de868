/* report.html's own script: sortable and filterable tables, the article
   buttons, and the trend chart (uPlot, inlined before this script). Everything
   it shows is already in the page, rendered on the server; it reads data only
   from the page's JSON blocks and puts text in with textContent, never as HTML. */
(function () {
  "use strict";

  function cellText(cell) {
    return (cell.getAttribute("data-sort") || cell.textContent).trim();
  }

  function compareCells(a, b) {
    var x = parseFloat(a), y = parseFloat(b);
    if (!isNaN(x) && !isNaN(y) && /^-?[\d.]/.test(a) && /^-?[\d.]/.test(b)) return x - y;
    return a.localeCompare(b);
  }

  function makeSortable(table) {
    table.querySelectorAll("thead th").forEach(function (th, index) {
      th.setAttribute("title", "Sort by this column");
      th.addEventListener("click", function () {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var ascending = th.getAttribute("data-dir") !== "asc";
        table.querySelectorAll("thead th").forEach(function (other) { other.removeAttribute("data-dir"); });
        th.setAttribute("data-dir", ascending ? "asc" : "desc");
        rows.sort(function (a, b) {
          var c = compareCells(cellText(a.cells[index]), cellText(b.cells[index]));
          return ascending ? c : -c;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  /* A filter box hides what does not contain its text: whole articles in the
     article list, else table rows (and a table, with its heading, left empty). */
  function makeFilter(input) {
    var scope = document.getElementById(input.getAttribute("data-scope"));
    if (!scope) return;
    input.addEventListener("input", function () {
      var needle = input.value.toLowerCase();
      var articles = scope.querySelectorAll("details.article");
      if (articles.length) {
        articles.forEach(function (item) {
          item.style.display = item.textContent.toLowerCase().indexOf(needle) >= 0 ? "" : "none";
        });
        return;
      }
      var tables = scope.tagName === "TABLE" ? [scope] : Array.prototype.slice.call(scope.querySelectorAll("table"));
      tables.forEach(function (table) {
        var shown = 0;
        Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
          var match = row.textContent.toLowerCase().indexOf(needle) >= 0;
          row.style.display = match ? "" : "none";
          shown += match ? 1 : 0;
        });
        if (table !== scope) {
          table.style.display = shown ? "" : "none";
          var heading = table.previousElementSibling;
          if (heading && heading.tagName === "H3") heading.style.display = shown ? "" : "none";
        }
      });
    });
  }

  function articleButtons() {
    function each(open) {
      document.querySelectorAll("details.article").forEach(function (item) { item.open = open(item); });
    }
    var buttons = {
      "open-all": function () { return true; },
      "close-all": function () { return false; },
      "open-attention": function (item) { return item.getAttribute("data-attention") === "yes"; }
    };
    Object.keys(buttons).forEach(function (id) {
      var button = document.getElementById(id);
      if (button) button.addEventListener("click", function () { each(buttons[id]); });
    });
  }

  function day(seconds) {
    return new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 16) + " UTC";
  }

  /* Whole seconds to a year: no fraction of a second on the time axis. */
  var TIME_STEPS = [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400,
    7 * 86400, 14 * 86400, 30 * 86400, 91 * 86400, 182 * 86400, 365 * 86400];

  /* Axis labels in UTC: days when the runs span days (a tick between two midnights
     shows its time of day, so no day is labelled twice), else the time of day. */
  function timeLabels(u, splits) {
    var span = u.scales.x.max - u.scales.x.min;
    return splits.map(function (seconds) {
      var text = new Date(seconds * 1000).toISOString();
      if (span >= 2 * 86400) return seconds % 86400 === 0 ? text.slice(0, 10) : text.slice(11, 16);
      if (span >= 3600) return text.slice(5, 16).replace("T", " ");
      return text.slice(11, 19);
    });
  }

  /* Verdict counts over this corpus's runs: dates on the x axis, counts on the
     y axis, a legend; partial runs (some links not checked) ringed. */
  function drawTrend() {
    var holder = document.getElementById("trend-chart");
    var source = document.getElementById("trend-data");
    if (!holder || !source || typeof uPlot !== "function") return false;
    var data = JSON.parse(source.textContent);
    if (!data.x.length) return false;
    var series = [{ label: "Run", value: function (u, seconds) { return seconds == null ? "—" : day(seconds); } }];
    var columns = [data.x];
    /* Two series with equal counts lie on one line. The series come widest first
       (html.TREND_SERIES) and uPlot draws them in order, so each narrower, dashed
       line lies on top of the wider ones: a line below shows at both edges and
       through the gaps, and its point is a ring around the point on top. */
    data.series.forEach(function (line) {
      series.push({
        label: line.label, stroke: line.colour, width: line.width,
        dash: line.dash && line.dash.length ? line.dash : undefined,
        value: function (u, count) { return count == null ? "— (partial run)" : String(count); },
        points: { show: true, size: 3 + 1.6 * line.width, width: 1, fill: line.colour, stroke: "#fff" }
      });
      columns.push(line.values);
    });
    series.push({  // the total, on top of all: thin, dash-dot, grey
      label: "all links", stroke: "#9e9e9e", width: 1, dash: [6, 3, 1, 3],
      points: { show: true, size: 4, fill: "#9e9e9e", stroke: "#9e9e9e" }
    });
    columns.push(data.links);
    if (data.partial.some(Boolean)) {
      series.push({
        label: "partial run", stroke: "#424242", width: 0,
        paths: function () { return null; },
        points: { show: true, size: 16, width: 2, stroke: "#424242", fill: "rgba(0,0,0,0)" },
        value: function (u, count, seriesIndex, index) {
          if (index == null) return "—";
          return data.partial[index] ? "yes: " + data.why[index] : "no";
        }
      });
      columns.push(data.links.map(function (count, index) { return data.partial[index] ? count : null; }));
    }
    var width = Math.max(320, holder.clientWidth || 900);
    var chart = new uPlot({
      width: width, height: 300, padding: [12, 48, 0, 0],
      tzDate: function (seconds) { return uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC"); },
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max) * 1.1]; } } },
      axes: [
        { label: "run (UTC)", stroke: "#444", grid: { stroke: "#eee" }, space: 90, incrs: TIME_STEPS, values: timeLabels },
        { label: "links", stroke: "#444", grid: { stroke: "#eee" }, size: 56 }
      ],
      series: series,
      hooks: {  // the legend shows the latest run's figures until the pointer moves over another run
        ready: [function (u) { u.setLegend({ idx: data.x.length - 1 }); }]
      }
    }, columns, holder);
    holder.uplot = chart;  // for the browser test: the series as uPlot drew them
    window.addEventListener("resize", function () {
      chart.setSize({ width: Math.max(320, holder.clientWidth || 900), height: 300 });
    });
    return true;
  }

  document.querySelectorAll("table.sortable").forEach(makeSortable);
  document.querySelectorAll("input.filter").forEach(makeFilter);
  articleButtons();
  try {
    document.body.setAttribute("data-trend", drawTrend() ? "drawn" : "none");
  } catch (error) {
    document.body.setAttribute("data-trend", "failed");
    console.error("trend chart: " + error);
  }
  document.body.setAttribute("data-rows", String(document.querySelectorAll("table.sortable tbody tr").length));
  document.body.setAttribute("data-ready", "yes");
})();
