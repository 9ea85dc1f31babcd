"""Shared plumbing of the peer scripts: CLI, workload, timing loop, machine facts, JSON writer.

Every peer (transformers, sentence-transformers, ONNX Runtime) must be measured on exactly the
requests rerankd's harness sends and be written in the harness's results schema
("rerankd-bench/1", src/bench/results.h), so one report can put them side by side. Keeping all
of that here means a peer script only says how to load its library and score one batch.

One peer "request" is one batch of --batch-size (query, passage) pairs: request i is MS MARCO
query i with its candidates, built like the C++ make_workload (src/bench/workload.h).
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Callable, Iterable, Sequence

SCHEMA = "rerankd-bench/1"
REPO_DIR = Path(__file__).resolve().parents[2]
MSMARCO_FILE = Path("msmarco") / "dev_small_bm25top20_600q.tsv"
MSMARCO_COLUMNS = 6  # qid, pid, rank, label, query, passage
DEVICES = ("cpu", "cuda")
DTYPES = ("fp32", "fp16", "bf16", "int8")
# Flags that decide which kernels a CPU can run; the same list rerankd's MachineInfo keeps.
SIMD_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_int8", "amx_bf16")
STATUS_OK = "ok"
STATUS_NOT_BUILT = "not_built"
STATUS_FAILED = "failed"


@dataclasses.dataclass(frozen=True)
class Request:
    """One batch the peer scores: a query and the passages paired with it."""

    query: str
    documents: tuple[str, ...]


@dataclasses.dataclass
class Timing:
    """What the measured window produced; latencies are per batch, in seconds."""

    latencies_s: list[float]
    duration_s: float
    batches: int
    pairs: int
    prime_s: float  # untimed first pass over every distinct shape (compile, graph capture)
    # With --repeats N > 1: every window's pairs/s in run order; the fields above are the
    # median window's (as the harness's load.repeats reports its own).
    repeat_pairs_per_s: list[float] = dataclasses.field(default_factory=list)

    @property
    def pairs_per_s(self) -> float:
        return self.pairs / self.duration_s if self.duration_s > 0 else 0.0


# ---------------------------------------------------------------------------------------------
# CLI


def build_parser(description: str) -> argparse.ArgumentParser:
    """The options every peer takes, so the harness can call any peer with one command line."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--model", required=True, help="Hugging Face model directory or hub id")
    parser.add_argument("--data-dir", required=True, type=Path,
                        help="shared data dir holding msmarco/dev_small_bm25top20_600q.tsv")
    parser.add_argument("--batch-size", type=int, default=32, help="pairs per request/batch")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                        help="CPU threads for the library (and the tokenizer)")
    parser.add_argument("--device", choices=DEVICES, default="cpu")
    parser.add_argument("--dtype", choices=DTYPES, default="fp32")
    parser.add_argument("--warmup-s", type=float, default=2.0,
                        help="untimed seconds before measuring (at least one batch)")
    parser.add_argument("--duration-s", type=float, default=10.0, help="measured seconds")
    parser.add_argument("--batches", type=int, default=0,
                        help="measure exactly this many batches instead of --duration-s")
    parser.add_argument("--repeats", type=int, default=1,
                        help="measured windows, each after its own warm-up; the median one "
                             "(by pairs/s) is reported, with every window's pairs/s")
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                        help="grid-point value copied into every point's params, in order")
    parser.add_argument("--experiment", default="peers", help="experiment name in the output")
    parser.add_argument("--description", default="", help="experiment description")
    parser.add_argument("--x-key", default="", help="params key the report plots against")
    parser.add_argument("--latency-target-p50-ms", type=float, default=0.0)
    parser.add_argument("--max-length", type=int, default=512,
                        help="truncate pairs to this many tokens (the model's limit)")
    parser.add_argument("--passages-per-document", type=int, default=1,
                        help="consecutive MS MARCO passages joined into one document (long "
                             "documents), as the harness's workload.passages_per_document")
    parser.add_argument("--requests", type=int, default=0,
                        help="distinct requests to build (0: one per query, 600), as "
                             "workload.requests")
    parser.add_argument("--out", required=True, type=Path, help="results JSON to write")
    return parser


def parse_args(parser: argparse.ArgumentParser, argv: Sequence[str] | None = None):
    """Parses and validates, failing with a message naming the bad option (exit code 2)."""
    args = parser.parse_args(argv)
    if args.batch_size < 1:
        parser.error(f"--batch-size must be >= 1, got {args.batch_size}")
    if args.threads < 1:
        parser.error(f"--threads must be >= 1, got {args.threads}")
    if args.repeats < 1:
        parser.error(f"--repeats must be >= 1, got {args.repeats}")
    if args.passages_per_document < 1 or args.requests < 0:
        parser.error("--passages-per-document must be >= 1 and --requests >= 0")
    if args.warmup_s < 0 or args.duration_s <= 0 and args.batches <= 0:
        parser.error("--warmup-s must be >= 0 and --duration-s or --batches must be > 0")
    try:
        args.params = parse_params(args.param)
    except ValueError as error:
        parser.error(str(error))
    return args


def parse_params(items: Iterable[str]) -> list[list[str]]:
    """KEY=VALUE strings -> [key, value] pairs, order kept (the harness's sweep order)."""
    params = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--param {item!r}: expected KEY=VALUE")
        params.append([key, value])
    return params


def quiet_libraries() -> None:
    """No download/loading progress bars: the harness keeps a peer's stderr for its errors.

    Must run before transformers is imported (it reads this once).
    """
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def limit_tokenizer_threads(threads: int) -> None:
    """Rust tokenizers use every core by default; a --threads 2 run must not use more.

    Must run before `tokenizers` is imported (it reads these once).
    """
    os.environ.setdefault("RAYON_NUM_THREADS", str(threads))
    os.environ.setdefault("RAYON_RS_NUM_CPUS", str(threads))


# ---------------------------------------------------------------------------------------------
# Workload


def read_msmarco_rows(data_dir: Path) -> list[tuple[str, str, str]]:
    """(qid, query, passage) per TSV line, file order. Errors name the file and line."""
    path = data_dir / MSMARCO_FILE
    rows = []
    with open(path, encoding="utf-8", newline="\n") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\n")
            if not line:
                continue
            fields = line.split("\t")
            if len(fields) != MSMARCO_COLUMNS:
                raise ValueError(f"{path}:{number}: expected {MSMARCO_COLUMNS} tab-separated "
                                 f"fields, got {len(fields)}")
            rows.append((fields[0], fields[4], fields[5]))
    if not rows:
        raise ValueError(f"{path}: no rows")
    return rows


def make_msmarco_workload(data_dir: Path, documents: int, passages_per_document: int = 1,
                          requests: int = 0) -> list[Request]:
    """Request i = query i and `documents` documents starting at its first candidate.

    Mirrors the C++ make_workload (kind msmarco): with fewer than the 20 candidates it takes the
    first ones; with more, the following queries' passages (file order) fill the list, wrapping
    around to the start of the file, so any batch size works and every request is full. Each
    document joins `passages_per_document` consecutive passages with a space; `requests` > 0
    builds that many (cycling the queries), 0 one per query.
    """
    rows = read_msmarco_rows(data_dir)
    starts = [i for i, row in enumerate(rows) if i == 0 or row[0] != rows[i - 1][0]]
    count = requests if requests > 0 else len(starts)
    per = passages_per_document
    out = []
    for i in range(count):
        start = starts[i % len(starts)]
        passages = [rows[(start + k) % len(rows)][2] for k in range(documents * per)]
        docs = tuple(" ".join(passages[d * per:(d + 1) * per]) for d in range(documents))
        out.append(Request(query=rows[start][1], documents=docs))
    return out


# ---------------------------------------------------------------------------------------------
# Timing


def run_timed(step: Callable[[int], None], count: int, args: argparse.Namespace,
              prime: Sequence[int] = (), pairs_per_batch: int | None = None) -> Timing:
    """Calls step(i % count) for i = 0, 1, ...: prime indices, then warm-up and measured window,
    --repeats times; returns the median window by pairs/s (the lower middle of an even count).

    `prime` are batch indices run once before the warm-up clock starts, one per distinct input
    shape, so torch.compile / CUDA graph capture never lands in warm-up-sized windows of a
    workload with many shapes. The warm-up always runs one batch: every library pays lazy
    initialisation on its first call. step must block until its results are on the host (it
    synchronizes the device itself), so per-batch latency is wall-clock.
    """
    prime_start = time.perf_counter()
    for index in prime:
        step(index)
    prime_s = time.perf_counter() - prime_start

    windows = []
    index = 0
    for _ in range(max(1, getattr(args, "repeats", 1))):
        timing, index = _warm_up_and_measure(step, count, args, index, pairs_per_batch)
        timing.prime_s = prime_s
        windows.append(timing)
    order = sorted(range(len(windows)), key=lambda i: windows[i].pairs_per_s)
    median = windows[order[(len(order) - 1) // 2]]
    if len(windows) > 1:
        median.repeat_pairs_per_s = [window.pairs_per_s for window in windows]
    return median


def _warm_up_and_measure(step: Callable[[int], None], count: int, args: argparse.Namespace,
                         index: int, pairs_per_batch: int | None) -> tuple[Timing, int]:
    """One warm-up and one measured window from batch `index` on; returns the next index too."""
    warmup_end = time.perf_counter() + args.warmup_s
    while True:
        step(index % count)
        index += 1
        if time.perf_counter() >= warmup_end:
            break

    latencies = []
    window_start = time.perf_counter()
    deadline = window_start + args.duration_s
    while True:
        start = time.perf_counter()
        step(index % count)
        end = time.perf_counter()
        latencies.append(end - start)
        index += 1
        if (args.batches > 0 and len(latencies) >= args.batches) or \
                (args.batches <= 0 and end >= deadline):
            break
    duration = time.perf_counter() - window_start
    pairs = len(latencies) * (pairs_per_batch or args.batch_size)
    return Timing(latencies_s=latencies, duration_s=duration, batches=len(latencies),
                  pairs=pairs, prime_s=0.0), index


def latency_summary_ms(latencies_s: Sequence[float]) -> dict[str, float]:
    """mean/p50/p90/p95/p99/max in ms; numpy's default (linear) percentile, like the harness."""
    import numpy

    values = numpy.asarray(latencies_s, dtype=numpy.float64) * 1000.0
    if values.size == 0:
        return {"mean": 0.0, "p50": 0.0, "p90": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
    p50, p90, p95, p99 = numpy.percentile(values, [50, 90, 95, 99])
    return {"mean": float(values.mean()), "p50": float(p50), "p90": float(p90),
            "p95": float(p95), "p99": float(p99), "max": float(values.max())}


# ---------------------------------------------------------------------------------------------
# Points


def make_point(system: str, label: str, args: argparse.Namespace, settings: dict[str, str],
               status: str = STATUS_OK, note: str = "", timing: Timing | None = None) -> dict:
    """One ResultPoint (results.h) as JSON; counters stay 0 unless a timing is given."""
    settings = dict(settings)
    if timing is not None:
        settings["prime_s"] = f"{timing.prime_s:.3f}"
    point = {
        "system": system,
        "label": label,
        "params": [list(pair) for pair in args.params],
        "settings": {key: str(value) for key, value in sorted(settings.items())},
        "status": status,
        "note": note,
        "requests": 0,
        "errors": 0,
        "errors_by_type": {},
        "pairs": 0,
        "duration_s": 0.0,
        "pairs_per_s": 0.0,
        "requests_per_s": 0.0,
        "latency_ms": latency_summary_ms([]),
        "mean_batch_size": 0.0,
    }
    if timing is not None:
        point.update({
            "requests": timing.batches,
            "pairs": timing.pairs,
            "duration_s": timing.duration_s,
            "pairs_per_s": timing.pairs_per_s,
            "requests_per_s": timing.batches / timing.duration_s if timing.duration_s > 0 else 0.0,
            "latency_ms": latency_summary_ms(timing.latencies_s),
            "mean_batch_size": float(timing.pairs / timing.batches) if timing.batches else 0.0,
        })
        if timing.repeat_pairs_per_s:
            point["repeat_pairs_per_s"] = list(timing.repeat_pairs_per_s)
    return point


def base_settings(args: argparse.Namespace, peer: str) -> dict[str, str]:
    """The settings every peer records: what defined the run, and library versions."""
    settings = {
        "peer": peer,
        "model": str(args.model),
        "workload": "msmarco",
        "documents": str(args.batch_size),
        "batch_size": str(args.batch_size),
        "threads": str(args.threads),
        "device": args.device,
        "dtype": args.dtype,
        "max_length": str(args.max_length),
        "warmup_s": str(args.warmup_s),
        "duration_s": str(args.duration_s),
        "batches": str(args.batches),
        "python": platform.python_version(),
    }
    settings.update(library_versions())
    return settings


def library_versions() -> dict[str, str]:
    """Installed versions of the peer libraries, read from package metadata: importing them
    all would cost seconds per grid point and could fail for reasons unrelated to this peer."""
    from importlib import metadata

    versions = {}
    for package in ("numpy", "torch", "transformers", "tokenizers", "onnxruntime", "onnx",
                    "sentence-transformers"):
        name = package.replace("-", "_")
        # An imported module knows its local build tag too ("2.15.0+cu132"); metadata does not.
        version = getattr(sys.modules.get(name), "__version__", None)
        try:
            versions[f"{name}_version"] = version or metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return versions


def mode_list(allowed: Sequence[str]) -> Callable[[str], list[str]]:
    """An argparse type: a comma list of modes from `allowed`. A typo must fail loudly, not
    measure nothing."""
    def parse(text: str) -> list[str]:
        modes = [mode.strip() for mode in text.split(",") if mode.strip()]
        unknown = [mode for mode in modes if mode not in allowed]
        if unknown or not modes:
            raise argparse.ArgumentTypeError(
                f"{text!r}: unknown {unknown}, expected a comma list of {','.join(allowed)}")
        return modes

    return parse


def torch_unavailable_reason(args: argparse.Namespace, dtypes: Iterable[str],
                             no_dtype: str) -> str:
    """Why a torch + transformers peer cannot run here ("" when it can): a missing library, a
    dtype outside `dtypes` (then `no_dtype` says what to use instead), or no GPU."""
    try:
        import torch
        import transformers  # noqa: F401
    except ImportError as error:
        return describe_error(error)
    if args.dtype not in dtypes:
        return f"dtype {args.dtype} {no_dtype}"
    if args.device == "cuda" and not torch.cuda.is_available():
        return "device cuda requested but torch.cuda.is_available() is false"
    return ""


def describe_error(error: BaseException) -> str:
    """One line for a point's note: the exception type and message, no traceback."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".strip()


# ---------------------------------------------------------------------------------------------
# Machine facts


def machine_info(args: argparse.Namespace) -> dict[str, str | int]:
    """MachineInfo (results.h) as seen from Python: what the numbers were measured on."""
    return {
        "cpu_model": cpu_model(),
        "cpu_cores": online_cpus(),
        "cpu_flags": " ".join(cpu_simd_flags()),
        "gpu": gpu_name(args.device),
        "os": os_name(),
        "build_type": "",
        "git_commit": git_commit(),
        "rerankd_version": "",
    }


def cpuinfo_field(name: str) -> str:
    """First value of a /proc/cpuinfo field; "" off Linux."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                key, sep, value = line.partition(":")
                if sep and key.strip() == name:
                    return value.strip()
    except OSError:
        pass
    return ""


def cpu_model() -> str:
    return cpuinfo_field("model name") or platform.processor() or platform.machine()


def cpu_simd_flags() -> list[str]:
    flags = set(cpuinfo_field("flags").split())
    return [flag for flag in SIMD_FLAGS if flag in flags]


def online_cpus() -> int:
    try:
        return int(os.sysconf("SC_NPROCESSORS_ONLN"))
    except (ValueError, OSError, AttributeError):
        return os.cpu_count() or 0


def gpu_name(device: str) -> str:
    """ "NVIDIA H100 80GB HBM3 x1" style; "" without CUDA. Only asks torch for a cuda run, so a
    CPU run never pays CUDA initialisation."""
    if device != "cuda":
        return ""
    try:
        import torch

        if not torch.cuda.is_available():
            return ""
        count = torch.cuda.device_count()
        return f"{torch.cuda.get_device_name(0)} x{count}"
    except Exception:  # noqa: BLE001 - no GPU facts is not an error
        return ""


def os_name() -> str:
    pretty = ""
    try:
        with open("/etc/os-release", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("PRETTY_NAME="):
                    pretty = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    kernel = f"{platform.system()} {platform.release()}"
    return f"{pretty} ({kernel})" if pretty else kernel


def git_commit() -> str:
    """Short hash of the repo the scripts live in, "+dirty" with local changes; read-only."""
    def git(*command: str) -> str:
        return subprocess.run(["git", "--no-optional-locks", "-C", str(REPO_DIR), *command],
                              capture_output=True, text=True, timeout=10,
                              check=True).stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return ""
    return commit + ("+dirty" if dirty else "")


# ---------------------------------------------------------------------------------------------
# Output


def write_results(args: argparse.Namespace, points: list[dict]) -> None:
    """Writes the ExperimentResult (results.h) holding `points`, atomically (no half files for
    the harness to read if the peer is killed)."""
    result = {
        "schema": SCHEMA,
        "experiment": args.experiment,
        "description": args.description,
        "started_at": args.started_at,
        "machine": machine_info(args),
        "x_key": args.x_key or (args.params[0][0] if args.params else ""),
        "latency_target_p50_ms": args.latency_target_p50_ms,
        "points": points,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.out.with_name(args.out.name + ".tmp")
    temporary.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    temporary.replace(args.out)


def utc_now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat() \
        .replace("+00:00", "Z")


def peer_main(description: str, add_options: Callable[[argparse.ArgumentParser], None],
              run_points: Callable[[object], list[dict]],
              failure_points: Callable[[object, str], list[dict]],
              argv: Sequence[str] | None = None) -> int:
    """Parses the CLI, runs the peer, always writes a results file.

    An unexpected exception still yields "failed" points (from failure_points) so the harness
    reports the peer instead of losing it; the traceback goes to stderr. Exit code 0 whenever
    the file was written, so a missing library or a failing mode never stops an experiment.
    """
    parser = build_parser(description)
    add_options(parser)
    args = parse_args(parser, argv)
    args.started_at = utc_now_iso()
    limit_tokenizer_threads(args.threads)
    quiet_libraries()
    try:
        points = run_points(args)
    except Exception as error:  # noqa: BLE001 - reported in the results file, see above
        traceback.print_exc(file=sys.stderr)
        points = failure_points(args, describe_error(error))
    write_results(args, points)
    for point in points:
        print(f"{point['system']:<36} {point['status']:<9} "
              f"{point['pairs_per_s']:10.1f} pairs/s  p50 {point['latency_ms']['p50']:8.2f} ms"
              + (f"  ({point['note']})" if point["note"] else ""), file=sys.stderr)
    return 0
