"""Turning a Request into model inputs, shared by the peers that tokenize themselves.

Three padding policies, because they answer different questions: "longest" pads each batch to
its own longest pair (what the CPU study and rerankd's reference backend do: least work),
"buckets" pads to the next of a few fixed lengths so a GPU peer sees a handful of static shapes
(what torch.compile and CUDA graphs need to avoid recompiling/re-capturing every batch), and
"sorted" is what a PyTorch user who knows padding costs does offline: every pair of the workload
sorted by token count and cut into batches of the batch size, each padded to its own longest
pair rounded up to 32 (at most 16 static shapes, and little padding in any batch).
Everything is numpy so ONNX Runtime can use it directly and torch can wrap it without a copy.
"""
from __future__ import annotations

from typing import Sequence

from common import Request

PADDINGS = ("longest", "buckets", "sorted")
BUCKETS = (64, 128, 192, 256, 384, 512)
SORTED_MULTIPLE = 32
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
    return tokenize_pairs(tokenizer, [request.query] * len(request.documents),
                          list(request.documents), max_length, padding)


def tokenize_pairs(tokenizer, queries: Sequence[str], documents: Sequence[str],
                   max_length: int, padding: str) -> dict:
    """tokenize_request for any list of (query, document) pairs, e.g. a sorted batch."""
    import numpy

    features = tokenizer(list(queries), list(documents), padding="longest", truncation=True,
                         max_length=max_length, return_tensors="np")
    arrays = {name: numpy.ascontiguousarray(features[name], dtype=numpy.int64)
              for name in INPUT_NAMES if name in features}
    longest = arrays["input_ids"].shape[1]
    if padding == "buckets":
        arrays = pad_to(arrays, bucket_length(longest), tokenizer.pad_token_id or 0)
    elif padding == "sorted":
        rounded = -(-longest // SORTED_MULTIPLE) * SORTED_MULTIPLE
        arrays = pad_to(arrays, rounded, tokenizer.pad_token_id or 0)
    return arrays


def sorted_pair_batches(tokenizer, requests: Sequence[Request],
                        max_length: int) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Every pair of `requests` in order of its token count (ties in workload order), cut into
    batches as long as the requests: [(queries, documents)], as many batches as requests."""
    pairs = [(request.query, document) for request in requests for document in request.documents]
    lengths = pair_lengths(tokenizer, pairs, max_length)
    order = sorted(range(len(pairs)), key=lambda index: lengths[index])
    size = len(requests[0].documents) if requests else 0
    batches = []
    for start in range(0, len(order), size):
        chosen = [pairs[index] for index in order[start:start + size]]
        batches.append((tuple(q for q, _ in chosen), tuple(d for _, d in chosen)))
    return batches


def pair_lengths(tokenizer, pairs: Sequence[tuple[str, str]], max_length: int) -> list[int]:
    """Tokens of each pair, special tokens included, truncated as tokenize_pairs does."""
    features = tokenizer([q for q, _ in pairs], [d for _, d in pairs], truncation=True,
                         max_length=max_length)
    return [len(ids) for ids in features["input_ids"]]


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
