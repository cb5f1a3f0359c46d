#!/usr/bin/env python3
"""The quickstart's study from Python: FuseMax against FLAT on BERT-Base.

    PYTHONPATH=build/test/python python3 examples/python/fusemax_quick.py [OUT]

(or with einflow installed by pip, without PYTHONPATH). It does what
tools/quickstart does with the command line, in two ways:

1. einflow.sweep() runs configs/studies/fusemax-quick.yaml (the five designs,
   attention and the whole layer, 1K to 16K tokens) and returns its records;
   with pandas they become a DataFrame, and the speedups over FLAT a table.
2. A parameter swept in a Python loop: einflow.evaluate() of each design on the
   attention at each length, which must give the sweep's cycles exactly (the
   same model through the same code), checked below.

With matplotlib it draws the speedup against the length to OUT/speedup.png.
"""
import os
import sys

import einflow

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
STUDY = os.path.join(ROOT, "configs", "studies", "fusemax-quick.yaml")
FLAT_ARCH = os.path.join(ROOT, "configs", "arch", "flat-cloud-paper.yaml")
FUSEMAX_ARCH = os.path.join(ROOT, "configs", "arch", "fusemax-cloud-paper.yaml")
BERT = os.path.join(ROOT, "configs", "workloads", "bert-base.yaml")
# The study's designs: name -> (design, architecture, design parameters).
DESIGNS = {
    "unfused": ("unfused", FLAT_ARCH, None),
    "flat": ("flat", FLAT_ARCH, {"stationary.QK": "output", "stationary.AV": "output"}),
    "cascade": ("cascade", FLAT_ARCH, None),
    "architecture": ("architecture", FUSEMAX_ARCH, None),
    "fusemax": ("fusemax", FUSEMAX_ARCH, None),
}
LENGTHS = [1024, 2048, 4096, 8192, 16384]


def main(out):
    os.makedirs(out, exist_ok=True)
    sweep_dir = os.path.join(out, "fusemax-quick")
    if os.path.exists(os.path.join(sweep_dir, "results.pb")):
        results = einflow.load_results(sweep_dir)
    else:
        results = einflow.sweep(STUDY, sweep_dir, progress=lambda what, done, total: None)
    print(f"sweep {results.sweep}: {len(results)} points, einflow {einflow.__version__}")

    # 2. The same attention points, one evaluate() per design and length.
    by_point = {(r["design"], r["instance"]["scope"], r["instance"]["seq_len"]): r for r in results}
    loop = {}
    for name, (design, arch, params) in DESIGNS.items():
        for n in LENGTHS:
            r = einflow.evaluate(arch, BERT, design=design, design_set=params,
                                 set={"instance.scope": "attention", "instance.seq_len": n, "instance.batch": 64,
                                      "instance.phase": "prefill", "instance.causal": False})
            loop[name, n] = r["cycles"]
            swept = by_point[name, "attention", n]["cycles"]
            if r["cycles"] != swept:
                raise SystemExit(f"{name} at {n}: evaluate gives {r['cycles']} cycles, the sweep {swept}")
    print("evaluate() in a loop gives the sweep's cycles at all", len(loop), "attention points")

    speedup = {(name, n): loop["flat", n] / loop[name, n] for name in DESIGNS for n in LENGTHS}
    try:
        import pandas as pd
    except ImportError:
        pd = None
    if pd is not None:
        df = results.to_pandas()
        df["seq_len"] = df["instance.seq_len"]
        df["scope"] = df["instance.scope"]
        cycles = df.pivot_table(index=["scope", "seq_len"], columns="design", values="cycles")
        table = cycles.rdiv(cycles["flat"], axis=0)[list(DESIGNS)]
        print("\nspeedup over FLAT (cycles of flat / cycles of the design):")
        print(table.round(2).to_string())
        table.to_csv(os.path.join(out, "speedup.csv"))
    else:
        print("\n(pandas is not installed: the table is printed without it)")
        print("seq_len " + " ".join(f"{d:>12}" for d in DESIGNS))
        for n in LENGTHS:
            print(f"{n:7d} " + " ".join(f"{speedup[d, n]:12.2f}" for d in DESIGNS))

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib is not installed: no plot)")
        return 0
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for name in DESIGNS:
        ax.plot(LENGTHS, [speedup[name, n] for n in LENGTHS], marker="o", label=name)
    ax.set_xscale("log", base=2)
    ax.set_xticks(LENGTHS, [str(n) for n in LENGTHS])
    ax.set_yscale("log", base=2)
    ax.set_xlabel("sequence length")
    ax.set_ylabel("attention speedup over FLAT (x)")
    ax.set_title("BERT-Base attention, batch 64")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out, "speedup.png")
    fig.savefig(path, dpi=120)
    print("plot:", path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "out", "python")))
