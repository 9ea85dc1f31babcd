#!/usr/bin/env python3
"""Hugging Face transformers as a peer: AutoModelForSequenceClassification, one point per mode.

Modes (system "transformers-<mode>", "transformers-<mode>-sorted" with --padding sorted):
  eager                    attn_implementation="eager", not compiled (the study's PyTorch)
  sdpa                     attn_implementation="sdpa", not compiled
  compile                  sdpa + torch.compile() default mode
  compile-reduce-overhead  sdpa + torch.compile(mode="reduce-overhead") (CUDA graphs on GPU)

End to end by default (tokenization, host->device copy, forward, scores back on the host, all
inside the clock, like a rerankd request); --tokenized times the model only (batches tokenized
and moved to the device before the clock starts).

  python3 tools/peers/transformers_peer.py --model build/release/test-models/tiny-random \
      --data-dir ../shared/data --batch-size 32 --threads 2 --device cpu --dtype fp32 \
      --warmup-s 2 --duration-s 10 --modes eager,sdpa --out /tmp/transformers.json
"""
from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import batching  # noqa: E402
import common  # noqa: E402

MODES = ("eager", "sdpa", "compile", "compile-reduce-overhead")
TORCH_DTYPES = {"fp32": "float32", "fp16": "float16", "bf16": "bfloat16"}
# Padded to the longest pair, nearly every batch has its own length: more than a couple of
# shapes would only re-trigger compilation before torch.compile switches to dynamic shapes.
LONGEST_PRIME_SHAPES = 2


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--modes", default="eager,sdpa", type=common.mode_list(MODES),
                        help="comma list of " + ",".join(MODES))
    parser.add_argument("--padding", choices=batching.PADDINGS, default="longest",
                        help="longest: pad each batch to its longest pair; buckets: to the "
                             "next of " + ",".join(map(str, batching.BUCKETS)) + " tokens; "
                             "sorted: the workload's pairs sorted by length into batches, each "
                             f"padded to its longest rounded up to {batching.SORTED_MULTIPLE}")
    parser.add_argument("--tokenized", action="store_true",
                        help="model-only timing: tokenize every batch before the clock starts")


def system_name(args: argparse.Namespace, mode: str) -> str:
    """transformers-<mode>, with "-sorted" for length-sorted batches: an experiment runs the same
    mode with buckets and sorted side by side, and points are told apart by system."""
    return f"transformers-{mode}" + ("-sorted" if args.padding == "sorted" else "")


def mode_label(args: argparse.Namespace, mode: str) -> str:
    timing = "model-only" if args.tokenized else "e2e"
    return f"transformers {mode} {args.dtype} {args.padding} {timing}"


def mode_settings(args: argparse.Namespace, mode: str) -> dict[str, str]:
    settings = common.base_settings(args, "transformers")
    settings.update({
        "mode": mode,
        "attn_implementation": "eager" if mode == "eager" else "sdpa",
        "compile": {"compile": "default", "compile-reduce-overhead": "reduce-overhead"}.get(
            mode, "none"),
        "padding": args.padding,
        "timing": "model_only" if args.tokenized else "end_to_end",
    })
    return settings


def status_point(args: argparse.Namespace, mode: str, status: str,
                 note: str) -> dict:
    return common.make_point(system_name(args, mode), mode_label(args, mode), args,
                             mode_settings(args, mode), status=status, note=note)


def failure_points(args: argparse.Namespace, note: str) -> list[dict]:
    """Used by peer_main when something shared by all modes failed (the workload, the
    tokenizer): still one row per requested mode in the report."""
    return [status_point(args, mode, common.STATUS_FAILED, note) for mode in args.modes]


def unavailable_reason(args: argparse.Namespace) -> str:
    """Why this configuration cannot run here ("" when it can): a missing library, no GPU, or
    a dtype transformers has no plain path for."""
    return common.torch_unavailable_reason(
        args, TORCH_DTYPES, "has no transformers path (onnxruntime_peer.py does int8)")


def run_points(args: argparse.Namespace) -> list[dict]:
    modes = args.modes
    reason = unavailable_reason(args)
    if reason:
        return [status_point(args, mode, common.STATUS_NOT_BUILT, reason) for mode in modes]
    import torch

    if args.device == "cpu":
        torch.set_num_threads(args.threads)
    requests = common.make_msmarco_workload(args.data_dir, args.batch_size,
                                            args.passages_per_document, args.requests)
    tokenizer = batching.load_tokenizer(args.model)
    batches = pair_batches(args, tokenizer, requests)
    encoded = None
    if args.tokenized or any(mode.startswith("compile") for mode in modes):
        encoded = [batching.tokenize_pairs(tokenizer, queries, documents, args.max_length,
                                           args.padding) for queries, documents in batches]
    return [run_mode(args, mode, batches, tokenizer, encoded) for mode in modes]


def pair_batches(args: argparse.Namespace, tokenizer, requests) -> list:
    """[(queries, documents)] per batch: each request as it is, or with --padding sorted the
    workload's pairs re-cut by length (sorting happens here, before any clock)."""
    if args.padding == "sorted":
        return batching.sorted_pair_batches(tokenizer, requests, args.max_length)
    return [((request.query,) * len(request.documents), request.documents)
            for request in requests]


def load_model(args: argparse.Namespace, mode: str):
    """A fresh model per mode: attention implementation and compilation differ per mode."""
    import torch
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(
        args.model, attn_implementation="eager" if mode == "eager" else "sdpa",
        dtype=getattr(torch, TORCH_DTYPES[args.dtype]))
    model = model.to(args.device).eval()
    if mode.startswith("compile"):
        # Static shapes for buckets: one graph (and one CUDA graph) per bucket, no guards on
        # dynamic sizes. Longest: let torch.compile go dynamic after the first new length.
        model = torch.compile(model, mode="reduce-overhead" if mode.endswith("overhead") else None,
                              dynamic=None if args.padding == "longest" else False)
    return model


def make_step(args: argparse.Namespace, mode: str, model, batches, tokenizer,
              device_batches):
    """step(i) scores batch i and returns once the scores are on the host."""
    import torch

    uses_cuda_graphs = mode == "compile-reduce-overhead" and args.device == "cuda"

    def inputs_for(index: int) -> dict:
        if device_batches is not None:
            return device_batches[index]
        queries, documents = batches[index]
        arrays = batching.tokenize_pairs(tokenizer, queries, documents, args.max_length,
                                         args.padding)
        return {name: torch.from_numpy(array).to(args.device) for name, array in arrays.items()}

    def step(index: int) -> None:
        inputs = inputs_for(index)
        with torch.inference_mode():
            if uses_cuda_graphs:
                torch.compiler.cudagraph_mark_step_begin()
            # Scores to the host, as a reranker must return them (and a copy out of the CUDA
            # graph's reused output buffer).
            model(**inputs).logits.float().cpu()
        if args.device == "cuda":
            torch.cuda.synchronize()

    return step


def to_device(encoded, device: str):
    import torch

    return [{name: torch.from_numpy(array).to(device) for name, array in arrays.items()}
            for arrays in encoded]


def prime_indices(args: argparse.Namespace, mode: str, encoded) -> list[int]:
    if not mode.startswith("compile") or encoded is None:
        return []
    limit = LONGEST_PRIME_SHAPES if args.padding == "longest" else len(encoded)
    return batching.first_index_per_shape([batching.shape_of(a) for a in encoded], limit)


def run_mode(args: argparse.Namespace, mode: str, batches, tokenizer,
             encoded) -> dict:
    """One point; a failure (out of memory, a compile error) is reported, not raised, so the
    other modes still run."""
    import torch

    model = None
    try:
        model = load_model(args, mode)
        device_batches = to_device(encoded, args.device) if args.tokenized else None
        step = make_step(args, mode, model, batches, tokenizer, device_batches)
        timing = common.run_timed(step, len(batches), args, prime_indices(args, mode, encoded))
        return common.make_point(system_name(args, mode), mode_label(args, mode), args,
                                 mode_settings(args, mode), timing=timing)
    except Exception as error:  # noqa: BLE001 - becomes a failed point, see docstring
        traceback.print_exc(file=sys.stderr)
        return status_point(args, mode, common.STATUS_FAILED, common.describe_error(error))
    finally:
        del model
        if mode.startswith("compile"):
            torch._dynamo.reset()
        if args.device == "cuda":
            torch.cuda.empty_cache()


def main() -> int:
    return common.peer_main(__doc__.splitlines()[0], add_options, run_points, failure_points)


if __name__ == "__main__":
    sys.exit(main())
