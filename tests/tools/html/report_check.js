// Injected by tests/tools/html_report_test.py at the top of a copy of
// report.html: records script errors from the start, then, once the page has
// loaded, works its table (sort, filter), its plots (marks, hover, legend) and
// its energy breakdown, and writes what it saw into <pre id="einflow-check">.
(function () {
  "use strict";
  var errors = [];
  window.addEventListener("error", function (e) { errors.push(String(e.message || e)); });
  function numbers(col) {
    return Array.prototype.map.call(document.querySelectorAll("#results tbody tr"), function (tr) {
      return tr.children[col].textContent;
    }).filter(function (s) { return s !== "-" && s !== ""; }).map(Number);
  }
  function ordered(xs, dir) {
    for (var i = 1; i < xs.length; i++) if (dir * (xs[i] - xs[i - 1]) < 0) return false;
    return xs.length > 1;
  }
  function rows() { return document.querySelectorAll("#results tbody tr").length; }
  function marks(box) { return box.querySelectorAll("circle.pt, rect.bar").length; }
  window.addEventListener("load", function () {
    var out = { errors: errors };
    try {
      var data = JSON.parse(document.getElementById("einflow-data").textContent);
      out.records = data.records.length;
      out.rows = rows();
      var heads = Array.prototype.slice.call(document.querySelectorAll("#results thead tr:first-child th"));
      var col = function (name) {
        return heads.findIndex(function (th) { return th.textContent.trim().indexOf(name) === 0; });
      };
      var cycles = col("cycles");
      heads[cycles].click();
      out.sorted_up = ordered(numbers(cycles), 1);
      heads[cycles].click();
      out.sorted_down = ordered(numbers(cycles), -1);
      var design = col("design");
      var box = document.querySelector('#results tr.filters input[data-col="' + design + '"]');
      box.value = "fusemax";
      box.dispatchEvent(new Event("input"));
      out.filtered_rows = rows();
      out.filtered_want = data.records.filter(function (r) { return r.design.indexOf("fusemax") >= 0; }).length;
      box.value = "";
      box.dispatchEvent(new Event("input"));
      var numbox = document.querySelector('#results tr.filters input[data-col="' + cycles + '"]');
      var median = numbers(cycles).sort(function (a, b) { return a - b; })[Math.floor(out.rows / 2)];
      numbox.value = "<" + median;
      numbox.dispatchEvent(new Event("input"));
      out.below_median_rows = rows();
      out.below_median_want = data.records.filter(function (r) { return r.status === "ok" && r.cycles < median; }).length;
      numbox.value = "";
      numbox.dispatchEvent(new Event("input"));
      out.plots = data.plots.map(function (p) {
        var el = document.querySelector('.plot[data-id="' + p.id + '"]');
        var got = el ? marks(el) : -1;
        var entry = { id: p.id, kind: p.kind, marks: got, svg: el ? el.querySelectorAll("svg").length : 0 };
        // The first legend entry hides its series, and shows it again.
        var legend = el ? el.querySelector(".legend span") : null;
        if (legend) {
          legend.click();
          entry.after_hiding_first = marks(el);
          legend.click();
          entry.after_showing_again = marks(el);
        }
        // A dragged box zooms (the axes' labels change); a double-click resets them.
        var svg = el ? el.querySelector("svg") : null;
        if (svg && (p.kind === "line" || p.kind === "scatter")) {
          var labels = function () {
            return Array.prototype.map.call(svg.querySelectorAll("text"), function (t) { return t.textContent; }).join("|");
          };
          var before = labels(), box = svg.getBoundingClientRect();
          svg.dispatchEvent(new MouseEvent("mousedown", { clientX: box.left + 0.3 * box.width,
                                                          clientY: box.top + 0.2 * box.height, bubbles: true }));
          window.dispatchEvent(new MouseEvent("mouseup", { clientX: box.left + 0.7 * box.width,
                                                           clientY: box.top + 0.6 * box.height }));
          entry.zoomed = labels() !== before;
          svg.dispatchEvent(new MouseEvent("dblclick", { bubbles: true }));
          entry.reset = labels() === before;
        }
        var mark = el ? el.querySelector("circle.pt, rect.bar") : null;
        if (mark) {
          mark.dispatchEvent(new MouseEvent("mousemove", { clientX: 10, clientY: 10, bubbles: true }));
          var tip = document.getElementById("tooltip");
          entry.tooltip = tip.style.display === "block" ? tip.textContent : "";
          mark.dispatchEvent(new MouseEvent("mouseleave"));
        }
        return entry;
      });
      var first = document.querySelector("#results tbody tr");
      first.click();
      out.breakdown_rows = document.querySelectorAll("#breakdown tr").length - 1;
      var rec = data.records[data.table.record[Number(first.getAttribute("data-row"))]];
      out.breakdown_want = Object.keys(rec.energy_by_component_pj || {}).length;
    } catch (e) {
      errors.push("check: " + e + (e.stack ? " " + e.stack : ""));
    }
    var pre = document.createElement("pre");
    pre.id = "einflow-check";
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  });
})();
