#!/usr/bin/env python3
"""Golden values for Nabla's nn: layers, losses, optimizer trajectories and the reference CNN.

Run with Debian's python3-torch:  /usr/bin/python3 tools/torch-golden/gen_nn.py
Writes into nabla-core/src/test/resources/golden/: nn.json (layers, losses, optimizers; float64 unless noted),
cnn_state.safetensors (a PyTorch state dict of the reference CNN) and cnn_batch.safetensors (one batch with
PyTorch's logits, loss and every parameter gradient for those weights).
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

import safetensors_io

torch.manual_seed(2024)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "nabla-core", "src", "test", "resources", "golden")


def tj(t):
    t = t.detach()
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""),
            "data": [bool(v) if t.dtype == torch.bool else (int(v) if not t.dtype.is_floating_point else float(v)) for v in t.reshape(-1).tolist()]}


def state(m):
    return {k: tj(v) for k, v in m.state_dict().items()}


def grads(m):
    return {k: tj(p.grad) for k, p in m.named_parameters()}


# ------------------------------------------------------------------ the reference CNN
class ReferenceCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.classifier = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))

    def forward(self, x):
        return self.classifier(x)



def main():
    # ------------------------------------------------------------------ layers
    layers = []


    def layer_case(kind, module, x, train=True, **config):
        module = module.double()
        module.zero_grad(set_to_none=True)  # a module reused across cases must not accumulate gradients
        module.train(train)
        before = state(module)
        x = x.clone().requires_grad_(True)
        y = module(x)
        gout = torch.randn(y.shape, dtype=torch.float64)
        y.backward(gout)
        layers.append({"kind": kind, "config": config, "train": train, "state_before": before, "input": tj(x), "output": tj(y),
                       "grad_output": tj(gout), "grad_input": tj(x.grad), "param_grads": grads(module), "state_after": state(module)})


    x = torch.randn(4, 5, dtype=torch.float64)
    layer_case("Linear", nn.Linear(5, 3), x, in_features=5, out_features=3, bias=True)
    layer_case("Linear", nn.Linear(5, 2, bias=False), torch.randn(2, 3, 5, dtype=torch.float64), in_features=5, out_features=2, bias=False)
    for (cin, cout, k, s, p, d, bias, h, w) in [(1, 4, 3, 1, 1, 1, True, 6, 6), (3, 2, 3, 2, 0, 1, True, 7, 8), (2, 3, 2, 1, 2, 2, False, 5, 5), (4, 4, 1, 1, 0, 1, True, 3, 3)]:
        layer_case("Conv2d", nn.Conv2d(cin, cout, k, stride=s, padding=p, dilation=d, bias=bias), torch.randn(2, cin, h, w, dtype=torch.float64),
                   in_channels=cin, out_channels=cout, kernel=k, stride=s, padding=p, dilation=d, bias=bias)
    layer_case("MaxPool2d", nn.MaxPool2d(2), torch.randn(2, 3, 6, 6, dtype=torch.float64), kernel=2, stride=2, padding=0)
    layer_case("MaxPool2d", nn.MaxPool2d(3, stride=2, padding=1), torch.randn(1, 2, 7, 7, dtype=torch.float64), kernel=3, stride=2, padding=1)
    layer_case("AvgPool2d", nn.AvgPool2d(2), torch.randn(2, 3, 6, 6, dtype=torch.float64), kernel=2, stride=2, padding=0)
    layer_case("AvgPool2d", nn.AvgPool2d(3, stride=1, padding=1), torch.randn(1, 2, 5, 5, dtype=torch.float64), kernel=3, stride=1, padding=1)
    bn1 = nn.BatchNorm1d(3)
    with torch.no_grad():
        bn1.weight.copy_(torch.randn(3)); bn1.bias.copy_(torch.randn(3))
        bn1.running_mean.copy_(torch.randn(3)); bn1.running_var.copy_(torch.rand(3) + 0.5)
    layer_case("BatchNorm1d", bn1, torch.randn(6, 3, dtype=torch.float64) * 2 + 1, num_features=3)
    layer_case("BatchNorm1d", bn1, torch.randn(6, 3, dtype=torch.float64), train=False, num_features=3)
    bn2 = nn.BatchNorm2d(2)
    with torch.no_grad():
        bn2.weight.copy_(torch.randn(2)); bn2.bias.copy_(torch.randn(2))
    layer_case("BatchNorm2d", bn2, torch.randn(3, 2, 4, 4, dtype=torch.float64) * 3 - 1, num_features=2)
    layer_case("BatchNorm2d", bn2, torch.randn(3, 2, 4, 4, dtype=torch.float64), train=False, num_features=2)

    # ------------------------------------------------------------------ losses
    losses = []


    def loss_case(kind, fn, inp, target, **config):
        inp = inp.clone().requires_grad_(True)
        for red in ["mean", "sum", "none"]:
            out = fn(inp, target, red)
            gout = torch.randn(out.shape, dtype=torch.float64)
            g, = torch.autograd.grad(out, inp, gout)
            losses.append({"kind": kind, "config": config, "reduction": red, "input": tj(inp), "target": tj(target), "output": tj(out),
                           "grad_output": tj(gout), "grad_input": tj(g)})


    logits = torch.randn(5, 4, dtype=torch.float64) * 3
    labels = torch.tensor([0, 3, 1, 1, 2])
    probs = torch.softmax(torch.randn(5, 4, dtype=torch.float64), 1)
    weight = torch.tensor([0.5, 1.0, 2.0, 1.5], dtype=torch.float64)
    loss_case("MSELoss", lambda i, t, r: F.mse_loss(i, t, reduction=r), torch.randn(3, 4, dtype=torch.float64), torch.randn(3, 4, dtype=torch.float64))
    loss_case("HalfSquaredErrorLoss", lambda i, t, r: 0.5 * F.mse_loss(i, t, reduction=r), torch.randn(3, 4, dtype=torch.float64), torch.randn(3, 4, dtype=torch.float64))
    loss_case("CrossEntropyLoss", lambda i, t, r: F.cross_entropy(i, t, reduction=r), logits, labels)
    loss_case("CrossEntropyLoss", lambda i, t, r: F.cross_entropy(i * 100, t, reduction=r), logits, labels, scale=100)
    loss_case("CrossEntropyLoss", lambda i, t, r: F.cross_entropy(i, t, reduction=r, label_smoothing=0.1), logits, labels, label_smoothing=0.1)
    loss_case("CrossEntropyLoss", lambda i, t, r: F.cross_entropy(i, t, reduction=r, weight=weight), logits, labels, weight=weight.tolist())
    loss_case("CrossEntropyLoss", lambda i, t, r: F.cross_entropy(i, t, reduction=r), logits, probs)
    loss_case("CrossEntropyLoss", lambda i, t, r: F.cross_entropy(i, t, reduction=r, label_smoothing=0.2), logits, probs, label_smoothing=0.2)
    loss_case("CrossEntropyLoss", lambda i, t, r: F.cross_entropy(i, t, reduction=r), torch.randn(2, 3, 2, 2, dtype=torch.float64), torch.randint(0, 3, (2, 2, 2)))
    loss_case("NLLLoss", lambda i, t, r: F.nll_loss(torch.log_softmax(i, 1), t, reduction=r), logits, labels)
    loss_case("NLLLoss", lambda i, t, r: F.nll_loss(torch.log_softmax(i, 1), t, reduction=r, weight=weight), logits, labels, weight=weight.tolist())
    p01 = torch.rand(3, 4, dtype=torch.float64) * 0.9 + 0.05
    t01 = (torch.rand(3, 4) > 0.5).double()
    loss_case("BCELoss", lambda i, t, r: F.binary_cross_entropy(i, t, reduction=r), p01, t01)
    loss_case("BCEWithLogitsLoss", lambda i, t, r: F.binary_cross_entropy_with_logits(i, t, reduction=r), torch.randn(3, 4, dtype=torch.float64) * 30, t01)
    pw = torch.tensor([1.0, 2.0, 0.5, 3.0], dtype=torch.float64)
    loss_case("BCEWithLogitsLoss", lambda i, t, r: F.binary_cross_entropy_with_logits(i, t, reduction=r, pos_weight=pw), torch.randn(3, 4, dtype=torch.float64), t01, pos_weight=pw.tolist())
    pm = (torch.rand(3, 4) > 0.5).double() * 2 - 1
    loss_case("HingeLoss", lambda i, t, r: F.relu(1 - t * i) if r == "none" else (F.relu(1 - t * i).mean() if r == "mean" else F.relu(1 - t * i).sum()), torch.randn(3, 4, dtype=torch.float64) * 2, pm)
    loss_case("PerceptronLoss", lambda i, t, r: F.relu(-t * i) if r == "none" else (F.relu(-t * i).mean() if r == "mean" else F.relu(-t * i).sum()), torch.randn(3, 4, dtype=torch.float64) * 2, pm)

    # ------------------------------------------------------------------ optimizers: ten steps from identical weights (float32)
    optims = []
    mx = torch.randn(16, 4)
    my = torch.randn(16, 2)


    def make_mlp():
        torch.manual_seed(7)
        return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))


    init = {k: tj(v) for k, v in make_mlp().state_dict().items()}
    configs = [
        ("SGD", dict(lr=0.1, momentum=0.9)),
        ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
        ("SGD", dict(lr=0.1, momentum=0.5, dampening=0.3)),
        ("RMSprop", dict(lr=0.01)),
        ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.01)),
        ("Adam", dict(lr=0.01)),
        ("Adam", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True)),
        ("AdamW", dict(lr=0.01, weight_decay=0.1)),
    ]
    for name, kw in configs:
        m = make_mlp()
        opt = getattr(torch.optim, name)(m.parameters(), **kw)
        loss_trace = []
        for _ in range(10):
            opt.zero_grad()
            loss = F.mse_loss(m(mx), my)
            loss.backward()
            opt.step()
            loss_trace.append(float(loss))
        cfg = dict(kw)
        if "betas" in cfg:
            cfg["beta1"], cfg["beta2"] = cfg.pop("betas")
        optims.append({"optimizer": name, "config": cfg, "initial": init, "final": state(m), "losses": loss_trace})

    with open(os.path.join(OUT, "nn.json.tmp"), "w") as f:
        json.dump({"generator": "tools/torch-golden/gen_nn.py", "torch": torch.__version__, "layers": layers, "losses": losses,
                   "optimizers": optims, "optim_data": {"x": tj(mx), "y": tj(my)}}, f)
    os.replace(os.path.join(OUT, "nn.json.tmp"), os.path.join(OUT, "nn.json"))


    torch.manual_seed(11)
    cnn = ReferenceCNN()
    safetensors_io.save(os.path.join(OUT, "cnn_state.safetensors"), cnn.state_dict(), {"format": "pt", "model": "reference CNN"})
    cnn.eval()  # dropout off so the comparison is deterministic
    xb = torch.randn(8, 1, 28, 28)
    yb = torch.tensor([0, 1, 2, 3, 4, 5, 9, 7])
    logits = cnn(xb)
    loss = F.cross_entropy(logits, yb)
    loss.backward()
    batch = {"input": xb, "target": yb, "logits": logits.detach(), "loss": loss.detach().reshape(1)}
    for k, p in cnn.named_parameters():
        batch["grad." + k] = p.grad
    safetensors_io.save(os.path.join(OUT, "cnn_batch.safetensors"), batch)
    print("wrote", len(layers), "layer cases,", len(losses), "loss cases,", len(optims), "optimizer runs and the CNN fixtures to", OUT)


if __name__ == "__main__":
    main()
