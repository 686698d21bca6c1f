#!/usr/bin/env python3
"""An independent forward pass of a Hugging Face Llama-family checkpoint, in PyTorch.

Verity's parity test (LlamaParityTest) writes a small random checkpoint, runs this script on it and
compares its logits and greedy continuations with Verity's DJL implementation. Written from Hugging
Face's definitions (modeling_llama / modeling_qwen2), one sequence at a time, no padding, no cache:
every token recomputes the whole sequence. Reads safetensors with its own parser.

Usage: llama_reference.py MODEL_DIR REQUEST_JSON OUT_JSON
  request: {"prompts": [[id, ...], ...], "max_new_tokens": N}
  out:     {"logits": [prompt][position][vocab], "greedy": [prompt][ids]}
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    base = 8 + length
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        raw = data[base + begin : base + end]
        dtype = entry["dtype"]
        if dtype == "F32":
            values = np.frombuffer(raw, dtype="<f4")
        elif dtype == "F16":
            values = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        elif dtype == "BF16":
            values = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise ValueError(f"{path}: dtype {dtype} of {name}")
        tensors[name] = torch.from_numpy(values.copy()).reshape(entry["shape"])
    return tensors


def read_checkpoint(directory):
    index = os.path.join(directory, "model.safetensors.index.json")
    if not os.path.exists(index):
        return read_safetensors(os.path.join(directory, "model.safetensors"))
    with open(index) as f:
        shards = sorted(set(json.load(f)["weight_map"].values()))
    tensors = {}
    for shard in shards:
        tensors.update(read_safetensors(os.path.join(directory, shard)))
    return tensors


def inverse_frequencies(cfg, head_dim):
    theta = cfg.get("rope_theta", 10000.0)
    inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    scaling = cfg.get("rope_scaling")
    if not scaling:
        return inv
    kind = scaling.get("rope_type", scaling.get("type"))
    factor = scaling["factor"]
    if kind == "linear":
        return inv / factor
    if kind != "llama3":
        raise ValueError(f"rope type {kind}")
    low, high = scaling["low_freq_factor"], scaling["high_freq_factor"]
    old = scaling["original_max_position_embeddings"]
    wavelen = 2 * math.pi / inv
    scaled = torch.where(wavelen > old / low, inv / factor, inv)
    smooth = (old / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * scaled / factor + smooth * scaled
    medium = ~(wavelen < old / high) * ~(wavelen > old / low)
    return torch.where(medium, smoothed, scaled)


class Reference:
    def __init__(self, directory):
        with open(os.path.join(directory, "config.json")) as f:
            self.cfg = json.load(f)
        self.w = read_checkpoint(directory)
        cfg = self.cfg
        self.layers = cfg["num_hidden_layers"]
        self.heads = cfg["num_attention_heads"]
        self.kv_heads = cfg.get("num_key_value_heads") or self.heads
        self.head_dim = cfg.get("head_dim") or cfg["hidden_size"] // self.heads
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        self.inv = inverse_frequencies(cfg, self.head_dim)
        tied = cfg.get("tie_word_embeddings", False)
        self.head = self.w["model.embed_tokens.weight" if tied else "lm_head.weight"]
        eos = cfg.get("eos_token_id")
        self.eos = set(eos if isinstance(eos, list) else ([] if eos is None else [eos]))

    def linear(self, x, prefix):
        y = x @ self.w[prefix + ".weight"].T
        bias = self.w.get(prefix + ".bias")
        return y if bias is None else y + bias

    def rms_norm(self, x, name):
        return self.w[name] * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))

    @staticmethod
    def rotate_half(x):
        half = x.shape[-1] // 2
        return torch.cat((-x[..., half:], x[..., :half]), dim=-1)

    def forward(self, ids):
        t = len(ids)
        x = self.w["model.embed_tokens.weight"][torch.tensor(ids)]
        angles = torch.outer(torch.arange(t, dtype=torch.float32), self.inv)
        emb = torch.cat((angles, angles), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        causal = torch.full((t, t), float("-inf")).triu(1)
        h, kv, d = self.heads, self.kv_heads, self.head_dim
        for i in range(self.layers):
            p = f"model.layers.{i}."
            y = self.rms_norm(x, p + "input_layernorm.weight")
            q = self.linear(y, p + "self_attn.q_proj").view(t, h, d).transpose(0, 1)
            k = self.linear(y, p + "self_attn.k_proj").view(t, kv, d).transpose(0, 1)
            v = self.linear(y, p + "self_attn.v_proj").view(t, kv, d).transpose(0, 1)
            q = q * cos + self.rotate_half(q) * sin
            k = k * cos + self.rotate_half(k) * sin
            k = k.repeat_interleave(h // kv, dim=0)
            v = v.repeat_interleave(h // kv, dim=0)
            weights = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + causal, dim=-1)
            attended = (weights @ v).transpose(0, 1).reshape(t, h * d)
            x = x + self.linear(attended, p + "self_attn.o_proj")
            y = self.rms_norm(x, p + "post_attention_layernorm.weight")
            gate = self.linear(y, p + "mlp.gate_proj")
            up = self.linear(y, p + "mlp.up_proj")
            x = x + self.linear(torch.nn.functional.silu(gate) * up, p + "mlp.down_proj")
        x = self.rms_norm(x, "model.norm.weight")
        return x @ self.head.T

    def greedy(self, ids, max_new):
        ids = list(ids)
        out = []
        for _ in range(max_new):
            token = int(self.forward(ids)[-1].argmax())
            out.append(token)
            ids.append(token)
            if token in self.eos:
                break
        return out


def main():
    directory, request_path, out_path = sys.argv[1:4]
    with open(request_path) as f:
        request = json.load(f)
    torch.set_num_threads(1)
    with torch.no_grad():
        model = Reference(directory)
        logits = [model.forward(p).tolist() for p in request["prompts"]]
        greedy = [model.greedy(p, request["max_new_tokens"]) for p in request["prompts"]]
    with open(out_path, "w") as f:
        json.dump({"logits": logits, "greedy": greedy}, f)


if __name__ == "__main__":
    main()
