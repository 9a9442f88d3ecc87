#!/usr/bin/env python3
"""Writes PyTorch's forward values and input gradients for every case of Nabla's op registry.

Run with Debian's python3-torch:  /usr/bin/python3 tools/torch-golden/gen_ops.py
Output: nabla-core/src/test/resources/golden/ops.json (checked in, so the build never needs Python).

Each case: op name (the key of OpRegistry in the Java tests), args, inputs (shape, float64 data or int64 data,
whether it requires grad, and an optional view transform applied before the op), PyTorch's output, a random
upstream gradient, and the gradient of every input that requires one (computed in float64).
"""
import json
import os
import torch

torch.manual_seed(1234)
F = torch.nn.functional
CASES = []


def rnd(*shape, low=-2.0, high=2.0):
    return torch.rand(tuple(shape), dtype=torch.float64) * (high - low) + low


def pos(*shape):
    return rnd(*shape, low=0.2, high=3.0)


def away(*shape):
    """Values with |v| >= 0.3, so abs/div/sign and kinks stay away from 0."""
    v = rnd(*shape, low=0.3, high=2.0)
    s = torch.randint(0, 2, tuple(shape)).to(torch.float64) * 2 - 1
    return v * s


def inp(data, grad=True, view=None):
    return {"data": data, "grad": grad and data.dtype.is_floating_point, "view": view}


def case(op, inputs, **args):
    CASES.append({"op": op, "args": args, "inputs": inputs})


def apply_view(t, view):
    if view == "t":
        return t.transpose(-1, -2)
    if view == "step2":
        return t[..., ::2]
    return t


def run(op, xs, a):
    x = xs[0]
    table = {
        "neg": lambda: -x, "exp": lambda: x.exp(), "log": lambda: x.log(), "sqrt": lambda: x.sqrt(),
        "abs": lambda: x.abs(), "sign": lambda: x.sign(), "square": lambda: x * x,
        "relu": lambda: F.relu(x), "sigmoid": lambda: torch.sigmoid(x), "tanh": lambda: torch.tanh(x),
        "gelu": lambda: F.gelu(x), "gelu_tanh": lambda: F.gelu(x, approximate="tanh"),
        "softmax": lambda: torch.softmax(x, a["dim"]), "log_softmax": lambda: torch.log_softmax(x, a["dim"]),
        "pow_scalar": lambda: x.pow(a["p"]), "clamp": lambda: x.clamp(a["min"], a["max"]),
        "heaviside": lambda: torch.heaviside(x, torch.tensor(a["at_zero"], dtype=x.dtype)),
        "add": lambda: xs[0] + xs[1], "sub": lambda: xs[0] - xs[1], "mul": lambda: xs[0] * xs[1],
        "div": lambda: xs[0] / xs[1], "maximum": lambda: torch.maximum(xs[0], xs[1]),
        "minimum": lambda: torch.minimum(xs[0], xs[1]), "pow_tensor": lambda: xs[0].pow(xs[1]),
        "where": lambda: torch.where(xs[0] > 0, xs[1], xs[2]),
        "add_scalar": lambda: x + a["s"], "sub_scalar": lambda: x - a["s"], "mul_scalar": lambda: x * a["s"],
        "div_scalar": lambda: x / a["s"], "rsub_scalar": lambda: a["s"] - x,
        "eq": lambda: xs[0] == xs[1], "ne": lambda: xs[0] != xs[1], "lt": lambda: xs[0] < xs[1],
        "le": lambda: xs[0] <= xs[1], "gt": lambda: xs[0] > xs[1], "ge": lambda: xs[0] >= xs[1],
        "sum": lambda: x.sum() if "dims" not in a else x.sum(dim=a["dims"], keepdim=a["keepdim"]),
        "mean": lambda: x.mean() if "dims" not in a else x.mean(dim=a["dims"], keepdim=a["keepdim"]),
        "max": lambda: x.max() if "dim" not in a else x.max(dim=a["dim"], keepdim=a["keepdim"]).values,
        "min": lambda: x.min() if "dim" not in a else x.min(dim=a["dim"], keepdim=a["keepdim"]).values,
        "argmax": lambda: x.argmax(dim=a["dim"], keepdim=a["keepdim"]),
        "argmin": lambda: x.argmin(dim=a["dim"], keepdim=a["keepdim"]),
        "var": lambda: x.var() if "dims" not in a else x.var(dim=a["dims"], correction=a["correction"], keepdim=a["keepdim"]),
        "std": lambda: x.std() if "dims" not in a else x.std(dim=a["dims"], correction=a["correction"], keepdim=a["keepdim"]),
        "logsumexp": lambda: torch.logsumexp(x, dim=a["dims"], keepdim=a["keepdim"]),
        "matmul": lambda: xs[0] @ xs[1],
        "reshape": lambda: x.reshape(a["shape"]), "transpose": lambda: x.transpose(a["d0"], a["d1"]),
        "permute": lambda: x.permute(a["dims"]), "t": lambda: x.t(), "T": lambda: x.permute(*reversed(range(x.dim()))),
        "squeeze": lambda: x.squeeze() if "dim" not in a else x.squeeze(a["dim"]),
        "unsqueeze": lambda: x.unsqueeze(a["dim"]), "expand": lambda: x.expand(a["shape"]),
        "flatten": lambda: x.flatten(a["start"], a["end"]), "narrow": lambda: x.narrow(a["dim"], a["start"], a["length"]),
        "slice": lambda: x[(slice(None),) * a["dim"] + (slice(a["start"], a["end"], a["step"]),)],
        "select": lambda: x.select(a["dim"], a["index"]), "index": lambda: xs[0][xs[1]],
        "index_select": lambda: xs[0].index_select(a["dim"], xs[1]), "gather": lambda: xs[0].gather(a["dim"], xs[1]),
        "cat": lambda: torch.cat(xs, a["dim"]), "stack": lambda: torch.stack(xs, a["dim"]),
        "contiguous": lambda: x.contiguous(), "clone": lambda: x.clone(),
        "conv2d": lambda: F.conv2d(xs[0], xs[1], xs[2] if len(xs) > 2 else None, stride=a["stride"], padding=a["padding"], dilation=a["dilation"]),
        "conv2d_relu": lambda: F.relu(F.conv2d(xs[0], xs[1], xs[2] if len(xs) > 2 else None, stride=a["stride"], padding=a["padding"], dilation=a["dilation"])),
        "conv2d_relu_max_pool2d": lambda: F.max_pool2d(F.relu(F.conv2d(xs[0], xs[1], xs[2] if len(xs) > 2 else None, stride=a["stride"], padding=a["padding"], dilation=a["dilation"])), 2),
        "max_pool2d": lambda: F.max_pool2d(x, a["kernel"], a["stride"], a["padding"], a["dilation"]),
        "avg_pool2d": lambda: F.avg_pool2d(x, a["kernel"], a["stride"], a["padding"]),
        "softplus": lambda: F.softplus(x),  # inputs stay below PyTorch's threshold of 20, where it returns x itself
    }
    return table[op]()


# ----------------------------------------------------------------- the cases
for op in ["neg", "exp", "tanh", "sigmoid", "relu", "gelu", "gelu_tanh", "square"]:
    case(op, [inp(away(3, 4))])
    case(op, [inp(away(4, 3), view="t")])
    case(op, [inp(away(2, 1, 3))])
case("relu", [inp(rnd(0, 3))])
case("exp", [inp(rnd(0, 3))])
case("exp", [inp(rnd())])
for op in ["log", "sqrt"]:
    case(op, [inp(pos(3, 4))])
    case(op, [inp(pos(4, 3), view="t")])
for op in ["abs", "sign"]:
    case(op, [inp(away(3, 4))])
    case(op, [inp(away(3, 6), view="step2")])
case("softmax", [inp(rnd(3, 5))], dim=1)
case("softmax", [inp(rnd(3, 5))], dim=0)
case("softmax", [inp(rnd(2, 3, 4) * 40)], dim=-1)
case("log_softmax", [inp(rnd(3, 5))], dim=1)
case("log_softmax", [inp(rnd(4, 3), view="t")], dim=0)
case("log_softmax", [inp(rnd(2, 3, 4) * 40)], dim=-1)
case("pow_scalar", [inp(pos(3, 4))], p=2.5)
case("pow_scalar", [inp(away(3, 4))], p=3.0)
case("pow_scalar", [inp(pos(3, 4))], p=-1.5)
case("clamp", [inp(torch.tensor([[-1.3, -0.2, 0.1, 0.7], [0.35, -0.6, 2.0, -0.05]], dtype=torch.float64))], min=-0.5, max=0.5)
case("heaviside", [inp(torch.tensor([-1.0, 0.0, 2.0, 0.0, -0.5], dtype=torch.float64), grad=False)], at_zero=0.5)  # not differentiable

for op in ["add", "sub", "mul", "maximum", "minimum"]:
    case(op, [inp(rnd(3, 4)), inp(rnd(3, 4))])
    case(op, [inp(rnd(3, 4)), inp(rnd(4))])
    case(op, [inp(rnd(3, 1)), inp(rnd(1, 4))])
    case(op, [inp(rnd(4, 3), view="t"), inp(rnd(2, 1, 4))])
case("add", [inp(rnd(0, 4)), inp(rnd(4))])
case("mul", [inp(rnd(3, 4)), inp(rnd(3, 4), grad=False)])
case("div", [inp(rnd(3, 4)), inp(away(3, 4))])
case("div", [inp(rnd(3, 4)), inp(away(4))])
case("div", [inp(rnd(3, 1)), inp(away(1, 4))])
case("pow_tensor", [inp(pos(3, 4)), inp(rnd(3, 4))])
case("pow_tensor", [inp(pos(3, 4)), inp(rnd(4))])
case("where", [inp(rnd(3, 4), grad=False), inp(rnd(3, 4)), inp(rnd(3, 4))])
case("where", [inp(rnd(3, 1), grad=False), inp(rnd(1, 4)), inp(rnd(4))])
for op, s in [("add_scalar", 1.5), ("sub_scalar", -0.25), ("mul_scalar", 3.0), ("div_scalar", 4.0), ("rsub_scalar", 2.0)]:
    case(op, [inp(rnd(3, 4))], s=s)
ints = lambda *s: torch.randint(-2, 3, tuple(s)).to(torch.float64)
for op in ["eq", "ne", "lt", "le", "gt", "ge"]:
    case(op, [inp(ints(3, 4), grad=False), inp(ints(4), grad=False)])

case("sum", [inp(rnd(3, 4))])
case("sum", [inp(rnd(3, 4))], dims=[1], keepdim=False)
case("sum", [inp(rnd(2, 3, 4))], dims=[0, 2], keepdim=True)
case("sum", [inp(rnd(4, 3), view="t")], dims=[0], keepdim=False)
case("sum", [inp(rnd(0, 3))], dims=[0], keepdim=False)
case("mean", [inp(rnd(3, 4))])
case("mean", [inp(rnd(2, 3, 4))], dims=[1], keepdim=True)
case("mean", [inp(rnd(2, 3, 4))], dims=[-1, 0], keepdim=False)
case("max", [inp(rnd(3, 4))])
case("max", [inp(rnd(3, 4))], dim=1, keepdim=False)
case("max", [inp(rnd(2, 3, 4))], dim=0, keepdim=True)
case("max", [inp(torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.5]], dtype=torch.float64))])
case("min", [inp(rnd(3, 4))])
case("min", [inp(rnd(3, 4))], dim=0, keepdim=False)
case("argmax", [inp(rnd(3, 4), grad=False)], dim=1, keepdim=False)
case("argmax", [inp(rnd(2, 3, 4), grad=False)], dim=0, keepdim=True)
case("argmin", [inp(rnd(3, 4), grad=False)], dim=1, keepdim=True)
case("var", [inp(rnd(3, 4))])
case("var", [inp(rnd(3, 4))], dims=[1], correction=1, keepdim=False)
case("var", [inp(rnd(2, 3, 4))], dims=[0, 2], correction=0, keepdim=True)
case("std", [inp(rnd(3, 4))])
case("std", [inp(rnd(3, 4))], dims=[0], correction=1, keepdim=True)
case("logsumexp", [inp(rnd(3, 4))], dims=[1], keepdim=False)
case("logsumexp", [inp(rnd(2, 3, 4) * 50)], dims=[0, 2], keepdim=True)

case("matmul", [inp(rnd(3)), inp(rnd(3))])
case("matmul", [inp(rnd(2, 3)), inp(rnd(3))])
case("matmul", [inp(rnd(3)), inp(rnd(3, 4))])
case("matmul", [inp(rnd(2, 3)), inp(rnd(3, 4))])
case("matmul", [inp(rnd(3, 2), view="t"), inp(rnd(4, 3), view="t")])
case("matmul", [inp(rnd(2, 2, 3)), inp(rnd(3, 4))])
case("matmul", [inp(rnd(2, 1, 2, 3)), inp(rnd(3, 3, 2))])
case("matmul", [inp(rnd(0, 3)), inp(rnd(3, 2))])
case("matmul", [inp(rnd(5, 17)), inp(rnd(17, 33))])

case("reshape", [inp(rnd(3, 4))], shape=[2, -1])
case("reshape", [inp(rnd(4, 3), view="t")], shape=[12])
case("transpose", [inp(rnd(2, 3, 4))], d0=0, d1=2)
case("permute", [inp(rnd(2, 3, 4))], dims=[2, 0, 1])
case("t", [inp(rnd(3, 4))])
case("T", [inp(rnd(2, 3, 4))])
case("squeeze", [inp(rnd(3, 1, 4, 1))])
case("squeeze", [inp(rnd(3, 1, 4))], dim=1)
case("unsqueeze", [inp(rnd(3, 4))], dim=1)
case("unsqueeze", [inp(rnd(3, 4))], dim=-1)
case("expand", [inp(rnd(3, 1))], shape=[2, 3, 4])
case("flatten", [inp(rnd(2, 3, 4))], start=1, end=2)
case("narrow", [inp(rnd(4, 5))], dim=1, start=1, length=3)
case("slice", [inp(rnd(4, 7))], dim=1, start=1, end=6, step=2)
case("slice", [inp(rnd(6, 3))], dim=0, start=-4, end=100, step=1)
case("select", [inp(rnd(3, 4))], dim=0, index=1)
case("select", [inp(rnd(2, 3, 4))], dim=-1, index=-1)
case("index", [inp(rnd(5, 3)), inp(torch.tensor([4, 0, 4, 2]), grad=False)])
case("index", [inp(rnd(5, 3)), inp(torch.tensor([[1, 2], [0, 1]]), grad=False)])
case("index_select", [inp(rnd(3, 5)), inp(torch.tensor([4, 1, 1]), grad=False)], dim=1)
case("gather", [inp(rnd(3, 5)), inp(torch.tensor([[0], [4], [2]]), grad=False)], dim=1)
case("gather", [inp(rnd(3, 4)), inp(torch.tensor([[0, 1, 2, 0], [2, 2, 1, 0]]), grad=False)], dim=0)
case("cat", [inp(rnd(2, 3)), inp(rnd(4, 3)), inp(rnd(0, 3))], dim=0)
case("cat", [inp(rnd(2, 3)), inp(rnd(3, 2), view="t")], dim=1)
case("stack", [inp(rnd(2, 3)), inp(rnd(2, 3))], dim=1)
case("contiguous", [inp(rnd(4, 3), view="t")])
case("clone", [inp(rnd(2, 3))])

case("conv2d", [inp(rnd(2, 3, 6, 5)), inp(rnd(4, 3, 3, 3)), inp(rnd(4))], stride=[1, 1], padding=[1, 1], dilation=[1, 1])
case("conv2d", [inp(rnd(1, 2, 7, 7)), inp(rnd(3, 2, 3, 2))], stride=[2, 1], padding=[0, 1], dilation=[1, 1])
case("conv2d", [inp(rnd(2, 2, 8, 8)), inp(rnd(2, 2, 3, 3)), inp(rnd(2))], stride=[1, 2], padding=[2, 2], dilation=[2, 2])
case("conv2d", [inp(rnd(3, 1, 5, 5)), inp(rnd(5, 1, 1, 1)), inp(rnd(5))], stride=[1, 1], padding=[0, 0], dilation=[1, 1])
case("conv2d_relu", [inp(rnd(2, 3, 6, 5)), inp(rnd(4, 3, 3, 3)), inp(rnd(4))], stride=[1, 1], padding=[1, 1], dilation=[1, 1])
case("conv2d_relu", [inp(rnd(3, 2, 7, 7)), inp(rnd(3, 2, 3, 2))], stride=[2, 1], padding=[0, 1], dilation=[1, 1])
case("conv2d_relu_max_pool2d", [inp(rnd(2, 3, 6, 6)), inp(rnd(4, 3, 3, 3)), inp(rnd(4))], stride=[1, 1], padding=[1, 1], dilation=[1, 1])
case("conv2d_relu_max_pool2d", [inp(rnd(17, 2, 9, 7)), inp(rnd(3, 2, 2, 2))], stride=[1, 1], padding=[0, 0], dilation=[1, 1])
case("conv2d_relu_max_pool2d", [inp(rnd(1, 2, 7, 7)), inp(rnd(2, 2, 3, 3)), inp(rnd(2))], stride=[1, 1], padding=[0, 0], dilation=[1, 1])
case("max_pool2d", [inp(rnd(2, 3, 6, 6))], kernel=[2, 2], stride=[2, 2], padding=[0, 0], dilation=[1, 1])
case("max_pool2d", [inp(rnd(1, 2, 7, 5))], kernel=[3, 3], stride=[2, 1], padding=[1, 1], dilation=[1, 1])
case("max_pool2d", [inp(rnd(1, 1, 9, 9))], kernel=[2, 3], stride=[1, 2], padding=[1, 0], dilation=[2, 1])
case("avg_pool2d", [inp(rnd(2, 3, 6, 6))], kernel=[2, 2], stride=[2, 2], padding=[0, 0])
case("avg_pool2d", [inp(rnd(1, 2, 7, 5))], kernel=[3, 3], stride=[2, 1], padding=[1, 1])
# cases added later draw their inputs from their own generator, so that the global stream (and every case above) stays
_later = torch.Generator().manual_seed(99)
case("softplus", [inp(torch.cat([torch.tensor([0.0, -15.0, 15.0], dtype=torch.float64), torch.randn(9, generator=_later, dtype=torch.float64) * 4]).reshape(3, 4))])
case("softplus", [inp((torch.randn(4, 3, generator=_later, dtype=torch.float64) * 4), view="t")])


def tensor_json(t):
    t = t.detach()
    d = {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", "")}
    if t.dtype == torch.bool:
        d["data"] = [bool(v) for v in t.reshape(-1).tolist()]
    elif t.dtype.is_floating_point:
        d["data"] = [float(v) for v in t.reshape(-1).tolist()]
    else:
        d["data"] = [int(v) for v in t.reshape(-1).tolist()]
    return d


out = []
for c in CASES:
    leaves = []
    views = []
    for i in c["inputs"]:
        leaf = i["data"].clone().requires_grad_(i["grad"])
        leaves.append(leaf)
        views.append(apply_view(leaf, i["view"]))
    y = run(c["op"], views, c["args"])
    entry = {
        "op": c["op"], "args": c["args"],
        "inputs": [dict(tensor_json(i["data"]), grad=i["grad"], view=i["view"]) for i in c["inputs"]],
        "output": tensor_json(y),
    }
    wrt = [l for l in leaves if l.requires_grad]
    if y.dtype.is_floating_point and wrt:
        gout = torch.randn(y.shape, dtype=torch.float64)
        grads = torch.autograd.grad(y, wrt, gout, allow_unused=True)
        entry["grad_output"] = tensor_json(gout)
        gi = iter(grads)
        entry["grads"] = [tensor_json(next(gi)) if l.requires_grad else None for l in leaves]
    out.append(entry)

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
path = os.path.join(root, "nabla-core", "src", "test", "resources", "golden", "ops.json")
with open(path + ".tmp", "w") as f:
    json.dump({"generator": "tools/torch-golden/gen_ops.py", "torch": torch.__version__, "cases": out}, f)
os.replace(path + ".tmp", path)
print(f"wrote {len(out)} cases for {len(set(c['op'] for c in out))} ops to {path}")
