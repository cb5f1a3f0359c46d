#!/usr/bin/env python3
"""report.html in headless Chromium (ctest: Report.HtmlInChromium).

usage: html_report_test.py EINFLOW SOURCE_DIR WORK_DIR

Runs the reduced FuseMax study (50 points) and `einflow report --format
html,json`, then opens a copy of report.html with tests/tools/html/report_check.js
injected at the top of its <head> in headless Chromium, which works the page and
writes what it saw into the DOM. Checks: no script error; the table holds every
record of report.json, sorts both ways on cycles and filters by text and by a
number; each plot has a mark per point of its data, and the plots have the
points of the records (the Pareto plot one per successful record, each speedup
plot one per record with a baseline); legend entries hide and show their
series; a dragged box zooms a plot and a double-click resets it; hovering a
mark shows the point; a row's energy breakdown lists its components. Exits 77 (ctest: skipped, with the reason on stdout) where no
Chromium is installed.
"""
import json
import os
import re
import shutil
import subprocess
import sys


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def main():
    einflow, root, work = sys.argv[1:4]
    browser = chromium()
    if not browser:
        print("SKIPPED: no Chromium on this machine (Debian: apt-get install chromium); report.html not opened")
        return 77
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    sweep_dir = os.path.join(work, "sweep")
    subprocess.run([einflow, "sweep", os.path.join(root, "configs", "studies", "fusemax-quick.yaml"), "--out", sweep_dir,
                    "--jobs", "2"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([einflow, "report", sweep_dir, "--format", "html,json"], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(sweep_dir, "report.json")) as f:
        report = json.load(f)
    with open(os.path.join(sweep_dir, "report.html")) as f:
        page = f.read()
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", ""), "the page must not fetch anything"
    assert "https://" not in page, "the page must not fetch anything"
    with open(os.path.join(root, "tests", "tools", "html", "report_check.js")) as f:
        check = f.read()
    probe = os.path.join(work, "report-check.html")
    with open(probe, "w") as f:
        f.write(page.replace("<head>", "<head>\n<script>\n" + check + "\n</script>", 1))
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--user-data-dir=" + os.path.join(work, "profile"), "--virtual-time-budget=10000", "--dump-dom",
           "file://" + probe]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=180).stdout
    found = re.findall(r'<pre id="einflow-check">([^<]*)</pre>', dom)  # the last: the check's own
    assert found, "the check wrote nothing: the page did not load\n" + dom[:2000]
    text = found[-1].replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    seen = json.loads(text)
    failures = []

    def expect(cond, what):
        if not cond:
            failures.append(what)

    records = report["records"]
    ok = [r for r in records if r["status"] == "ok"]
    expect(seen["errors"] == [], f"script errors: {seen['errors']}")
    expect(seen["records"] == len(records) == 50, f"{seen['records']} records in the page, {len(records)} in report.json")
    expect(seen["rows"] == len(records), f"{seen['rows']} table rows for {len(records)} records")
    expect(seen["sorted_up"] and seen["sorted_down"], "sorting on cycles")
    expect(seen["filtered_rows"] == seen["filtered_want"] == sum(r["design"] == "fusemax" for r in records),
           f"text filter: {seen['filtered_rows']} rows, want {seen['filtered_want']}")
    expect(0 < seen["below_median_rows"] == seen["below_median_want"] < len(records),
           f"number filter: {seen['below_median_rows']} rows, want {seen['below_median_want']}")
    expect(seen["breakdown_rows"] == seen["breakdown_want"] > 0, "energy breakdown of a row")
    plots = {p["id"]: p for p in seen["plots"]}
    with_baseline = 0
    for p in seen["plots"]:
        expect(p["svg"] == 1, f"plot {p['id']} has no drawing")
        expect(p["marks"] > 0, f"plot {p['id']} has no points")
        expect(p.get("after_hiding_first", 0) < p["marks"] and p.get("after_showing_again") == p["marks"],
               f"plot {p['id']}: legend toggle {p.get('after_hiding_first')} / {p.get('after_showing_again')} of {p['marks']}")
        expect(p.get("tooltip", ""), f"plot {p['id']}: no tooltip on hover")
        if p["kind"] in ("line", "scatter"):
            expect(p.get("zoomed") and p.get("reset"), f"plot {p['id']}: zoom {p.get('zoomed')}, reset {p.get('reset')}")
        if p["id"].startswith("speedup-"):
            with_baseline += p["marks"]
    expect(plots["pareto"]["marks"] == len(ok), f"Pareto plot: {plots['pareto']['marks']} points for {len(ok)} records")
    expect("point " in plots["pareto"].get("tooltip", ""), "the Pareto plot's tooltip names the point")
    expect(with_baseline == len(ok), f"speedup plots: {with_baseline} points for {len(ok)} records")
    energy = sum(p["marks"] for p in seen["plots"] if p["id"].startswith("energy-"))
    components = {c for r in ok for c in r["energy_by_component_pj"]}
    expect(energy == len(ok) * len(components), f"energy plots: {energy} bars for {len(ok)} points x {len(components)}")
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        return 1
    print(f"report.html in {os.path.basename(browser)}: {len(records)} rows, {len(seen['plots'])} plots, no script error")
    return 0


if __name__ == "__main__":
    sys.exit(main())
