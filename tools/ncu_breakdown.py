#!/usr/bin/env python3
"""Per-kernel time of the last forward pass in an Nsight Compute CSV (issue 20's profile).

Reads `ncu --metrics gpu__time_duration.sum --csv` output of a run of `rerankd score` (see
scripts/profile-cuda.sh), cuts the kernel sequence into forward passes (each starts with the
embedding kernel), and prints the last one: every kernel in launch order with its grid and
time, then the totals by kind (GEMMs by shape, attention, LayerNorms, the head, copies).

ncu serializes kernels, locks the clocks to base and flushes the caches before each one, so
these times are longer than back to back; they say where the time goes, not how fast it goes.

usage: tools/ncu_breakdown.py NCU_CSV [--markdown]
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import OrderedDict

FORWARD_START = "embed_layer_norm"


def read_kernels(path: str) -> list[dict]:
    """[{name, grid, block, ns}] in launch order, from ncu's CSV (its ==PROF== lines skipped)."""
    with open(path, newline="") as f:
        rows = [row for row in csv.reader(f) if len(row) > 5]
    if not rows:
        raise SystemExit(f"{path}: no CSV rows (did ncu run?)")
    header = rows[0]
    kernels = []
    for row in rows[1:]:
        record = dict(zip(header, row))
        if record.get("Metric Name") != "gpu__time_duration.sum":
            continue
        value = float(record["Metric Value"].replace(",", ""))
        unit = record.get("Metric Unit", "ns")
        scale = {"ns": 1.0, "nsecond": 1.0, "us": 1e3, "usecond": 1e3, "ms": 1e6,
                 "msecond": 1e6}.get(unit, 1.0)
        kernels.append({"name": record["Kernel Name"], "grid": record.get("Grid Size", ""),
                        "block": record.get("Block Size", ""), "ns": value * scale})
    return kernels


def last_forward(kernels: list[dict]) -> list[dict]:
    starts = [i for i, k in enumerate(kernels) if FORWARD_START in k["name"]]
    if not starts:
        raise SystemExit(f"no {FORWARD_START} kernel: not a rerankd forward pass")
    return kernels[starts[-1]:]


def kind_of(name: str) -> str:
    """A short name: cuBLASLt kernels by tile and epilogue, ours by function."""
    if name.startswith("nvjet") or "gemm" in name.lower() or "cutlass" in name.lower():
        # nvjet_sm90_hsh_192x192_64x4_2x4_h_...: CTA tile, k-tile and stages, cluster.
        match = re.search(r"_(\d+x\d+_\d+x\d+_\d+x\d+)_", name) or re.search(r"_(\d+x\d+)_", name)
        tile = match.group(1) if match else "?"
        epilogue = "gelu" if "gelu" in name else ("bias" if "bias" in name else "")
        return f"GEMM {tile} {epilogue}".strip()
    match = re.search(r"rerankd::<unnamed>::(\w+?)(?:_kernel)?[<(]", name)
    return match.group(1) if match else name[:40]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv")
    parser.add_argument("--markdown", action="store_true", help="tables in Markdown")
    args = parser.parse_args()
    forward = last_forward(read_kernels(args.csv))
    total = sum(k["ns"] for k in forward)
    sep = " | " if args.markdown else "  "
    print(f"last forward: {len(forward)} kernels, {total / 1e3:.1f} us")
    if args.markdown:
        print("\n| # | kernel | grid | us |\n| --- | --- | --- | --- |")
    for i, k in enumerate(forward):
        line = sep.join([str(i), kind_of(k["name"]), k["grid"], f"{k['ns'] / 1e3:.1f}"])
        print(f"| {line} |" if args.markdown else line)
    by_kind: OrderedDict[str, list[float]] = OrderedDict()
    for k in forward:
        by_kind.setdefault(kind_of(k["name"]), []).append(k["ns"])
    print()
    if args.markdown:
        print("| kind | kernels | us | share |\n| --- | --- | --- | --- |")
    for kind, times in sorted(by_kind.items(), key=lambda item: -sum(item[1])):
        cells = [kind, str(len(times)), f"{sum(times) / 1e3:.1f}", f"{100 * sum(times) / total:.1f}%"]
        print(f"| {' | '.join(cells)} |" if args.markdown else sep.join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
