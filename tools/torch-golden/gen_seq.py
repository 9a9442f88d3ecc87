#!/usr/bin/env python3
"""Golden values for Nabla's sequence layers: embeddings, normalisations, activations, attention, transformer.

Run with Debian's python3-torch:  /usr/bin/python3 tools/torch-golden/gen_seq.py
Writes nabla-core/src/test/resources/golden/seq.json (float64): per case the module's state, the input(s), the output,
a random output gradient, and PyTorch's gradients of the inputs and parameters. PyTorch 1.13 has no RMSNorm and no
F.scaled_dot_product_attention (both came later); their cases use the formulas PyTorch 2 documents, written here in
PyTorch ops.
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from gen_nn import tj, state, grads

torch.manual_seed(4242)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "nabla-core", "src", "test", "resources", "golden")
D = torch.float64


class RMSNorm(nn.Module):
    """PyTorch 2.4's nn.RMSNorm over the last dim: x * rsqrt(mean(x^2) + eps) * weight; eps None: finfo(dtype).eps."""

    def __init__(self, n, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(n, dtype=D))

    def forward(self, x):
        eps = self.eps if self.eps is not None else torch.finfo(x.dtype).eps
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * self.weight


def sdpa(q, k, v, attn_mask=None, is_causal=False, scale=None):
    """PyTorch 2's documented reference of F.scaled_dot_product_attention (no dropout)."""
    L, S = q.size(-2), k.size(-2)
    s = 1 / math.sqrt(q.size(-1)) if scale is None else scale
    bias = torch.zeros(L, S, dtype=q.dtype)
    if is_causal:
        bias = bias.masked_fill(torch.ones(L, S, dtype=torch.bool).tril().logical_not(), float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            bias = bias + torch.zeros_like(attn_mask, dtype=q.dtype).masked_fill(attn_mask.logical_not(), float("-inf"))
        else:
            bias = bias + attn_mask
    return torch.softmax(q @ k.transpose(-2, -1) * s + bias, dim=-1) @ v


def randomize(m):
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.randn_like(p) * 0.5 + (1.0 if p.dim() == 1 and p.numel() > 0 and "weight" in "" else 0.0))
    return m


def main():
    layers, attention = [], []

    def layer_case(kind, module, x, train=True, **config):
        module = module.double()
        module.zero_grad(set_to_none=True)
        module.train(train)
        before = state(module)
        grad_x = x.dtype.is_floating_point
        x = x.clone().requires_grad_(grad_x)
        y = module(x)
        gout = torch.randn(y.shape, dtype=D)
        y.backward(gout)
        layers.append({"kind": kind, "config": config, "train": train, "state_before": before, "input": tj(x),
                       "output": tj(y), "grad_output": tj(gout), "grad_input": tj(x.grad) if grad_x else None,
                       "param_grads": grads(module)})

    idx = torch.tensor([[1, 4, 9], [0, 1, 1]])
    layer_case("Embedding", nn.Embedding(10, 4), idx, num=10, dim=4)
    layer_case("Embedding", nn.Embedding(10, 4, padding_idx=1), idx, num=10, dim=4, padding_idx=1)
    ln = randomize(nn.LayerNorm(5))
    layer_case("LayerNorm", ln, torch.randn(2, 3, 5, dtype=D) * 3 + 1, shape=[5], eps=1e-5, affine=True)
    layer_case("LayerNorm", randomize(nn.LayerNorm([3, 5], eps=1e-3)), torch.randn(2, 3, 5, dtype=D), shape=[3, 5],
               eps=1e-3, affine=True)
    layer_case("LayerNorm", nn.LayerNorm(4, elementwise_affine=False), torch.randn(6, 4, dtype=D), shape=[4], eps=1e-5,
               affine=False)
    layer_case("RMSNorm", randomize(RMSNorm(5, 1e-6)), torch.randn(2, 3, 5, dtype=D), shape=[5], eps=1e-6)
    layer_case("RMSNorm", randomize(RMSNorm(4, None)), torch.randn(3, 4, dtype=D), shape=[4], eps=None)
    layer_case("GroupNorm", randomize(nn.GroupNorm(2, 4)), torch.randn(3, 4, 5, dtype=D) * 2, groups=2, channels=4,
               eps=1e-5)
    layer_case("GroupNorm", randomize(nn.GroupNorm(3, 6, eps=1e-3)), torch.randn(2, 6, 3, 3, dtype=D), groups=3,
               channels=6, eps=1e-3)
    for (cin, cout, k, st, pd, dl, gr, bias) in [(4, 6, 3, 2, 1, 2, 2, True), (3, 2, 2, 1, 0, 1, 1, False)]:
        layer_case("Conv1d", randomize(nn.Conv1d(cin, cout, k, stride=st, padding=pd, dilation=dl, groups=gr, bias=bias)),
                   torch.randn(2, cin, 9, dtype=D), cin=cin, cout=cout, k=k, stride=st, padding=pd, dilation=dl,
                   groups=gr, bias=bias)
    for (cin, cout, k, st, pd, op, gr, bias, dl) in [(4, 6, 3, 2, 1, 1, 2, True, 1), (3, 2, 2, 1, 0, 0, 1, False, 1),
                                                     (2, 4, 3, 3, 2, 2, 1, True, 2)]:
        layer_case("ConvTranspose2d", randomize(nn.ConvTranspose2d(cin, cout, k, stride=st, padding=pd, output_padding=op,
                                                                   groups=gr, bias=bias, dilation=dl)),
                   torch.randn(2, cin, 4, 5, dtype=D), cin=cin, cout=cout, k=k, stride=st, padding=pd,
                   output_padding=op, groups=gr, bias=bias, dilation=dl)
    xa = torch.cat([torch.randn(2, 6, dtype=D) * 3, torch.zeros(2, 1, dtype=D), torch.full((2, 1), 2.0, dtype=D)], 1)
    layer_case("SiLU", nn.SiLU(), xa)
    layer_case("LeakyReLU", nn.LeakyReLU(0.2), xa, slope=0.2)
    layer_case("ELU", nn.ELU(0.7), xa, alpha=0.7)
    layer_case("Softplus", nn.Softplus(beta=2.0, threshold=3.0), xa, beta=2.0, threshold=3.0)

    # scaled dot-product attention (the function): q, k, v and the masks
    def sdpa_case(name, q, k, v, mask=None, causal=False, scale=None):
        q, k, v = [t.clone().requires_grad_(True) for t in (q, k, v)]
        y = sdpa(q, k, v, mask, causal, scale)
        gout = torch.randn(y.shape, dtype=D)
        y.backward(gout)
        attention.append({"kind": "sdpa", "name": name, "causal": causal, "scale": scale,
                          "mask": tj(mask) if mask is not None else None, "q": tj(q), "k": tj(k), "v": tj(v),
                          "output": tj(y), "grad_output": tj(gout), "grad_q": tj(q.grad), "grad_k": tj(k.grad),
                          "grad_v": tj(v.grad)})

    q, k, v = torch.randn(2, 3, 4, 6, dtype=D), torch.randn(2, 3, 5, 6, dtype=D), torch.randn(2, 3, 5, 7, dtype=D)
    sdpa_case("plain", q, k, v)
    sdpa_case("scale", q, k, v, scale=0.3)
    sdpa_case("causal", q, torch.randn(2, 3, 4, 6, dtype=D), torch.randn(2, 3, 4, 7, dtype=D), causal=True)
    bool_mask = torch.rand(4, 5) > 0.3
    bool_mask[:, 0] = True  # every query sees at least one key
    sdpa_case("bool mask", q, k, v, mask=bool_mask)
    sdpa_case("float mask", q, k, v, mask=torch.randn(2, 1, 4, 5, dtype=D))

    # multi-head attention (the module), PyTorch's masks: true = not allowed
    def mha_case(name, mha, query, key, value, key_padding_mask=None, attn_mask=None, causal=False):
        mha = mha.double()
        mha.eval()
        with torch.no_grad():
            for p in mha.parameters():
                p.copy_(torch.randn_like(p) * 0.4)
        before = state(mha)
        query, key, value = [t.clone().requires_grad_(True) for t in (query, key, value)]
        mask = attn_mask
        if causal:
            mask = torch.ones(query.size(1 if mha.batch_first else 0), key.size(1 if mha.batch_first else 0),
                              dtype=torch.bool).triu(1)
        out, w = mha(query, key, value, key_padding_mask=key_padding_mask, attn_mask=mask, need_weights=True)
        gout = torch.randn(out.shape, dtype=D)
        out.backward(gout)
        attention.append({"kind": "mha", "name": name, "config": {"embed": mha.embed_dim, "heads": mha.num_heads,
                                                                   "batch_first": mha.batch_first},
                          "state_before": before, "query": tj(query), "key": tj(key), "value": tj(value),
                          "key_padding_mask": tj(key_padding_mask) if key_padding_mask is not None else None,
                          "attn_mask": tj(attn_mask) if attn_mask is not None else None, "causal": causal,
                          "output": tj(out), "weights": tj(w), "grad_output": tj(gout), "grad_query": tj(query.grad),
                          "grad_key": tj(key.grad), "grad_value": tj(value.grad), "param_grads": grads(mha)})

    x = torch.randn(2, 5, 8, dtype=D)
    mha_case("self, batch first", nn.MultiheadAttention(8, 2, batch_first=True), x, x, x)
    pad = torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])
    mha_case("self, causal + key padding", nn.MultiheadAttention(8, 2, batch_first=True), x, x, x,
             key_padding_mask=pad, causal=True)
    qs, kv = torch.randn(4, 3, 8, dtype=D), torch.randn(6, 3, 8, dtype=D)
    mha_case("cross, sequence first, float mask", nn.MultiheadAttention(8, 4), qs, kv, kv,
             attn_mask=torch.randn(4, 6, dtype=D))

    # transformer encoder layers (dropout 0: deterministic in training mode too)
    for norm_first in (False, True):
        for act in ("relu", "gelu"):
            layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, activation=act,
                                               batch_first=True, norm_first=norm_first).double()
            with torch.no_grad():
                for p in layer.parameters():
                    p.add_(torch.randn_like(p) * 0.2)
            src = torch.randn(2, 5, 8, dtype=D).requires_grad_(True)
            mask = torch.ones(5, 5, dtype=torch.bool).triu(1)
            before = state(layer)
            out = layer(src, src_mask=mask)
            gout = torch.randn(out.shape, dtype=D)
            out.backward(gout)
            attention.append({"kind": "encoder", "name": f"norm_first={norm_first} {act} causal",
                              "config": {"d_model": 8, "nhead": 2, "ff": 16, "norm_first": norm_first, "gelu": act == "gelu"},
                              "state_before": before, "input": tj(src), "output": tj(out), "grad_output": tj(gout),
                              "grad_input": tj(src.grad), "param_grads": grads(layer)})

    # selection ops: topk (no ties: PyTorch leaves their order open), triu/tril, masked_fill
    ops = []

    def op_case(name, fn, x, **config):
        x = x.clone().requires_grad_(True)
        y = fn(x)
        values = y[0] if isinstance(y, tuple) else y
        gout = torch.randn(values.shape, dtype=D)
        values.backward(gout)
        case = {"op": name, "config": config, "input": tj(x), "output": tj(values), "grad_output": tj(gout),
                "grad_input": tj(x.grad)}
        if isinstance(y, tuple):
            case["indices"] = tj(y[1])
        ops.append(case)

    xt = torch.randn(3, 6, dtype=D)
    for k, dim, largest in [(3, 1, True), (2, 0, True), (4, -1, False), (6, 1, True)]:
        op_case("topk", lambda x: torch.topk(x, k, dim=dim, largest=largest), xt, k=k, dim=dim, largest=largest)
    xm = torch.randn(2, 4, 5, dtype=D)
    for diag in (-1, 0, 2):
        op_case("triu", lambda x: torch.triu(x, diag), xm, diagonal=diag)
        op_case("tril", lambda x: torch.tril(x, diag), xm, diagonal=diag)
    mask = torch.rand(4, 1) > 0.5
    op_case("masked_fill", lambda x: x.masked_fill(mask, -7.5), torch.randn(3, 4, 5, dtype=D), mask=tj(mask),
            value=-7.5)

    # recurrent layers: outputs, final states and gradients; packed sequences of different lengths
    recurrent = []

    def rnn_case(name, kind, module, x, h0=None, c0=None, lengths=None, **config):
        module = module.double()
        with torch.no_grad():
            for p in module.parameters():
                p.copy_(torch.rand_like(p) * 0.8 - 0.4)
        before = state(module)
        x = x.clone().requires_grad_(True)
        if lengths is not None:
            packed = nn.utils.rnn.pack_padded_sequence(x, torch.tensor(lengths), batch_first=module.batch_first,
                                                       enforce_sorted=False)
            init = (h0, c0) if kind == "LSTM" else h0
            out, state_n = module(packed, init) if h0 is not None else module(packed)
            out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=module.batch_first, total_length=x.size(1 if module.batch_first else 0))
        else:
            init = (h0, c0) if kind == "LSTM" else h0
            out, state_n = module(x, init) if h0 is not None else module(x)
        h_n, c_n = state_n if kind == "LSTM" else (state_n, None)
        g_out, g_h = torch.randn(out.shape, dtype=D), torch.randn(h_n.shape, dtype=D)
        total = (out * g_out).sum() + (h_n * g_h).sum()
        g_c = None
        if c_n is not None:
            g_c = torch.randn(c_n.shape, dtype=D)
            total = total + (c_n * g_c).sum()
        total.backward()
        recurrent.append({"kind": kind, "name": name, "config": config, "state_before": before, "input": tj(x),
                          "h0": tj(h0) if h0 is not None else None, "c0": tj(c0) if c0 is not None else None,
                          "lengths": lengths, "output": tj(out), "h_n": tj(h_n),
                          "c_n": tj(c_n) if c_n is not None else None, "grad_output": tj(g_out), "grad_h_n": tj(g_h),
                          "grad_c_n": tj(g_c) if g_c is not None else None, "grad_input": tj(x.grad),
                          "param_grads": grads(module)})

    rnn_case("tanh, 2 layers, bidirectional, batch first", "RNN",
             nn.RNN(3, 4, num_layers=2, bidirectional=True, batch_first=True), torch.randn(2, 5, 3, dtype=D),
             input=3, hidden=4, layers=2, relu=False, bidirectional=True, batch_first=True)
    rnn_case("relu, with h0", "RNN", nn.RNN(3, 4, nonlinearity="relu"), torch.randn(5, 2, 3, dtype=D),
             h0=torch.randn(1, 2, 4, dtype=D), input=3, hidden=4, layers=1, relu=True, bidirectional=False,
             batch_first=False)
    rnn_case("2 layers, bidirectional, h0 and c0", "LSTM", nn.LSTM(3, 4, num_layers=2, bidirectional=True),
             torch.randn(6, 2, 3, dtype=D), h0=torch.randn(4, 2, 4, dtype=D), c0=torch.randn(4, 2, 4, dtype=D),
             input=3, hidden=4, layers=2, bidirectional=True, batch_first=False)
    rnn_case("batch first, no bias", "LSTM", nn.LSTM(3, 5, bias=False, batch_first=True), torch.randn(3, 4, 3, dtype=D),
             input=3, hidden=5, layers=1, bias=False, bidirectional=False, batch_first=True)
    rnn_case("2 layers", "GRU", nn.GRU(3, 4, num_layers=2), torch.randn(5, 2, 3, dtype=D), input=3, hidden=4, layers=2,
             bidirectional=False, batch_first=False)
    rnn_case("bidirectional, batch first, with h0", "GRU", nn.GRU(3, 4, bidirectional=True, batch_first=True),
             torch.randn(2, 5, 3, dtype=D), h0=torch.randn(2, 2, 4, dtype=D), input=3, hidden=4, layers=1,
             bidirectional=True, batch_first=True)
    rnn_case("packed lengths, bidirectional, 2 layers", "LSTM",
             nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True), torch.randn(3, 6, 3, dtype=D),
             lengths=[6, 2, 4], input=3, hidden=4, layers=2, bidirectional=True, batch_first=True)
    rnn_case("packed lengths", "GRU", nn.GRU(3, 4), torch.randn(5, 3, 3, dtype=D), lengths=[3, 5, 1], input=3,
             hidden=4, layers=1, bidirectional=False, batch_first=False)

    with open(os.path.join(OUT, "seq.json.tmp"), "w") as f:
        json.dump({"generator": "tools/torch-golden/gen_seq.py", "torch": torch.__version__, "layers": layers,
                   "attention": attention, "ops": ops, "recurrent": recurrent}, f)
    os.replace(os.path.join(OUT, "seq.json.tmp"), os.path.join(OUT, "seq.json"))
    print("wrote", len(layers), "layer cases and", len(attention), "attention cases to", OUT)


if __name__ == "__main__":
    main()
