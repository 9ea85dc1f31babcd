#!/usr/bin/env python3
"""ONNX Runtime as a peer: the model exported to ONNX once, then scored by an InferenceSession.

fp32 runs the export as is; --dtype int8 runs onnxruntime.quantization.quantize_dynamic of it
(QInt8 weights, per channel; activations quantized at run time), the usual "ORT int8" CPU
baseline. Exports are cached under --cache-dir keyed by the model files, so a sweep exports
once. System "onnxruntime"; end to end (tokenization inside the clock) unless --tokenized.

  python3 tools/peers/onnxruntime_peer.py --model build/release/test-models/tiny-random \
      --data-dir ../shared/data --batch-size 32 --threads 2 --device cpu --dtype int8 \
      --warmup-s 2 --duration-s 10 --out /tmp/onnxruntime.json
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import argparse
import sys
import traceback
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import batching  # noqa: E402
import common  # noqa: E402

SYSTEM = "onnxruntime"
OPSET = 17
DEFAULT_CACHE_DIR = common.REPO_DIR / "build" / "peers-cache"
FP32_FILE = "model-fp32.onnx"
INT8_FILE = "model-int8.onnx"
# Files whose bytes define the exported graph; their sizes and mtimes go into the cache key.
MODEL_FILES = ("config.json", "model.safetensors", "pytorch_model.bin")


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR,
                        help="where ONNX exports are kept between runs")
    parser.add_argument("--padding", choices=("longest", "buckets"), default="longest")
    parser.add_argument("--tokenized", action="store_true",
                        help="model-only timing: tokenize every batch before the clock starts")


def label(args: argparse.Namespace) -> str:
    timing = "model-only" if args.tokenized else "e2e"
    return f"onnxruntime {args.dtype} {args.padding} {timing}"


def settings_for(args: argparse.Namespace,
                 extra: dict[str, str] | None = None) -> dict[str, str]:
    settings = common.base_settings(args, SYSTEM)
    settings.update({
        "padding": args.padding,
        "timing": "model_only" if args.tokenized else "end_to_end",
        "onnx_opset": str(OPSET),
        "quantization": "dynamic QInt8 per-channel" if args.dtype == "int8" else "none",
        "intra_op_num_threads": str(args.threads),
    })
    settings.update(extra or {})
    return settings


def status_point(args: argparse.Namespace, status: str, note: str) -> dict:
    return common.make_point(SYSTEM, label(args), args, settings_for(args), status=status,
                             note=note)


def failure_points(args: argparse.Namespace, note: str) -> list[dict]:
    return [status_point(args, common.STATUS_FAILED, note)]


def providers_for(args: argparse.Namespace) -> list[str]:
    """Execution providers for the run; empty when the device has none in this install."""
    import onnxruntime

    wanted = "CUDAExecutionProvider" if args.device == "cuda" else "CPUExecutionProvider"
    return [wanted] if wanted in onnxruntime.get_available_providers() else []


def unavailable_reason(args: argparse.Namespace) -> str:
    """Why this configuration cannot run here ("" when it can)."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as error:
        return common.describe_error(error)
    if args.dtype not in ("fp32", "int8"):
        return f"dtype {args.dtype}: this peer runs fp32 and dynamic-int8 exports only"
    if args.dtype == "int8" and args.device != "cpu":
        return "dtype int8 (dynamic quantization) is a CPU configuration"
    if not providers_for(args):
        return f"onnxruntime {onnxruntime.__version__} has no execution provider for " \
               f"{args.device}"
    return ""


def cache_key(model: str) -> str:
    """Changes when the model files, the opset or the exporter's torch version change."""
    import torch

    path = Path(model).resolve()
    digest = hashlib.sha256(f"{path}|opset{OPSET}|torch{torch.__version__}".encode())
    for name in MODEL_FILES:
        file = path / name
        if file.exists():
            stat = file.stat()
            digest.update(f"|{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def export_fp32(args: argparse.Namespace, directory: Path) -> Path:
    """torch.onnx.export of the model's logits, batch and sequence axes dynamic.

    Exported into a temporary folder renamed into place, so a killed run never leaves a half
    export that a later run would trust. Eager attention: plain MatMul/Softmax ops, which every
    onnxruntime version fuses and quantizes.
    """
    target = directory / FP32_FILE
    if target.exists():
        return target
    import torch
    from transformers import AutoModelForSequenceClassification
    model = AutoModelForSequenceClassification.from_pretrained(
        args.model, attn_implementation="eager", dtype=torch.float32).eval()
    tokenizer = batching.load_tokenizer(args.model)
    request = common.make_msmarco_workload(args.data_dir, 2)[0]
    sample = batching.tokenize_request(tokenizer, request, args.max_length, "longest")
    names = [name for name in batching.INPUT_NAMES if name in sample]
    inputs = tuple(torch.from_numpy(sample[name]) for name in names)
    staging = directory.with_name(f"{directory.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    # The legacy exporter's deprecation and tracer warnings are expected for BERT and would
    # bury real errors in the harness's captured stderr; the output is checked instead
    # (checked_max_abs_diff).
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(logits_only(model), inputs, str(staging / FP32_FILE),
                          input_names=names, output_names=["logits"], opset_version=OPSET,
                          dynamic_axes={**{name: {0: "batch", 1: "sequence"} for name in names},
                                        "logits": {0: "batch"}},
                          dynamo=False)
    if directory.exists():  # another run finished first: keep theirs
        shutil.rmtree(staging, ignore_errors=True)
    else:
        staging.rename(directory)
    return target


def logits_only(model):
    """The model wrapped to return just the logits tensor: ONNX outputs are tensors, not a
    ModelOutput. The class is built here so this script imports without torch."""
    import torch

    class LogitsOnly(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).logits

    return LogitsOnly(model)


def quantize_int8(fp32_path: Path) -> Path:
    """Dynamic int8 of the fp32 export, written under a temporary name then renamed."""
    target = fp32_path.with_name(INT8_FILE)
    if target.exists():
        return target
    from onnxruntime.quantization import QuantType, quantize_dynamic

    staging = target.with_name(f"{INT8_FILE}.tmp-{os.getpid()}")
    quantize_dynamic(model_input=str(fp32_path), model_output=str(staging),
                     weight_type=QuantType.QInt8, per_channel=True)
    staging.replace(target)
    return target


def checked_max_abs_diff(args: argparse.Namespace, path: Path) -> float:
    """Largest |ONNX Runtime - torch fp32| logit on a 7-pair batch, cached next to the file.

    A broken export scores garbage quickly; this number in every point's settings shows the
    peer computed the same function (about 1e-6 for fp32; int8 shows its quantization error).
    """
    check_file = path.with_name(path.name + ".check.json")
    if check_file.exists():
        return float(json.loads(check_file.read_text())["max_abs_diff_vs_torch_fp32"])
    import numpy
    import torch
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(
        args.model, attn_implementation="eager", dtype=torch.float32).eval()
    tokenizer = batching.load_tokenizer(args.model)
    request = common.make_msmarco_workload(args.data_dir, 7)[1]
    arrays = batching.tokenize_request(tokenizer, request, args.max_length, "longest")
    with torch.inference_mode():
        expected = model(**{k: torch.from_numpy(v) for k, v in arrays.items()}).logits.numpy()
    session = make_session(args, path)
    names = {item.name for item in session.get_inputs()}
    actual = session.run(["logits"], {name: arrays[name] for name in names})[0]
    diff = float(numpy.abs(actual - expected).max())
    check_file.write_text(json.dumps({"max_abs_diff_vs_torch_fp32": diff}) + "\n")
    return diff


def make_session(args: argparse.Namespace, path: Path):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only: the harness keeps stderr for failures
    return onnxruntime.InferenceSession(str(path), sess_options=options,
                                        providers=providers_for(args))


def make_step(args: argparse.Namespace, session, requests, tokenizer, encoded):
    """step(i) scores batch i; session.run returns host numpy arrays, so it has finished."""
    feed_names = {item.name for item in session.get_inputs()}

    def step(index: int) -> None:
        arrays = encoded[index] if encoded is not None else batching.tokenize_request(
            tokenizer, requests[index], args.max_length, args.padding)
        session.run(["logits"], {name: arrays[name] for name in feed_names})

    return step


def run_points(args: argparse.Namespace) -> list[dict]:
    reason = unavailable_reason(args)
    if reason:
        return [status_point(args, common.STATUS_NOT_BUILT, reason)]
    import onnxruntime

    try:
        directory = args.cache_dir / cache_key(args.model)
        path = export_fp32(args, directory)
        if args.dtype == "int8":
            path = quantize_int8(path)
        session = make_session(args, path)
        diff = checked_max_abs_diff(args, path)
    except Exception as error:  # noqa: BLE001 - an export failure is this point's result
        traceback.print_exc(file=sys.stderr)
        return failure_points(args, "export/session: " + common.describe_error(error))
    requests = common.make_msmarco_workload(args.data_dir, args.batch_size,
                                            args.passages_per_document, args.requests)
    tokenizer = batching.load_tokenizer(args.model)
    encoded = None
    if args.tokenized:
        encoded = [batching.tokenize_request(tokenizer, request, args.max_length, args.padding)
                   for request in requests]
    timing = common.run_timed(make_step(args, session, requests, tokenizer, encoded),
                              len(requests), args)
    extra = {"onnx_file": str(path), "onnx_exporter": "torch.onnx.export(dynamo=False)",
             "providers": ",".join(session.get_providers()),
             "onnxruntime_build": onnxruntime.get_device(),
             "max_abs_diff_vs_torch_fp32": f"{diff:.3g}"}
    return [common.make_point(SYSTEM, label(args), args, settings_for(args, extra),
                              timing=timing)]


def main() -> int:
    return common.peer_main(__doc__.splitlines()[0], add_options, run_points, failure_points)


if __name__ == "__main__":
    sys.exit(main())
