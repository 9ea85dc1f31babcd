#!/usr/bin/env python3
"""A padding-free BERT cross-encoder in plain PyTorch as a peer: packed tokens, varlen attention.

What a PyTorch user who knows where a padded batch's time goes would write (issue 20): the
pairs' tokens packed end to end with no padding, every GEMM on all of a batch's tokens at once,
attention per pair through a variable-length flash-attention kernel given the cumulative
lengths, the whole forward under torch.compile. The compiled modes pad the token count to a
multiple of TOKEN_STEP (the padding tokens are one extra pair whose score is dropped), so a
graph, and with reduce-overhead a CUDA graph, serves every batch of that size.

Modes (system "packed-bert-<mode>"):
  eager                    the packed forward, not compiled
  compile                  torch.compile(dynamic=False) of it, token counts padded
  compile-reduce-overhead  the same with mode="reduce-overhead" (CUDA graphs on a GPU)

The weights are the checkpoint's, loaded by transformers (BertForSequenceClassification). Before
timing, the peer scores a few pairs with transformers in fp32 as well and records the largest
logit difference (settings.max_abs_diff_vs_transformers_fp32), so a wrong forward cannot pass
for a fast one. Attention on a GPU is torch.nn.attention.varlen.varlen_attn where torch has it,
else the flash-attention op aten::_flash_attention_forward; on a CPU, SDPA pair by pair (for
checking the forward, not for speed).

  python3 tools/peers/packed_bert_peer.py --model build/release/test-models/minilm-l6-random \
      --data-dir ../shared/data --batch-size 256 --device cuda --dtype fp16 --tokenized \
      --modes compile-reduce-overhead --out /tmp/packed.json
"""
from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import batching  # noqa: E402
import common  # noqa: E402

MODES = ("eager", "compile", "compile-reduce-overhead")
TORCH_DTYPES = {"fp32": "float32", "fp16": "float16", "bf16": "bfloat16"}
# Compiled modes pad each batch's token count up to a multiple of this, with at least one
# padding token: the padding pair then has 1..TOKEN_STEP tokens, within the model's positions.
TOKEN_STEP = 512
# Pairs scored by both this forward and transformers before timing.
CHECK_PAIRS = 7


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--modes", default="compile-reduce-overhead", type=common.mode_list(MODES),
                        help="comma list of " + ",".join(MODES))
    parser.add_argument("--tokenized", action="store_true",
                        help="model-only timing: tokenize and pack every batch before the clock")


def system_name(mode: str) -> str:
    return f"packed-bert-{mode}"


def mode_label(args: argparse.Namespace, mode: str) -> str:
    timing = "model-only" if args.tokenized else "e2e"
    return f"packed BERT {mode} {args.dtype} {timing}"


def mode_settings(args: argparse.Namespace, mode: str) -> dict[str, str]:
    settings = common.base_settings(args, "packed_bert")
    settings.update({
        "mode": mode,
        "compile": {"compile": "default", "compile-reduce-overhead": "reduce-overhead"}.get(
            mode, "none"),
        "padding": "none" if mode == "eager" else f"token count to a multiple of {TOKEN_STEP}",
        "attention": attention_name(args.device),
        "timing": "model_only" if args.tokenized else "end_to_end",
    })
    return settings


def status_point(args: argparse.Namespace, mode: str, status: str, note: str) -> dict:
    return common.make_point(system_name(mode), mode_label(args, mode), args,
                             mode_settings(args, mode), status=status, note=note)


def failure_points(args: argparse.Namespace, note: str) -> list[dict]:
    return [status_point(args, mode, common.STATUS_FAILED, note) for mode in args.modes]


def unavailable_reason(args: argparse.Namespace) -> str:
    reason = common.torch_unavailable_reason(args, TORCH_DTYPES, "has no packed BERT path")
    if reason:
        return reason
    try:
        from transformers import AutoConfig

        model_type = AutoConfig.from_pretrained(args.model).model_type
    except Exception as error:  # noqa: BLE001 - a missing config is a reason, not a crash
        return common.describe_error(error)
    if model_type != "bert":
        # Positions start at 0 and the head is BertPooler + classifier: BERT only.
        return f"model_type {model_type}: the packed forward is written for BERT"
    return ""


# ---------------------------------------------------------------------------------------------
# The forward


def varlen_attn_function():
    """torch.nn.attention.varlen.varlen_attn, or None in a torch without it."""
    try:
        from torch.nn.attention.varlen import varlen_attn
    except ImportError:
        return None
    return varlen_attn


def attention_name(device: str) -> str:
    try:
        import torch  # noqa: F401
    except ImportError:
        return "unavailable"
    if device != "cuda":
        return "sdpa per pair"
    if varlen_attn_function() is not None:
        return "torch.nn.attention.varlen.varlen_attn"
    return "aten::_flash_attention_forward"


def packed_attention(q, k, v, cu_seqlens, max_length: int, cu_list=None):
    """softmax(q k^T / sqrt(d)) v within each pair; q, k, v [tokens, heads, head_size]."""
    import torch
    import torch.nn.functional as F

    if q.is_cuda:
        varlen_attn = varlen_attn_function()
        if varlen_attn is not None:
            return varlen_attn(q, k, v, cu_seqlens, cu_seqlens, max_length, max_length)
        return torch.ops.aten._flash_attention_forward(
            q, k, v, cu_seqlens, cu_seqlens, max_length, max_length, 0.0, False, False)[0]
    outputs = []
    bounds = cu_list if cu_list is not None else cu_seqlens.tolist()
    for start, end in zip(bounds[:-1], bounds[1:]):
        if end == start:
            continue
        # [heads, length, head_size] for SDPA, back to [length, heads, head_size].
        qi, ki, vi = (t[start:end].transpose(0, 1) for t in (q, k, v))
        outputs.append(F.scaled_dot_product_attention(qi, ki, vi).transpose(0, 1))
    return torch.cat(outputs)


def activation(name: str):
    import torch.nn.functional as F

    if name in ("gelu_new", "gelu_pytorch_tanh"):
        return lambda x: F.gelu(x, approximate="tanh")
    if name == "relu":
        return F.relu
    return F.gelu  # "gelu": the erf form


def make_packed_bert(hf_model, dtype, device):
    """A torch.nn.Module running BertForSequenceClassification's forward on packed tokens."""
    import torch
    import torch.nn.functional as F

    config = hf_model.config
    bert = hf_model.bert
    heads = config.num_attention_heads
    hidden = config.hidden_size
    head_size = hidden // heads
    eps = config.layer_norm_eps
    act = activation(config.hidden_act)

    def tensor(t):
        return t.detach().to(device=device, dtype=dtype).contiguous()

    class PackedBert(torch.nn.Module):
        def __init__(self):
            super().__init__()
            emb = bert.embeddings
            self.word = tensor(emb.word_embeddings.weight)
            self.position = tensor(emb.position_embeddings.weight)
            self.token_type = tensor(emb.token_type_embeddings.weight)
            self.embedding_norm = (tensor(emb.LayerNorm.weight), tensor(emb.LayerNorm.bias))
            self.layers = []
            for layer in bert.encoder.layer:
                attention = layer.attention
                self.layers.append({
                    "qkv_w": tensor(torch.cat([attention.self.query.weight,
                                               attention.self.key.weight,
                                               attention.self.value.weight])),
                    "qkv_b": tensor(torch.cat([attention.self.query.bias,
                                               attention.self.key.bias,
                                               attention.self.value.bias])),
                    "out_w": tensor(attention.output.dense.weight),
                    "out_b": tensor(attention.output.dense.bias),
                    "norm1": (tensor(attention.output.LayerNorm.weight),
                              tensor(attention.output.LayerNorm.bias)),
                    "up_w": tensor(layer.intermediate.dense.weight),
                    "up_b": tensor(layer.intermediate.dense.bias),
                    "down_w": tensor(layer.output.dense.weight),
                    "down_b": tensor(layer.output.dense.bias),
                    "norm2": (tensor(layer.output.LayerNorm.weight),
                              tensor(layer.output.LayerNorm.bias)),
                })
            self.pooler = (tensor(bert.pooler.dense.weight), tensor(bert.pooler.dense.bias))
            self.classifier = (tensor(hf_model.classifier.weight),
                               tensor(hf_model.classifier.bias))

        def forward(self, input_ids, token_type_ids, position_ids, cu_seqlens, cls_index,
                    max_length: int, cu_list=None):
            tokens = input_ids.shape[0]
            x = (F.embedding(input_ids, self.word) + F.embedding(position_ids, self.position)
                 + F.embedding(token_type_ids, self.token_type))
            x = F.layer_norm(x, (hidden,), *self.embedding_norm, eps)
            for w in self.layers:
                qkv = F.linear(x, w["qkv_w"], w["qkv_b"]).view(tokens, 3, heads, head_size)
                q, k, v = qkv.unbind(1)
                context = packed_attention(q, k, v, cu_seqlens, max_length, cu_list)
                x = F.layer_norm(x + F.linear(context.reshape(tokens, hidden), w["out_w"],
                                              w["out_b"]), (hidden,), *w["norm1"], eps)
                inner = act(F.linear(x, w["up_w"], w["up_b"]))
                x = F.layer_norm(x + F.linear(inner, w["down_w"], w["down_b"]), (hidden,),
                                 *w["norm2"], eps)
            cls = x.index_select(0, cls_index)
            pooled = torch.tanh(F.linear(cls, *self.pooler))
            return F.linear(pooled, *self.classifier)

    return PackedBert()


# ---------------------------------------------------------------------------------------------
# Packing


def pack_batch(tokenizer, queries, documents, max_length: int, token_step: int) -> dict:
    """The batch's pairs tokenized (truncated as CrossEncoder does) and laid end to end as int
    numpy arrays: input_ids, token_type_ids, position_ids [tokens], cu_seqlens [pairs + 1] and
    cls_index [pairs]. token_step > 0 pads the tokens to a multiple of it with one extra pair
    (at least one token; its score is not among cls_index)."""
    import numpy

    features = tokenizer(list(queries), list(documents), truncation=True, max_length=max_length)
    ids = features["input_ids"]
    types = features.get("token_type_ids") or [[0] * len(row) for row in ids]
    lengths = [len(row) for row in ids]
    cu = numpy.zeros(len(lengths) + 1, dtype=numpy.int32)
    numpy.cumsum(lengths, out=cu[1:])
    flat_ids = numpy.fromiter((t for row in ids for t in row), dtype=numpy.int64, count=cu[-1])
    flat_types = numpy.fromiter((t for row in types for t in row), dtype=numpy.int64,
                                count=cu[-1])
    positions = numpy.concatenate([numpy.arange(n, dtype=numpy.int64) for n in lengths])
    cls_index = cu[:-1].astype(numpy.int64)
    if token_step > 0:
        total = -(-(int(cu[-1]) + 1) // token_step) * token_step
        pad = total - int(cu[-1])
        flat_ids = numpy.concatenate([flat_ids, numpy.full(pad, tokenizer.pad_token_id or 0)])
        flat_types = numpy.concatenate([flat_types, numpy.zeros(pad, dtype=numpy.int64)])
        positions = numpy.concatenate([positions, numpy.arange(pad, dtype=numpy.int64)])
        cu = numpy.append(cu, numpy.int32(total))
    return {"input_ids": flat_ids, "token_type_ids": flat_types, "position_ids": positions,
            "cu_seqlens": cu, "cls_index": cls_index}


def to_device(packed: dict, device: str) -> dict:
    import torch

    return {name: torch.from_numpy(array).to(device) for name, array in packed.items()}


# ---------------------------------------------------------------------------------------------
# Running


def run_points(args: argparse.Namespace) -> list[dict]:
    reason = unavailable_reason(args)
    if reason:
        return [status_point(args, mode, common.STATUS_NOT_BUILT, reason) for mode in args.modes]
    import torch

    if args.device == "cpu":
        torch.set_num_threads(args.threads)
    requests = common.make_msmarco_workload(args.data_dir, args.batch_size,
                                            args.passages_per_document, args.requests)
    tokenizer = batching.load_tokenizer(args.model)
    return [run_mode(args, mode, requests, tokenizer) for mode in args.modes]


def load_hf_model(args: argparse.Namespace, dtype_name: str):
    import torch
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(
        args.model, attn_implementation="sdpa", dtype=getattr(torch, dtype_name))
    return model.to(args.device).eval()


def max_diff_vs_transformers(args: argparse.Namespace, forward, tokenizer, request,
                             step_tokens: int) -> float:
    """Largest |logit| difference from transformers fp32 on CHECK_PAIRS pairs of `request`, the
    pairs packed (and padded) as the timed batches are and run by the timed forward."""
    import torch

    queries = [request.query] * CHECK_PAIRS
    documents = list(request.documents[:CHECK_PAIRS])
    reference = load_hf_model(args, "float32")
    features = tokenizer(queries, documents, padding=True, truncation=True,
                         max_length=args.max_length, return_tensors="pt").to(args.device)
    with torch.inference_mode():
        expected = reference(**features).logits.float().cpu()
        packed = pack_batch(tokenizer, queries, documents, args.max_length, step_tokens)
        got = forward(to_device(packed, args.device)).float().cpu()
    del reference
    return float((got - expected).abs().max())


def run_mode(args: argparse.Namespace, mode: str, requests, tokenizer) -> dict:
    """One point; a failure (an attention op this torch lacks, out of memory) is reported."""
    import torch

    try:
        hf_model = load_hf_model(args, "float32")
        module = make_packed_bert(hf_model, getattr(torch, TORCH_DTYPES[args.dtype]), args.device)
        max_length = hf_model.config.max_position_embeddings
        del hf_model
        compiled = module
        if mode.startswith("compile"):
            compiled = torch.compile(
                module, mode="reduce-overhead" if mode.endswith("overhead") else None,
                dynamic=False)
        uses_cuda_graphs = mode == "compile-reduce-overhead" and args.device == "cuda"
        on_cpu = args.device != "cuda"

        def forward_packed(device_batch: dict, model=compiled):
            if uses_cuda_graphs:
                torch.compiler.cudagraph_mark_step_begin()
            cu_list = device_batch["cu_seqlens"].tolist() if on_cpu else None
            return model(device_batch["input_ids"], device_batch["token_type_ids"],
                         device_batch["position_ids"], device_batch["cu_seqlens"],
                         device_batch["cls_index"], max_length, cu_list)

        step_tokens = 0 if mode == "eager" else TOKEN_STEP
        diff = max_diff_vs_transformers(args, forward_packed, tokenizer, requests[0], step_tokens)
        packed_batches = None
        if args.tokenized:
            packed_batches = [to_device(pack_batch(tokenizer, [r.query] * len(r.documents),
                                                   r.documents, args.max_length, step_tokens),
                                        args.device) for r in requests]

        def step(index: int) -> None:
            if packed_batches is not None:
                device_batch = packed_batches[index]
            else:
                request = requests[index]
                device_batch = to_device(pack_batch(tokenizer, [request.query] *
                                                    len(request.documents), request.documents,
                                                    args.max_length, step_tokens), args.device)
            with torch.inference_mode():
                # Scores to the host (and out of the CUDA graph's reused output buffer).
                forward_packed(device_batch).float().cpu()
            if args.device == "cuda":
                torch.cuda.synchronize()

        timing = common.run_timed(step, len(requests), args,
                                  prime_indices(args, mode, tokenizer, requests, step_tokens))
        settings = mode_settings(args, mode)
        settings["max_abs_diff_vs_transformers_fp32"] = f"{diff:.6g}"
        return common.make_point(system_name(mode), mode_label(args, mode), args, settings,
                                 timing=timing)
    except Exception as error:  # noqa: BLE001 - becomes a failed point
        traceback.print_exc(file=sys.stderr)
        return status_point(args, mode, common.STATUS_FAILED, common.describe_error(error))
    finally:
        if mode.startswith("compile"):
            torch._dynamo.reset()
        if args.device == "cuda":
            torch.cuda.empty_cache()


def prime_indices(args: argparse.Namespace, mode: str, tokenizer, requests,
                  step_tokens: int) -> list[int]:
    """The first batch of each padded token count, so compilation and graph capture stay
    outside the clock (eager needs none)."""
    if step_tokens == 0:
        return []
    padded = []
    for request in requests:
        total = sum(batching.pair_lengths(tokenizer, [(request.query, d) for d in request.documents],
                                          args.max_length))
        padded.append((-(-(total + 1) // step_tokens) * step_tokens,))
    return batching.first_index_per_shape(padded, len(padded))


def main() -> int:
    return common.peer_main(__doc__.splitlines()[0], add_options, run_points, failure_points)


if __name__ == "__main__":
    sys.exit(main())
