"""Turning a Request into model inputs, shared by the peers that tokenize themselves.

Two padding policies, because they answer different questions: "longest" pads each batch to
its own longest pair (what the CPU study and rerankd's reference backend do: least work), and
"buckets" pads to the next of a few fixed lengths so a GPU peer sees a handful of static shapes
(what torch.compile and CUDA graphs need to avoid recompiling/re-capturing every batch).
Everything is numpy so ONNX Runtime can use it directly and torch can wrap it without a copy.
"""
from __future__ import annotations

from typing import Sequence

from common import Request

PADDINGS = ("longest", "buckets")
BUCKETS = (64, 128, 192, 256, 384, 512)
# The tokenizer returns these; padding fills each with this id, or 0 where none is set.
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")


def load_tokenizer(model: str):
    """The model's own fast tokenizer: the one rerankd's tokenizer is checked against."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(model, use_fast=True)


def bucket_length(longest: int, buckets: Sequence[int] = BUCKETS) -> int:
    """The smallest bucket that holds `longest` tokens; `longest` itself beyond the last."""
    for size in buckets:
        if longest <= size:
            return size
    return longest


def tokenize_request(tokenizer, request: Request, max_length: int,
                     padding: str) -> dict:
    """input_ids/attention_mask/token_type_ids as int64 numpy arrays [batch, length].

    Pairs are truncated like Hugging Face's CrossEncoder does (truncation=True, i.e.
    longest_first, to max_length). Buckets pad the "longest" result further with numpy, which
    costs far less than tokenizing twice.
    """
    import numpy

    queries = [request.query] * len(request.documents)
    features = tokenizer(queries, list(request.documents), padding="longest", truncation=True,
                         max_length=max_length, return_tensors="np")
    arrays = {name: numpy.ascontiguousarray(features[name], dtype=numpy.int64)
              for name in INPUT_NAMES if name in features}
    if padding == "buckets":
        arrays = pad_to(arrays, bucket_length(arrays["input_ids"].shape[1]),
                        tokenizer.pad_token_id or 0)
    return arrays


def pad_to(arrays: dict, length: int, pad_id: int) -> dict:
    """Right-pads every [batch, n] array to [batch, length]: pad id for input_ids, 0 for the
    mask and segment ids (masked positions never influence the [CLS] score)."""
    import numpy

    current = arrays["input_ids"].shape[1]
    if current >= length:
        return arrays
    padded = {}
    for name, array in arrays.items():
        fill = pad_id if name == "input_ids" else 0
        padded[name] = numpy.pad(array, ((0, 0), (0, length - current)), constant_values=fill)
    return padded


def shape_of(arrays: dict) -> tuple[int, ...]:
    return tuple(arrays["input_ids"].shape)


def first_index_per_shape(shapes: Sequence[tuple[int, ...]], limit: int) -> list[int]:
    """Indices of the first batch of each distinct shape, at most `limit` of them: what a
    compiled model must see once before timing so compilation stays out of the numbers."""
    seen: set[tuple[int, ...]] = set()
    indices = []
    for index, shape in enumerate(shapes):
        if shape not in seen:
            seen.add(shape)
            indices.append(index)
            if len(indices) >= limit:
                break
    return indices
