#!/usr/bin/env python3
"""sentence-transformers CrossEncoder as a peer: what most reranking services actually call.

Each request's pairs go through CrossEncoder.predict(pairs, batch_size=B) in one call, so the
library's own tokenization, padding (to the longest pair), forward pass and activation are all
inside the clock: end to end only. System "cross-encoder". When sentence_transformers does not
import (missing, or installed without its dependencies) the point is "not_built" with the
import error as its note.

  python3 tools/peers/cross_encoder_peer.py --model build/release/test-models/tiny-random \
      --data-dir ../shared/data --batch-size 32 --threads 2 --device cpu --dtype fp32 \
      --warmup-s 2 --duration-s 10 --out /tmp/cross_encoder.json
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

SYSTEM = "cross-encoder"
TORCH_DTYPES = {"fp32": "float32", "fp16": "float16", "bf16": "bfloat16"}


def add_options(parser: argparse.ArgumentParser) -> None:
    """No options of its own: CrossEncoder decides padding and tokenization itself."""


def label(args: argparse.Namespace) -> str:
    return f"sentence-transformers CrossEncoder {args.dtype} e2e"


def settings_for(args: argparse.Namespace) -> dict[str, str]:
    settings = common.base_settings(args, SYSTEM)
    settings.update({"padding": "longest", "timing": "end_to_end"})
    return settings


def status_point(args: argparse.Namespace, status: str, note: str) -> dict:
    return common.make_point(SYSTEM, label(args), args, settings_for(args), status=status,
                             note=note)


def failure_points(args: argparse.Namespace, note: str) -> list[dict]:
    return [status_point(args, common.STATUS_FAILED, note)]


def unavailable_reason(args: argparse.Namespace) -> str:
    """Why this configuration cannot run here ("" when it can)."""
    try:
        import torch
        from sentence_transformers import CrossEncoder  # noqa: F401
    except Exception as error:  # noqa: BLE001 - any import failure means "not usable here"
        return "sentence_transformers does not import: " + common.describe_error(error)
    if args.dtype not in TORCH_DTYPES:
        return f"dtype {args.dtype} has no CrossEncoder path"
    if args.device == "cuda" and not torch.cuda.is_available():
        return "device cuda requested but torch.cuda.is_available() is false"
    return ""


def load_cross_encoder(args: argparse.Namespace):
    """The CrossEncoder on the device, in the requested dtype, truncating at max_length."""
    import torch
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(args.model, device=args.device, max_length=args.max_length)
    dtype = getattr(torch, TORCH_DTYPES[args.dtype])
    # Recent versions are an nn.Module themselves; older ones hold the HF model in .model.
    module = model if isinstance(model, torch.nn.Module) else model.model
    module.to(dtype)
    return model


def run_points(args: argparse.Namespace) -> list[dict]:
    reason = unavailable_reason(args)
    if reason:
        return [status_point(args, common.STATUS_NOT_BUILT, reason)]
    import torch

    if args.device == "cpu":
        torch.set_num_threads(args.threads)
    model = load_cross_encoder(args)
    requests = common.make_msmarco_workload(args.data_dir, args.batch_size,
                                            args.passages_per_document, args.requests)
    pairs = [[(request.query, document) for document in request.documents]
             for request in requests]

    def step(index: int) -> None:
        # convert_to_numpy copies the scores to the host, which waits for the device.
        model.predict(pairs[index], batch_size=args.batch_size, show_progress_bar=False,
                      convert_to_numpy=True)

    timing = common.run_timed(step, len(requests), args)
    return [common.make_point(SYSTEM, label(args), args, settings_for(args), timing=timing)]


def main() -> int:
    return common.peer_main(__doc__.splitlines()[0], add_options, run_points, failure_points)


if __name__ == "__main__":
    sys.exit(main())
