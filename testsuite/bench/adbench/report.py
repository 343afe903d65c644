#!/usr/bin/env python3
"""report.py — run the ADBench comparison and report it.

Runs BUILD/testsuite/bench/adbench/bench_adbench (TSV: one row per benchmark and
tool), times adjc on each objective file, prints one markdown table (and writes it to
--md), and plots the gradient/primal ratio per benchmark and tool to --png.

    /usr/bin/python3 testsuite/bench/adbench/report.py --build build [--reps N]
        [--only NAME] [--png docs/performance.png] [--md FILE]

scripts/bench.sh builds what is needed first and calls this.
"""
import argparse
import csv
import io
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# Issue 6's targets for adjc's ratio (derivative time / primal time).
TARGETS = {"gmm_d10_K25": 2.2, "gmm_d64_K25": 3.0, "ba_small": 6.0, "ba_large": 6.0,
           "lstm_l2_c1024": 4.0, "lstm_l4_c4096": 4.0}


def adjc_times(build, reps=10):
    """Median wall time of adjc on each objective file (output to /dev/null)."""
    adjc = os.path.join(build, "compiler", "adjc")
    out = {}
    for name in ("gmm", "ba", "lstm"):
        cmd = [adjc, os.path.join(HERE, name + ".c"), "-o", os.devnull, "--", "-I" + HERE]
        samples = []
        for _ in range(reps):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True)
            samples.append(time.perf_counter() - t0)
        out[name] = statistics.median(samples)
    return out


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cc = subprocess.run(["cc", "--version"], capture_output=True, text=True).stdout
    return "%s, %d cores, %s" % (cpu, os.cpu_count() or 0, cc.splitlines()[0] if cc else "cc ?")


def human_bytes(n):
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return ("%.0f %s" % (n, unit)) if unit == "B" else ("%.1f %s" % (n, unit))
        n /= 1024


def table(rows, compile_s):
    lines = ["| benchmark | tool | time (ms) | ratio to primal | target | max rel. diff | "
             "tape | peak RSS | ADOL-C taping (ms) |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        primal = r["tool"] == "primal"
        target = ""
        if r["tool"] == "adjc" and r["bench"] in TARGETS:
            t = TARGETS[r["bench"]]
            target = "%.1f %s" % (t, "met" if float(r["ratio"]) <= t else "**missed**")
        diff = "-" if primal or r["reference"] == r["tool"] else \
            "%s vs %s" % (r["maxdiff"], r["reference"])
        if not primal and r["reference"] == r["tool"]:
            diff = "(reference)"
        tape = human_bytes(int(r["tape_bytes"])) if int(r["tape_bytes"]) else "-"
        rss = int(r["peak_rss_kb"])
        rss = human_bytes(rss * 1024) if rss >= 0 else "n/a"
        rec = r["record_ms"] if float(r["record_ms"]) > 0 else ""
        lines.append("| %s | %s | %.3f | %s | %s | %s | %s | %s | %s |" % (
            r["bench"], r["tool"], float(r["median_ms"]),
            "1" if primal else "%.2f" % float(r["ratio"]), target, diff, tape, rss, rec))
    lines.append("")
    lines.append("| objective file | adjc run time (ms, median of 10) |")
    lines.append("|---|---:|")
    for name, s in compile_s.items():
        lines.append("| %s.c | %.1f |" % (name, 1e3 * s))
    # adjc vs ADOL-C, benchmark by benchmark
    lines.append("")
    by = {}
    for r in rows:
        by.setdefault(r["bench"], {})[r["tool"]] = float(r["median_ms"])
    speed = ["%s %.1fx" % (b, t["adolc"] / t["adjc"]) for b, t in by.items()
             if "adolc" in t and "adjc" in t and t["adjc"] > 0]
    if speed:
        lines.append("adjc's derivative vs ADOL-C's (from a recorded tape): " +
                     ", ".join(speed) + " faster.")
    return "\n".join(lines)


def plot(rows, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report: matplotlib missing (apt-get install python3-matplotlib); no plot",
              file=sys.stderr)
        return False
    benches = list(dict.fromkeys(r["bench"] for r in rows))
    tools = [t for t in dict.fromkeys(r["tool"] for r in rows) if t != "primal"]
    ratio = {(r["bench"], r["tool"]): float(r["ratio"]) for r in rows}
    fig, ax = plt.subplots(figsize=(10, 4.8))
    width = 0.8 / max(1, len(tools))
    for i, tool in enumerate(tools):
        xs = [b + (i - (len(tools) - 1) / 2) * width for b in range(len(benches))]
        ys = [ratio.get((name, tool), 0.0) for name in benches]
        ax.bar(xs, ys, width, label=tool)
    for b, name in enumerate(benches):
        if name in TARGETS:
            ax.hlines(TARGETS[name], b - 0.45, b + 0.45, colors="black", linestyles="dashed")
    ax.set_yscale("log")
    ax.set_xticks(range(len(benches)))
    ax.set_xticklabels(benches, rotation=15)
    ax.set_ylabel("derivative time / primal time (log)")
    ax.set_title("ADBench: cost of the derivative (dashed: adjc's target)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--only")
    ap.add_argument("--png", default="adbench.png")
    ap.add_argument("--md")
    a = ap.parse_args()
    exe = os.path.join(a.build, "testsuite", "bench", "adbench", "bench_adbench")
    cmd = [exe, "--reps", str(a.reps)] + (["--only", a.only] if a.only else [])
    run = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    rows = list(csv.DictReader(io.StringIO(run.stdout), delimiter="\t"))
    compile_s = adjc_times(a.build)
    shown = ["scripts/bench.sh"] + (["--reps", str(a.reps)] if a.reps != 10 else []) + \
        (["--only", a.only] if a.only else [])
    md = "Measured on %s, %s; `%s`.\n\n%s\n" % (
        machine(), time.strftime("%Y-%m-%d"), " ".join(shown), table(rows, compile_s))
    print(md)
    if a.md:
        with open(a.md, "w") as f:
            f.write(md)
    if rows and plot(rows, a.png):
        print("plot: %s" % a.png)
    if run.returncode != 0:
        print("report: bench_adbench failed (exit %d)" % run.returncode, file=sys.stderr)
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
