// einflow's report page: draws what tools/report/html.cpp computed (the JSON in
// #einflow-data). Tables sort (click a header) and filter (a box per column:
// text, or >, <, >=, <=, = with a number); plots show a point's configuration
// and metrics on hover, zoom by dragging a box (double-click resets), and a
// legend entry toggles its series. einflow's own code, no libraries.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("einflow-data").textContent);
  var app = document.getElementById("app");
  var palette = ["#0969da", "#cf222e", "#1a7f37", "#8250df", "#bf8700", "#1b7c83", "#e16f24", "#6e7781",
                 "#bf3989", "#4d2d00", "#0550ae", "#a40e26"];
  var NS = "http://www.w3.org/2000/svg";
  var picked = -1;  // the record whose breakdown is shown (highlighted through sorts and filters)

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") e.textContent = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }
  function sv(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fmt(v) {
    if (v === null || v === undefined || (typeof v === "number" && !isFinite(v))) return "-";
    if (typeof v !== "number") return String(v);
    if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-3)) return v.toExponential(3);
    return String(Math.round(v * 1e4) / 1e4);
  }

  // ---- tooltip ----
  var tip = el("div", { id: "tooltip" });
  document.body.appendChild(tip);
  function showTip(ev, text) {
    tip.textContent = text;
    tip.style.display = "block";
    tip.style.left = Math.min(ev.clientX + 14, window.innerWidth - 430) + "px";
    tip.style.top = (ev.clientY + 14) + "px";
  }
  function hideTip() { tip.style.display = "none"; }
  function recordText(r) {
    var rec = data.records[r];
    if (!rec) return "";
    var lines = ["point " + rec.point + ": " + rec.design + " (" + rec.status + ")"];
    for (var k in rec.axes || {}) lines.push(k + " = " + rec.axes[k]);
    lines.push("arch " + rec.arch + ", workload " + rec.workload);
    ["cycles", "seconds", "energy_pj", "dram_bytes", "onchip_bytes"].forEach(function (m) {
      lines.push(m + ": " + fmt(rec[m]));
    });
    return lines.join("\n");
  }

  // ---- header, summary, provenance ----
  app.appendChild(el("h1", { text: "Sweep " + data.name }));
  app.appendChild(el("p", { "class": "muted", text: data.records.length + " points; ratios against " +
                            (data.baseline || "(no baseline)") + " at the same axis values. " + data.provenance_line }));
  app.appendChild(el("h2", { text: "Summary" }));
  app.appendChild(el("p", { "class": "muted", text: "Geometric means of the ratios over the points with a baseline; mean utilizations." }));
  app.appendChild(makeTable(data.summary, "summary", false).wrap);

  // ---- results table ----
  app.appendChild(el("h2", { text: "Results" }));
  var detail = el("div", { "class": "detail", id: "detail", text: "Click a row or a plotted point for its energy breakdown." });
  var results = makeTable(data.table, "results", true);
  app.appendChild(results.count);
  app.appendChild(results.wrap);
  app.appendChild(el("h2", { text: "Energy breakdown of a point" }));
  app.appendChild(detail);

  // ---- plots ----
  app.appendChild(el("h2", { text: "Plots" }));
  app.appendChild(el("p", { "class": "muted", text: "Hover a point or bar for its configuration and metrics; drag a box to zoom, double-click to reset; click a legend entry to hide or show its series." }));
  var plots = el("div", { "class": "plots" });
  app.appendChild(plots);
  data.plots.forEach(function (p) { plots.appendChild(makePlot(p)); });

  app.appendChild(el("h2", { text: "Provenance" }));
  var prov = data.records.length ? data.records[0] : null;
  app.appendChild(el("p", { text: data.provenance_line }));
  app.appendChild(el("p", { "class": "muted", text: "Each row's config hash identifies its fully resolved configuration" +
                            (prov ? " (e.g. point " + prov.point + ": " + prov.config_hash + ")" : "") +
                            "; report.json and results.csv carry the same provenance." }));

  // ---- tables ----
  function isNumber(s) { return s !== "" && s !== "-" && !isNaN(Number(s)); }
  function makeTable(t, id, clickable) {
    var numeric = t.headers.map(function (_, c) {
      var any = false;
      for (var i = 0; i < t.rows.length; i++) {
        var s = t.rows[i][c];
        if (s === "" || s === "-") continue;
        if (!isNumber(s)) return false;
        any = true;
      }
      return any;
    });
    var order = [];  // the rows in display order (render)
    var sort = { col: -1, dir: 1 };
    var filters = t.headers.map(function () { return ""; });
    var table = el("table", { id: id });
    var head = el("thead");
    var names = el("tr");
    var boxes = el("tr", { "class": "filters" });
    t.headers.forEach(function (h, c) {
      var th = el("th", { "class": "sortable" + (numeric[c] ? "" : " text"), "data-col": String(c), title: "sort by " + h });
      th.appendChild(document.createTextNode(h + " "));
      th.appendChild(el("span", { "class": "arrow" }));
      th.addEventListener("click", function () {
        sort.dir = sort.col === c ? -sort.dir : 1;
        sort.col = c;
        render();
      });
      names.appendChild(th);
      var box = el("input", { type: "search", "data-col": String(c), placeholder: numeric[c] ? ">, <, =" : "filter" });
      box.addEventListener("input", function () { filters[c] = box.value.trim(); render(); });
      boxes.appendChild(el("th", {}, [box]));
    });
    head.appendChild(names);
    head.appendChild(boxes);
    table.appendChild(head);
    var body = el("tbody");
    table.appendChild(body);
    var count = el("div", { "class": "count", id: id + "-count" });

    function passes(row) {
      for (var c = 0; c < filters.length; c++) {
        var f = filters[c];
        if (!f) continue;
        var cell = row[c];
        var m = /^(>=|<=|>|<|=)\s*(.+)$/.exec(f);
        if (m && numeric[c] && isNumber(m[2])) {
          if (!isNumber(cell)) return false;
          var a = Number(cell), b = Number(m[2]);
          var ok = m[1] === ">" ? a > b : m[1] === "<" ? a < b : m[1] === ">=" ? a >= b : m[1] === "<=" ? a <= b : a === b;
          if (!ok) return false;
        } else if (String(cell).toLowerCase().indexOf(f.toLowerCase()) < 0) {
          return false;
        }
      }
      return true;
    }
    function compare(a, b) {
      var c = sort.col, x = t.rows[a][c], y = t.rows[b][c];
      if (numeric[c]) {
        var nx = isNumber(x), ny = isNumber(y);
        if (nx !== ny) return nx ? -1 : 1;  // "-" last whatever the direction
        if (nx) return sort.dir * (Number(x) - Number(y)) || a - b;
        return a - b;
      }
      return sort.dir * String(x).localeCompare(String(y), undefined, { numeric: true }) || a - b;
    }
    function render() {
      order = t.rows.map(function (_, i) { return i; });
      if (sort.col >= 0) order.sort(compare);
      names.querySelectorAll(".arrow").forEach(function (a, c) {
        a.textContent = c === sort.col ? (sort.dir > 0 ? "\u25b2" : "\u25bc") : "";
      });
      body.textContent = "";
      var shown = 0;
      order.forEach(function (i) {
        var row = t.rows[i];
        if (!passes(row)) return;
        shown++;
        var tr = el("tr", { "data-row": String(i) });
        if (row[1] === "failed" && clickable) tr.className = "failed";
        if (clickable && t.record && t.record[i] === picked) tr.classList.add("picked");
        row.forEach(function (cell, c) { tr.appendChild(el("td", { "class": numeric[c] ? "" : "text", text: cell })); });
        if (clickable && t.record) tr.addEventListener("click", function () { pick(t.record[i]); });
        body.appendChild(tr);
      });
      count.textContent = shown + " of " + t.rows.length + " rows" + (shown < t.rows.length ? " (filtered)" : "");
    }
    render();
    return { wrap: el("div", { "class": "scroll" }, [table]), count: count };
  }

  // ---- a point's energy breakdown ----
  function pick(r) {
    var rec = data.records[r];
    if (!rec) return;
    picked = r;
    document.querySelectorAll("#results tbody tr").forEach(function (tr) {
      tr.classList.toggle("picked", data.table.record[Number(tr.getAttribute("data-row"))] === r);
    });
    detail.textContent = "";
    detail.appendChild(el("div", { text: recordText(r).split("\n").join("; ") }));
    var parts = [];
    for (var c in rec.energy_by_component_pj || {}) parts.push([c, rec.energy_by_component_pj[c]]);
    parts.sort(function (a, b) { return b[1] - a[1]; });
    var total = rec.energy_pj || 0;
    var t = el("table", { id: "breakdown" });
    t.appendChild(el("tr", {}, [el("th", { "class": "text", text: "component" }), el("th", { text: "energy (pJ)" }),
                                 el("th", { text: "share" }), el("th", { "class": "text", text: "" })]));
    parts.forEach(function (p) {
      var share = total > 0 ? p[1] / total : 0;
      t.appendChild(el("tr", {}, [el("td", { "class": "text", text: data.components[p[0]] || p[0] }),
                                  el("td", { text: fmt(p[1]) }), el("td", { text: (100 * share).toFixed(1) + "%" }),
                                  el("td", { "class": "text" }, [el("span", { "class": "share-bar", style: "width:" + Math.round(300 * share) + "px" })])]));
    });
    detail.appendChild(t);
  }

  // ---- plots ----
  function makePlot(p) {
    var box = el("div", { "class": "plot", "data-id": p.id });
    box.appendChild(el("h3", { text: p.title }));
    var hidden = p.series.map(function () { return false; });
    var view = null;  // zoomed domain {x0, x1, y0, y1} in transformed units
    var bars = p.kind === "bars" || p.kind === "stacked";
    var W = bars ? Math.max(540, 60 + p.categories.length * (p.kind === "stacked" ? 16 : 14 * Math.max(1, p.series.length)))
                 : 540;
    var H = 320, L = 70, R = 14, T = 10, B = bars ? 90 : 42;
    var canvas = sv("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H });
    box.appendChild(canvas);
    var legend = el("div", { "class": "legend" });
    p.series.forEach(function (s, k) {
      var color = s.line && p.kind === "scatter" ? "#1b1f24" : palette[k % palette.length];
      var item = el("span", { "data-series": String(k) }, [el("i", { style: "background:" + color })]);
      item.appendChild(document.createTextNode(s.name));
      item.addEventListener("click", function () {
        hidden[k] = !hidden[k];
        item.classList.toggle("off", hidden[k]);
        draw();
      });
      legend.appendChild(item);
    });
    box.appendChild(legend);
    if (!bars) box.appendChild(el("div", { "class": "hint", text: "drag to zoom, double-click to reset" }));
    draw();
    return box;

    function tx(v, log) { return log ? Math.log10(v) : v; }
    function usable(pt) {
      return pt.y !== null && pt.x !== null && (!p.logy || pt.y > 0) && (!p.logx || pt.x > 0);
    }
    function color(k) { return p.series[k].line && p.kind === "scatter" ? "#1b1f24" : palette[k % palette.length]; }
    // Tick positions in axis units (log10 of the value on a log axis).
    function linearTicks(lo, hi) {
      var out = [];
      var raw = (hi - lo) / 6;
      if (!(raw > 0) || !isFinite(raw)) return [lo];
      var mag = Math.pow(10, Math.floor(Math.log10(raw)));
      var nice = [1, 2, 5, 10].map(function (m) { return m * mag; }).filter(function (m) { return m >= raw; })[0];
      var first = Math.ceil(lo / nice);
      for (var k = 0; k <= 12; k++) {  // at most a dozen, whatever the rounding
        var v = (first + k) * nice;
        if (v > hi + 1e-9 * nice) break;
        out.push(v);
      }
      return out;
    }
    function ticks(lo, hi, log) {
      if (!log) return linearTicks(lo, hi);
      var out = [];
      var span = hi - lo;
      if (span < 3) {  // under three decades: powers of two (1K, 2K, 4K, ... lengths)
        var l2 = Math.ceil(lo * Math.log2(10)), h2 = Math.floor(hi * Math.log2(10));
        var step2 = Math.max(1, Math.ceil((h2 - l2 + 1) / 8));
        for (var q = l2; q <= h2; q += step2) out.push(q / Math.log2(10));
        if (out.length >= 2) return out;
        out = [];
      }
      var step = span > 12 ? Math.ceil(span / 6) : 1;
      for (var e = Math.ceil(lo); e <= Math.floor(hi); e += step) out.push(e);
      if (out.length >= 2) return out;
      // A narrow range (or a zoom): round values between the ends, placed on the log axis.
      return linearTicks(Math.pow(10, lo), Math.pow(10, hi)).filter(function (v) { return v > 0; }).map(Math.log10);
    }
    function label(v, log) {  // a tick: as few digits as it needs
      var x = log ? Math.pow(10, v) : v;
      if (Math.abs(x - Math.round(x)) < 1e-6 * Math.abs(x)) x = Math.round(x);  // 2^14, not 16380
      if (x !== 0 && (Math.abs(x) >= 1e6 || Math.abs(x) < 1e-3)) return Number(x.toPrecision(3)).toExponential();
      return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
    }

    function draw() {
      canvas.textContent = "";
      if (bars) return drawBars();
      var xs = [], ys = [];
      p.series.forEach(function (s, k) {
        if (hidden[k]) return;
        s.points.forEach(function (pt) { if (usable(pt)) { xs.push(tx(pt.x, p.logx)); ys.push(tx(pt.y, p.logy)); } });
      });
      var d = view || { x0: Infinity, x1: -Infinity, y0: Infinity, y1: -Infinity };
      if (!view) {
        xs.forEach(function (v) { d.x0 = Math.min(d.x0, v); d.x1 = Math.max(d.x1, v); });
        ys.forEach(function (v) { d.y0 = Math.min(d.y0, v); d.y1 = Math.max(d.y1, v); });
      }
      if (!isFinite(d.x0)) d = { x0: 0, x1: 1, y0: 0, y1: 1 };
      if (!view) {
        var px = (d.x1 - d.x0) * 0.05 || 0.5, py = (d.y1 - d.y0) * 0.08 || 0.5;
        d = { x0: d.x0 - px, x1: d.x1 + px, y0: d.y0 - py, y1: d.y1 + py };
      }
      var sx = function (v) { return L + (v - d.x0) / (d.x1 - d.x0) * (W - L - R); };
      var sy = function (v) { return H - B - (v - d.y0) / (d.y1 - d.y0) * (H - B - T); };
      axes(d, sx, sy);
      var clip = "clip-" + p.id;
      var defs = sv("defs");
      var cp = sv("clipPath", { id: clip });
      cp.appendChild(sv("rect", { x: L, y: T, width: W - L - R, height: H - B - T }));
      defs.appendChild(cp);
      canvas.appendChild(defs);
      var layer = sv("g", { "clip-path": "url(#" + clip + ")" });
      canvas.appendChild(layer);
      p.series.forEach(function (s, k) {
        if (hidden[k]) return;
        var pts = s.points.filter(usable);
        if (p.kind === "line" || s.line) {
          var runs = {};
          pts.forEach(function (pt) { var key = pt.problem || ""; (runs[key] = runs[key] || []).push(pt); });
          Object.keys(runs).forEach(function (key) {
            var run = runs[key].slice().sort(function (a, b) { return a.x - b.x; });
            var path = "";
            run.forEach(function (pt, i) {
              var X = sx(tx(pt.x, p.logx)), Y = sy(tx(pt.y, p.logy));
              if (i === 0) path += "M" + X + "," + Y;
              else if (s.line) path += "H" + X + "V" + Y;  // the front as steps
              else path += "L" + X + "," + Y;
            });
            layer.appendChild(sv("path", { d: path, fill: "none", stroke: color(k), "stroke-width": s.line ? 1.5 : 2 }));
          });
        }
        if (s.line) {  // the front's points ringed: a problem's front may be one point
          pts.forEach(function (pt) {
            var ring = sv("circle", { "class": "front-pt", cx: sx(tx(pt.x, p.logx)), cy: sy(tx(pt.y, p.logy)), r: 6.5,
                                      fill: "none", stroke: color(k), "stroke-width": 1.5, "data-r": String(pt.r) });
            hover(ring, s, pt);
            layer.appendChild(ring);
          });
          return;
        }
        pts.forEach(function (pt) {
          var c = sv("circle", { "class": "pt", cx: sx(tx(pt.x, p.logx)), cy: sy(tx(pt.y, p.logy)), r: 3.8,
                                 fill: color(k), "data-series": String(k), "data-r": String(pt.r) });
          hover(c, s, pt);
          layer.appendChild(c);
        });
      });
      zoom(d);
    }

    function hover(mark, s, pt) {
      mark.addEventListener("mousemove", function (ev) {
        var head = s.name + ": " + p.ylabel + " = " + fmt(pt.y);
        var where = p.categories.length && !p.logx ? (p.categories[pt.x] || "") : fmt(pt.x);
        if (p.xlabel) head += "\n" + p.xlabel + " = " + where;
        else if (where) head = where + "\n" + head;  // a bar: its design or point
        showTip(ev, pt.r >= 0 ? head + "\n\n" + recordText(pt.r) : head);
      });
      mark.addEventListener("mouseleave", hideTip);
      if (pt.r >= 0) mark.addEventListener("click", function () { pick(pt.r); });
    }

    function axes(d, sx, sy) {
      canvas.appendChild(sv("rect", { x: L, y: T, width: W - L - R, height: H - B - T, fill: "#fff", stroke: "#8c959f" }));
      if (p.categories.length && !p.logx) {
        p.categories.forEach(function (c, i) {
          if (i < d.x0 || i > d.x1) return;
          canvas.appendChild(sv("text", { x: sx(i), y: H - B + 14, "text-anchor": "middle" }, c));
        });
      } else {
        ticks(d.x0, d.x1, p.logx).forEach(function (v) {
          canvas.appendChild(sv("line", { x1: sx(v), x2: sx(v), y1: T, y2: H - B, stroke: "#eaeef2" }));
          canvas.appendChild(sv("text", { x: sx(v), y: H - B + 14, "text-anchor": "middle" }, label(v, p.logx)));
        });
      }
      ticks(d.y0, d.y1, p.logy).forEach(function (v) {
        canvas.appendChild(sv("line", { x1: L, x2: W - R, y1: sy(v), y2: sy(v), stroke: "#eaeef2" }));
        canvas.appendChild(sv("text", { x: L - 5, y: sy(v) + 4, "text-anchor": "end" }, label(v, p.logy)));
      });
      canvas.appendChild(sv("text", { x: (L + W - R) / 2, y: H - 8, "text-anchor": "middle" }, p.xlabel));
      canvas.appendChild(sv("text", { x: 14, y: (T + H - B) / 2, "text-anchor": "middle",
                                      transform: "rotate(-90 14 " + (T + H - B) / 2 + ")" }, p.ylabel));
    }

    function zoom(d) {
      var start = null, band = null;
      function at(ev) {
        var b = canvas.getBoundingClientRect();
        return { x: (ev.clientX - b.left) * W / b.width, y: (ev.clientY - b.top) * H / b.height };
      }
      canvas.onmousedown = function (ev) {
        start = at(ev);
        band = sv("rect", { x: start.x, y: start.y, width: 0, height: 0, fill: "rgba(9,105,218,0.12)", stroke: "#0969da" });
        canvas.appendChild(band);
        window.addEventListener("mouseup", finish);
        ev.preventDefault();
      };
      canvas.onmousemove = function (ev) {
        if (!start) return;
        var q = at(ev);
        band.setAttribute("x", Math.min(start.x, q.x));
        band.setAttribute("y", Math.min(start.y, q.y));
        band.setAttribute("width", Math.abs(q.x - start.x));
        band.setAttribute("height", Math.abs(q.y - start.y));
      };
      function finish(ev) {
        window.removeEventListener("mouseup", finish);
        if (!start) return;
        var q = at(ev), a = start;
        start = null;
        band.remove();
        if (Math.abs(q.x - a.x) < 6 || Math.abs(q.y - a.y) < 6) return;
        var ix = function (X) { return d.x0 + (X - L) / (W - L - R) * (d.x1 - d.x0); };
        var iy = function (Y) { return d.y0 + (H - B - Y) / (H - B - T) * (d.y1 - d.y0); };
        var next = { x0: ix(Math.min(a.x, q.x)), x1: ix(Math.max(a.x, q.x)), y0: iy(Math.max(a.y, q.y)), y1: iy(Math.min(a.y, q.y)) };
        var tiny = function (lo, hi) { return hi - lo <= 1e-9 * Math.max(Math.abs(lo), Math.abs(hi), 1e-300); };
        if (tiny(next.x0, next.x1) || tiny(next.y0, next.y1)) return;  // beyond what doubles resolve
        view = next;
        draw();
      }
      canvas.ondblclick = function () { view = null; draw(); };
    }

    function drawBars() {
      var n = p.categories.length, shown = [];
      p.series.forEach(function (_, k) { if (!hidden[k]) shown.push(k); });
      var top = 0;
      for (var i = 0; i < n; i++) {
        var stack = 0;
        shown.forEach(function (k) {
          var v = p.series[k].points[i] ? p.series[k].points[i].y : null;
          if (v === null || !isFinite(v)) return;
          if (p.kind === "stacked") stack += Math.max(0, v); else top = Math.max(top, v);
        });
        top = Math.max(top, stack);
      }
      var d = { x0: -0.5, x1: n - 0.5, y0: 0, y1: (top || 1) * 1.05 };
      var sx = function (v) { return L + (v - d.x0) / (d.x1 - d.x0) * (W - L - R); };
      var sy = function (v) { return H - B - (v - d.y0) / (d.y1 - d.y0) * (H - B - T); };
      canvas.appendChild(sv("rect", { x: L, y: T, width: W - L - R, height: H - B - T, fill: "#fff", stroke: "#8c959f" }));
      ticks(d.y0, d.y1, false).forEach(function (v) {
        canvas.appendChild(sv("line", { x1: L, x2: W - R, y1: sy(v), y2: sy(v), stroke: "#eaeef2" }));
        canvas.appendChild(sv("text", { x: L - 5, y: sy(v) + 4, "text-anchor": "end" }, label(v, false)));
      });
      canvas.appendChild(sv("text", { x: 14, y: (T + H - B) / 2, "text-anchor": "middle",
                                      transform: "rotate(-90 14 " + (T + H - B) / 2 + ")" }, p.ylabel));
      var slot = (W - L - R) / Math.max(1, n);
      p.categories.forEach(function (c, i) {
        var X = sx(i);
        canvas.appendChild(sv("text", { x: X, y: H - B + 10, "text-anchor": "end",
                                        transform: "rotate(-50 " + X + " " + (H - B + 10) + ")" }, c));
        var base = 0;
        shown.forEach(function (k, j) {
          var pt = p.series[k].points[i];
          if (!pt || pt.y === null || !isFinite(pt.y)) return;
          var x, w, y0, y1;
          if (p.kind === "stacked") {
            w = slot * 0.75; x = X - w / 2; y0 = base; y1 = base + Math.max(0, pt.y); base = y1;
          } else {
            w = slot * 0.8 / shown.length; x = X - slot * 0.4 + j * w; y0 = 0; y1 = pt.y;
          }
          var r = sv("rect", { "class": "bar", x: x, y: sy(y1), width: Math.max(1, w - 1), height: Math.max(0, sy(y0) - sy(y1)),
                               fill: color(k), "data-series": String(k), "data-r": String(pt.r) });
          hover(r, p.series[k], { x: i, y: pt.y, r: pt.r });
          canvas.appendChild(r);
        });
      });
    }
  }
})();
