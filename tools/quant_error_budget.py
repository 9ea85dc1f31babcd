#!/usr/bin/env python3
"""Where the cpu backend's int8 error comes from: an emulation in PyTorch, one GEMM family at a time.

The cpu backend's int8 scheme (src/backend/cpu/quantize.h): weights symmetric s8 per output
channel, activations u8 per token with a zero point over the row's [min, max], s32 sums, and the
last layer's [CLS]-row GEMMs in fp32. This script runs a transformers BertForSequenceClassification
with every nn.Linear replaced by that arithmetic, optionally leaving some GEMM families in fp32 or
in bf16, and prints per configuration:

  - max and mean |logit - fixture| over the logit fixture's pairs (transformers fp32 logits), and
  - the mean Kendall tau of each MS MARCO query's candidates against fp32, as
    tests/conformance/ranking_agreement.cc computes it (first N queries of the BM25 top-20 file).

Families: qkv (the three projections), attn_out, ffn_in, ffn_out.

Measured on the conformance model (2026-11-26, 367 fixture pairs, 30 queries): int8 max 0.230,
tau 0.955, the figures the cpu backend itself gives on an AVX-512 VNNI host, so the backend adds
nothing to the scheme's error. Leaving any one family in fp32 leaves the max between 0.19 and
0.26 and tau below 0.962: the error is spread over every GEMM, none dominates. bf16 everywhere:
max 0.095, tau 0.983. On this model the error is the model's sensitivity to rounding, not one
weak GEMM (see tests/conformance/trained_model_accuracy_test.cc).

Usage:

  build/release/bin/rerankd make-model --out /tmp/minilm-l6-random
  python3 tools/quant_error_budget.py --model-dir /tmp/minilm-l6-random \\
      --msmarco ../shared/data/msmarco/dev_small_bm25top20_600q.tsv
"""

import argparse
import json
import sys
from pathlib import Path

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

REPO = Path(__file__).resolve().parent.parent
FAMILIES = ("qkv", "attn_out", "ffn_in", "ffn_out")


def family_of(name):
    if name.endswith(("attention.self.query", "attention.self.key", "attention.self.value")):
        return "qkv"
    if name.endswith("attention.output.dense"):
        return "attn_out"
    if name.endswith("intermediate.dense"):
        return "ffn_in"
    if name.endswith("output.dense"):
        return "ffn_out"
    return None


def layer_of(name):
    parts = name.split(".")
    return int(parts[parts.index("layer") + 1])


def quantize_weight_s8(weight, levels=127):
    scale = weight.abs().amax(dim=1, keepdim=True).clamp_min(1e-30) / levels
    return torch.round(weight / scale).clamp(-levels, levels) * scale


def quantize_rows_u8(x):
    lo = x.amin(dim=-1, keepdim=True).clamp_max(0.0)
    hi = x.amax(dim=-1, keepdim=True).clamp_min(0.0)
    scale = ((hi - lo) / 255.0).clamp_min(1e-30)
    zero_point = torch.round(-lo / scale).clamp(0, 255)
    q = torch.round(x / scale + zero_point).clamp(0, 255)
    return (q - zero_point) * scale


def bf16(t):
    return t.to(torch.bfloat16).float()


class EmulatedLinear(torch.nn.Module):
    """y = x W^T + b in the stated precision; the [CLS] row (`cls_fp32`) stays fp32."""

    def __init__(self, linear, precision, cls_fp32):
        super().__init__()
        self.bias = linear.bias.detach()
        self.weight_fp32 = linear.weight.detach()
        self.precision = precision
        self.cls_fp32 = cls_fp32
        if precision == "int8":
            self.weight = quantize_weight_s8(self.weight_fp32)
        elif precision == "bf16":
            self.weight = bf16(self.weight_fp32)
        else:
            self.weight = self.weight_fp32

    def forward(self, x):
        if self.precision == "int8":
            y = quantize_rows_u8(x) @ self.weight.T + self.bias
        elif self.precision == "bf16":
            y = bf16(x) @ self.weight.T + self.bias
        else:
            y = x @ self.weight.T + self.bias
        if self.cls_fp32:
            y = y.clone()
            y[:, 0] = x[:, 0] @ self.weight_fp32.T + self.bias
        return y


def build_model(model_dir, precision_of_family):
    model = AutoModelForSequenceClassification.from_pretrained(
        model_dir, attn_implementation="eager").eval()
    last_layer = model.config.num_hidden_layers - 1
    replacements = []
    for name, module in model.named_modules():
        if not isinstance(module, torch.nn.Linear):
            continue
        family = family_of(name)
        if family is None:
            continue
        precision = precision_of_family.get(family, "fp32")
        cls_fp32 = layer_of(name) == last_layer and family != "qkv" and precision != "fp32"
        replacements.append((name, EmulatedLinear(module, precision, cls_fp32)))
    for name, replacement in replacements:
        parent_name, _, child = name.rpartition(".")
        setattr(model.get_submodule(parent_name), child, replacement)
    return model


def logits_of(model, encoded_pairs):
    out = []
    with torch.no_grad():
        for ids, type_ids in encoded_pairs:
            out.append(model(input_ids=torch.tensor([ids]),
                             token_type_ids=torch.tensor([type_ids])).logits[0, 0].item())
    return torch.tensor(out)


def kendall_tau_b(a, b):
    concordant = discordant = ties_a = ties_b = 0
    n = len(a)
    for i in range(n):
        for j in range(i + 1, n):
            da, db = a[i] - a[j], b[i] - b[j]
            if da == 0 and db == 0:
                continue
            if da == 0:
                ties_a += 1
            elif db == 0:
                ties_b += 1
            elif (da > 0) == (db > 0):
                concordant += 1
            else:
                discordant += 1
    denominator = ((concordant + discordant + ties_a) * (concordant + discordant + ties_b)) ** 0.5
    return (concordant - discordant) / denominator if denominator else 1.0


def load_fixture(path):
    rows = [json.loads(line) for line in path.open()][1:]
    pairs = []
    for row in rows:
        ids = row["input_ids"]
        first = row["first_segment_length"]
        pairs.append((ids, [0] * first + [1] * (len(ids) - first)))
    return pairs, torch.tensor([row["logit"] for row in rows])


def load_msmarco(path, tokenizer, count):
    queries = []
    last_qid = None
    for line in path.open(encoding="utf-8"):
        fields = line.rstrip("\n").split("\t")
        if fields[0] != last_qid:
            if len(queries) == count:
                break
            queries.append([])
            last_qid = fields[0]
        encoded = tokenizer(fields[4], fields[5], truncation="longest_first", max_length=512)
        queries[-1].append((encoded["input_ids"], encoded["token_type_ids"]))
    return queries


def parse_configs(text):
    """'int8' or 'int8,ffn_out=bf16,qkv=fp32' ...; ';' separates configurations."""
    configs = []
    for spec in text.split(";"):
        parts = spec.split(",")
        precision_of_family = {family: parts[0] for family in FAMILIES}
        for override in parts[1:]:
            family, precision = override.split("=")
            precision_of_family[family] = precision
        configs.append((spec, precision_of_family))
    return configs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--fixture", type=Path,
                        default=REPO / "tests" / "fixtures" / "logits" / "minilm_l6_random.jsonl")
    parser.add_argument("--msmarco", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--configs", default=";".join([
        "bf16", "int8", "int8,qkv=fp32", "int8,attn_out=fp32", "int8,ffn_in=fp32",
        "int8,ffn_out=fp32", "int8,ffn_out=bf16", "int8,attn_out=bf16,ffn_out=bf16"]))
    args = parser.parse_args()

    fixture_pairs, fixture_logits = load_fixture(args.fixture)
    tokenizer = AutoTokenizer.from_pretrained(args.model_dir)
    queries = load_msmarco(args.msmarco, tokenizer, args.queries)
    baseline = build_model(args.model_dir, {})
    baseline_scores = [logits_of(baseline, query) for query in queries]
    baseline_error = (logits_of(baseline, fixture_pairs) - fixture_logits).abs().max().item()
    print(f"fp32 emulation vs fixture: max {baseline_error:.2e}", file=sys.stderr)

    for spec, precision_of_family in parse_configs(args.configs):
        model = build_model(args.model_dir, precision_of_family)
        error = (logits_of(model, fixture_pairs) - fixture_logits).abs()
        taus = [kendall_tau_b(b.tolist(), logits_of(model, query).tolist())
                for b, query in zip(baseline_scores, queries)]
        print(f"{spec:40s} max {error.max().item():.4f} mean {error.mean().item():.4f} "
              f"tau {sum(taus) / len(taus):.4f} (worst {min(taus):.4f})", flush=True)


if __name__ == "__main__":
    main()
