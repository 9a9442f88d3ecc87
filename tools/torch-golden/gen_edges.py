#!/usr/bin/env python3
"""Golden values for PyTorch's behaviour at the edges (issue 10): losses at exact 0/1 inputs and output-size checks.

Run with Debian's python3-torch:  /usr/bin/python3 tools/torch-golden/gen_edges.py
Writes nabla-core/src/test/resources/golden/edges.json (float64 values; every case lists its inputs, PyTorch's
output and gradients, or the error PyTorch raises).
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "nabla-core", "src", "test", "resources", "golden", "edges.json")


def tj(t):
    t = t.detach()
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "data": [float(v) for v in t.reshape(-1).tolist()]}


def main():
    cases = []
    d = torch.float64
    # BCEWithLogitsLoss at logits of exactly 0 (σ(0) − t = −0.5 for t = 1), with and without pos_weight
    x = torch.tensor([[0.0, 0.0, 0.0, 2.0], [-3.0, 0.0, 40.0, -40.0]], dtype=d)
    t = torch.tensor([[1.0, 0.0, 0.5, 1.0], [0.0, 1.0, 0.0, 1.0]], dtype=d)
    pw = torch.tensor([1.5, 2.0, 0.5, 3.0], dtype=d)
    for red in ("none", "mean", "sum"):
        for weight in (None, pw):
            xi = x.clone().requires_grad_(True)
            ti = t.clone().requires_grad_(True)
            out = F.binary_cross_entropy_with_logits(xi, ti, pos_weight=weight, reduction=red)
            gout = torch.ones_like(out)
            gx, gt = torch.autograd.grad(out, (xi, ti), gout)
            cases.append({"kind": "bce_with_logits", "reduction": red, "pos_weight": None if weight is None else tj(weight), "input": tj(x), "target": tj(t),
                          "output": tj(out), "grad_input": tj(gx), "grad_target": tj(gt)})
    # BCELoss at p = 0, 1, 1e-30 and sigmoid(20) (1 in float32): PyTorch clamps the log at −100 and bounds the gradient's denominator by 1e-12
    p = torch.tensor([[0.0, 1.0, 1e-30, 0.5], [0.0, 1.0, torch.sigmoid(torch.tensor(20.0)).item(), 0.25]], dtype=d)
    tb = torch.tensor([[0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 1.0, 0.5]], dtype=d)
    for red in ("none", "mean", "sum"):
        pi = p.clone().requires_grad_(True)
        ti = tb.clone().requires_grad_(True)
        out = F.binary_cross_entropy(pi, ti, reduction=red)
        gp, gt = torch.autograd.grad(out, (pi, ti), torch.ones_like(out))
        cases.append({"kind": "bce", "reduction": red, "input": tj(p), "target": tj(tb), "output": tj(out), "grad_input": tj(gp), "grad_target": tj(gt)})
    # Hessian-vector products (double backward) of losses built on exp, log-softmax, sigmoid, tanh and GELU
    g = torch.Generator().manual_seed(5)
    hvps = []
    logits = torch.randn(3, 4, generator=g, dtype=d)
    labels = torch.tensor([0, 3, 1])
    v = torch.randn(3, 4, generator=g, dtype=d)
    for name, fn in [("cross_entropy", lambda x: F.cross_entropy(x, labels)),
                     ("bce_with_logits", lambda x: F.binary_cross_entropy_with_logits(x, (labels.reshape(3, 1) > torch.arange(4)).double())),
                     ("tanh_sigmoid_gelu", lambda x: (torch.tanh(x) * torch.sigmoid(x) + F.gelu(x) + F.gelu(x, approximate="tanh") + x.exp().sqrt()).sum())]:
        x = logits.clone().requires_grad_(True)
        gx, = torch.autograd.grad(fn(x), x, create_graph=True)
        hv, = torch.autograd.grad((gx * v).sum(), x)
        hvps.append({"loss": name, "input": tj(logits), "labels": [int(l) for l in labels], "v": tj(v), "grad": tj(gx), "hvp": tj(hv)})
    # type promotion (torch.result_type) as a table: every pair of dtypes, each operand 0-d or 1-d, for the binary ops
    promotion = []
    dtypes = {"bool": torch.bool, "int64": torch.int64, "float32": torch.float32, "float64": torch.float64}
    ops = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "maximum": torch.maximum, "minimum": torch.minimum,
           "where": lambda a, b: torch.where(torch.tensor([True, False]), a, b)}
    for op, fn in ops.items():
        for an, at in dtypes.items():
            for bn, bt in dtypes.items():
                for ar in (0, 1):
                    for br in (0, 1):
                        a = torch.tensor([1, 0], dtype=at) if ar else torch.tensor(1, dtype=at)
                        b = torch.tensor([1, 1], dtype=bt) if br else torch.tensor(1, dtype=bt)
                        row = {"op": op, "a": an, "a_rank": ar, "b": bn, "b_rank": br}
                        try:
                            r = fn(a, b)
                            row["result"] = str(r.dtype).replace("torch.", "")
                            row["values"] = [float(v) for v in r.reshape(-1).tolist()]
                        except RuntimeError as e:
                            row["error"] = str(e).splitlines()[0]
                        promotion.append(row)
    # the losses of issue 10 item 10, each reduction, with exact boundary cases (d = 0, |d| = beta or delta, target 0)
    more = []
    g2 = torch.Generator().manual_seed(11)
    x = torch.randn(3, 4, generator=g2, dtype=d)
    y = x.clone()
    y[0, 0] = x[0, 0]            # d = 0
    y[0, 1] = x[0, 1] - 0.5      # |d| = 0.5 = beta = delta
    y[1:] = torch.randn(2, 4, generator=g2, dtype=d)
    pm1 = torch.tensor([[1.0, -1.0, 1.0, -1.0], [-1.0, -1.0, 1.0, 1.0], [1.0, 1.0, -1.0, -1.0]], dtype=d)
    logp = torch.log_softmax(torch.randn(3, 4, generator=g2, dtype=d), 1)
    q = torch.softmax(torch.randn(3, 4, generator=g2, dtype=d), 1)
    q[0, 2] = 0.0                # a zero target: contributes 0
    labels3 = torch.tensor([2, 0, 3])
    cw = torch.tensor([1.0, 2.0, 0.5, 1.5], dtype=d)
    specs = [("L1Loss", {}, lambda i, t, r: F.l1_loss(i, t, reduction=r), x, y),
             ("SmoothL1Loss", {"beta": 0.5}, lambda i, t, r: F.smooth_l1_loss(i, t, reduction=r, beta=0.5), x, y),
             ("SmoothL1Loss", {"beta": 0.0}, lambda i, t, r: F.smooth_l1_loss(i, t, reduction=r, beta=0.0), x, y),
             ("HuberLoss", {"delta": 0.5}, lambda i, t, r: F.huber_loss(i, t, reduction=r, delta=0.5), x, y),
             ("HingeEmbeddingLoss", {"margin": 1.0}, lambda i, t, r: F.hinge_embedding_loss(i, t, margin=1.0, reduction=r), x, pm1),
             ("MultiMarginLoss", {"p": 1, "margin": 1.0}, lambda i, t, r: F.multi_margin_loss(i, t, p=1, margin=1.0, reduction=r), x, labels3),
             ("MultiMarginLoss", {"p": 2, "margin": 0.5, "weight": cw.tolist()}, lambda i, t, r: F.multi_margin_loss(i, t, p=2, margin=0.5, weight=cw, reduction=r), x, labels3),
             ("KLDivLoss", {"log_target": False}, lambda i, t, r: F.kl_div(i, t, reduction=r, log_target=False), logp, q),
             ("KLDivLoss", {"log_target": True}, lambda i, t, r: F.kl_div(i, t, reduction=r, log_target=True), logp, torch.log_softmax(q + 0.1, 1))]
    for kind, config, fn, inp, tgt in specs:
        for red in ("none", "mean", "sum") + (("batchmean",) if kind == "KLDivLoss" else ()):
            xi = inp.clone().requires_grad_(True)
            out = fn(xi, tgt, red)
            gi, = torch.autograd.grad(out, xi, torch.ones_like(out))
            more.append({"kind": kind, "config": config, "reduction": red, "input": tj(inp), "target": tj(tgt), "output": tj(out), "grad_input": tj(gi)})
    # issue 10 item 9: ignore_index, class weights with label smoothing, probability targets with weights, BCE weights
    ce = []
    g3 = torch.Generator().manual_seed(13)
    logits5 = torch.randn(5, 4, generator=g3, dtype=d) * 2
    lab = torch.tensor([0, -100, 3, 1, -100])
    lab2 = torch.tensor([0, 2, 3, 2, 1])
    w4 = torch.tensor([0.5, 1.0, 2.0, 1.5], dtype=d)
    probs5 = torch.softmax(torch.randn(5, 4, generator=g3, dtype=d), 1)
    img = torch.randn(2, 3, 2, 2, generator=g3, dtype=d)
    imglab = torch.tensor([[[0, -100], [2, 1]], [[-100, -100], [1, 0]]])
    w3 = torch.tensor([1.0, 0.25, 3.0], dtype=d)
    ce_specs = [("cross_entropy", {"ignore_index": -100}, logits5, lab, None, 0.0),
                ("cross_entropy", {"ignore_index": 2}, logits5, lab2, None, 0.0),
                ("cross_entropy", {"ignore_index": -100, "weight": w4.tolist()}, logits5, lab, w4, 0.0),
                ("cross_entropy", {"ignore_index": -100, "weight": w4.tolist(), "label_smoothing": 0.2}, logits5, lab, w4, 0.2),
                ("cross_entropy", {"ignore_index": -100, "label_smoothing": 0.1}, logits5, lab, None, 0.1),
                ("cross_entropy", {"weight": w4.tolist(), "label_smoothing": 0.15}, logits5, lab2, w4, 0.15),
                ("cross_entropy", {"weight": w4.tolist(), "label_smoothing": 0.1}, logits5, probs5, w4, 0.1),
                ("cross_entropy", {"ignore_index": -100, "weight": w3.tolist(), "label_smoothing": 0.1}, img, imglab, w3, 0.1),
                ("nll_loss", {"ignore_index": -100, "weight": w4.tolist()}, torch.log_softmax(logits5, 1), lab, w4, 0.0),
                ("nll_loss", {"ignore_index": 1}, torch.log_softmax(logits5, 1), lab2, None, 0.0)]
    for kind, config, inp, tgt, w, ls in ce_specs:
        for red in ("none", "mean", "sum"):
            xi = inp.clone().requires_grad_(True)
            ii = config.get("ignore_index", -100)
            out = F.cross_entropy(xi, tgt, weight=w, ignore_index=ii, reduction=red, label_smoothing=ls) if kind == "cross_entropy" \
                else F.nll_loss(xi, tgt, weight=w, ignore_index=ii, reduction=red)
            gi, = torch.autograd.grad(out, xi, torch.ones_like(out))
            ce.append({"kind": kind, "config": config, "reduction": red, "input": tj(inp), "target": tj(tgt), "output": tj(out), "grad_input": tj(gi)})
    pw4 = torch.tensor([1.5, 2.0, 0.5, 3.0], dtype=d)
    ew = torch.rand(3, 4, generator=g3, dtype=d) + 0.5
    p34 = torch.rand(3, 4, generator=g3, dtype=d) * 0.9 + 0.05
    x34 = torch.randn(3, 4, generator=g3, dtype=d)
    t34 = (torch.rand(3, 4, generator=g3) > 0.5).double()
    for red in ("none", "mean", "sum"):
        for kind, inp in (("bce", p34), ("bce_with_logits", x34)):
            xi = inp.clone().requires_grad_(True)
            out = F.binary_cross_entropy(xi, t34, weight=ew, reduction=red) if kind == "bce" else \
                F.binary_cross_entropy_with_logits(xi, t34, weight=ew, pos_weight=pw4, reduction=red)
            gi, = torch.autograd.grad(out, xi, torch.ones_like(out))
            ce.append({"kind": kind, "config": {"weight": tj(ew), "pos_weight": pw4.tolist() if kind != "bce" else None}, "reduction": red,
                       "input": tj(inp), "target": tj(t34), "output": tj(out), "grad_input": tj(gi)})
    # issue 10 item 8: grouped and depthwise convolution, ceil_mode, count_include_pad, adaptive average pooling
    layers = []
    g4 = torch.Generator().manual_seed(17)
    for name, cin, cout, groups, k, stride, pad in [("grouped", 4, 6, 2, 3, 1, 1), ("depthwise", 3, 3, 3, 3, 2, 1), ("depthwise_x2", 2, 4, 2, 2, 1, 0)]:
        conv = nn.Conv2d(cin, cout, k, stride=stride, padding=pad, groups=groups).double()
        with torch.no_grad():
            conv.weight.copy_(torch.randn(conv.weight.shape, generator=g4, dtype=d))
            conv.bias.copy_(torch.randn(conv.bias.shape, generator=g4, dtype=d))
        x = torch.randn(2, cin, 6, 5, generator=g4, dtype=d).requires_grad_(True)
        y = conv(x)
        gy = torch.randn(y.shape, generator=g4, dtype=d)
        gx, gw, gb = torch.autograd.grad(y, (x, conv.weight, conv.bias), gy)
        layers.append({"kind": "Conv2d", "name": name, "config": {"in": cin, "out": cout, "groups": groups, "kernel": k, "stride": stride, "padding": pad},
                       "weight": tj(conv.weight), "bias": tj(conv.bias), "input": tj(x), "output": tj(y), "grad_output": tj(gy),
                       "grad_input": tj(gx), "grad_weight": tj(gw), "grad_bias": tj(gb)})
    pools = [("MaxPool2d", {"kernel": 2, "stride": 2, "padding": 0, "ceil_mode": True}, nn.MaxPool2d(2, 2, 0, ceil_mode=True)),
             ("MaxPool2d", {"kernel": 3, "stride": 2, "padding": 1, "ceil_mode": True}, nn.MaxPool2d(3, 2, 1, ceil_mode=True)),
             ("AvgPool2d", {"kernel": 2, "stride": 2, "padding": 0, "ceil_mode": True, "count_include_pad": True}, nn.AvgPool2d(2, 2, 0, ceil_mode=True)),
             ("AvgPool2d", {"kernel": 3, "stride": 2, "padding": 1, "ceil_mode": False, "count_include_pad": False}, nn.AvgPool2d(3, 2, 1, count_include_pad=False)),
             ("AvgPool2d", {"kernel": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False}, nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False)),
             ("AvgPool2d", {"kernel": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": True}, nn.AvgPool2d(3, 2, 1, ceil_mode=True)),
             ("AdaptiveAvgPool2d", {"out": [3, 2]}, nn.AdaptiveAvgPool2d((3, 2))),
             ("AdaptiveAvgPool2d", {"out": [1, 1]}, nn.AdaptiveAvgPool2d(1)),
             ("AdaptiveAvgPool2d", {"out": [4, 4]}, nn.AdaptiveAvgPool2d(4))]
    for kind, config, mod in pools:
        x = torch.randn(2, 2, 7, 5, generator=g4, dtype=d).requires_grad_(True)
        y = mod(x)
        gy = torch.randn(y.shape, generator=g4, dtype=d)
        gx, = torch.autograd.grad(y, x, gy)
        layers.append({"kind": kind, "config": config, "input": tj(x), "output": tj(y), "grad_output": tj(gy), "grad_input": tj(gx)})
    # the generic edges: reductions and softmax over empty, 1-element and 0-d tensors, ties, ±inf and NaN, non-contiguous
    inf, nan = float("inf"), float("nan")
    inputs = {"empty": torch.zeros(0, dtype=d), "empty_2x0": torch.zeros(2, 0, dtype=d), "one": torch.tensor([3.5], dtype=d),
              "scalar": torch.tensor(2.5, dtype=d), "ties": torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, -1.0]], dtype=d),
              "inf": torch.tensor([[1.0, inf, -2.0], [-inf, 0.5, 3.0]], dtype=d), "all_neg_inf": torch.tensor([[-inf, -inf], [1.0, -inf]], dtype=d),
              "nan": torch.tensor([[1.0, nan, -2.0], [0.5, 0.25, 3.0]], dtype=d),
              "transposed": torch.tensor([[1.0, -2.0, 0.5], [4.0, 0.0, -1.5]], dtype=d).t()}
    red_ops = {"sum": lambda x: x.sum(), "sum_dim0": lambda x: x.sum(0), "mean": lambda x: x.mean(), "mean_dim0": lambda x: x.mean(0),
               "max": lambda x: x.max(), "max_dim0": lambda x: x.max(0).values, "min": lambda x: x.min(), "argmax": lambda x: x.argmax(),
               "var": lambda x: x.var(), "std": lambda x: x.std(), "logsumexp_dim0": lambda x: torch.logsumexp(x, 0),
               "softmax_dim0": lambda x: torch.softmax(x, 0), "log_softmax_dim0": lambda x: torch.log_softmax(x, 0)}
    reductions = []
    for iname, x0 in inputs.items():
        for oname, fn in red_ops.items():
            x = x0.clone().requires_grad_(True) if iname != "transposed" else x0.detach().clone().t().contiguous().t().requires_grad_(True)
            row = {"input_name": iname, "op": oname, "input": tj(x0)}
            try:
                y = fn(x)
                row["output"] = tj(y)
                if y.dtype.is_floating_point and y.numel() > 0:
                    gx, = torch.autograd.grad(y.sum(), x, allow_unused=True)
                    if gx is not None:
                        row["grad_input"] = tj(gx)
            except (RuntimeError, IndexError) as e:
                row["error"] = str(e).splitlines()[0]
            reductions.append(row)
    # issue 10 item 7: in-place ops on tensors of the graph and on views of them (PyTorch rebases the history)
    g5 = torch.Generator().manual_seed(19)
    x0 = torch.randn(2, 4, generator=g5, dtype=d)
    w0 = torch.randn(2, 4, generator=g5, dtype=d)
    c0 = torch.randn(2, 4, generator=g5, dtype=d)
    inplace = []

    def ip_case(name, fn):
        x = x0.clone().requires_grad_(True)
        w = w0.clone().requires_grad_(True)
        row = {"name": name, "x": tj(x0), "w": tj(w0), "c": tj(c0)}
        try:
            out = fn(x, w, c0)
            gx, gw = torch.autograd.grad(out, (x, w), allow_unused=True)
            row["output"] = tj(out)
            row["grad_x"] = tj(gx if gx is not None else torch.zeros_like(x0))
            row["grad_w"] = tj(gw if gw is not None else torch.zeros_like(w0))
        except RuntimeError as e:
            row["error"] = str(e).splitlines()[0]
        inplace.append(row)

    def strided_slice(x, w, c):
        y = x * 2
        y[:, ::2] *= 3
        return (y * c).sum()

    def whole(x, w, c):
        y = x * w
        y.add_(1)
        return (y * y * c).sum()

    def view_then_use(x, w, c):
        y = x * w
        v = y[:, 1]
        v.add_(5)
        return (v * 3).sum() + (y * c).sum()

    def copy_into_plain(x, w, c):
        z = torch.zeros(2, 4, dtype=d)
        z[0].copy_(x[1] * w[0])
        return (z * c).sum()

    def mul_by_graph_tensor(x, w, c):
        y = x + 1
        y.narrow(1, 1, 2).mul_(w.narrow(1, 0, 2))
        return (y * c).sum()

    def exp_then_inplace(x, w, c):
        y = x.exp()
        y.mul_(2)
        return y.sum()

    def leaf_inplace(x, w, c):
        x.add_(1)
        return x.sum()

    for name, fn in [("strided_slice", strided_slice), ("whole", whole), ("view_then_use", view_then_use), ("copy_into_plain", copy_into_plain),
                     ("mul_by_graph_tensor", mul_by_graph_tensor), ("exp_then_inplace", exp_then_inplace), ("leaf_inplace", leaf_inplace)]:
        ip_case(name, fn)
    # output sizes: PyTorch raises for all of these
    errors = []
    for name, fn, shape in [("MaxPool2d(2)", nn.MaxPool2d(2), [1, 1, 3, 1]), ("MaxPool2d(2)", nn.MaxPool2d(2), [1, 1, 1, 1]),
                            ("AvgPool2d(2)", nn.AvgPool2d(2), [1, 1, 1, 1]), ("Conv2d(1,1,3,stride=2)", nn.Conv2d(1, 1, 3, stride=2), [1, 1, 2, 2])]:
        try:
            fn(torch.zeros(shape, dtype=torch.float32))
            errors.append({"module": name, "input_shape": shape, "raises": False})
        except RuntimeError as e:
            errors.append({"module": name, "input_shape": shape, "raises": True, "message": str(e).splitlines()[0]})
    with open(OUT, "w") as f:
        json.dump({"generator": "tools/torch-golden/gen_edges.py", "torch": torch.__version__, "losses": cases, "hvp": hvps, "promotion": promotion, "more_losses": more, "class_losses": ce, "layers": layers, "reductions": reductions, "inplace": inplace, "output_size_errors": errors}, f, indent=1)


if __name__ == "__main__":
    main()
