#!/usr/bin/env python3
"""ONNX fixtures for nabla-onnx's import tests, written by PyTorch's own exporter, and the checker for Nabla's exports.

Run with Debian's python3-torch and python3-onnx:
  /usr/bin/python3 tools/torch-golden/gen_onnx.py            writes the fixtures below
  /usr/bin/python3 tools/torch-golden/gen_onnx.py --check F...  validates ONNX files that Nabla wrote (onnx.checker with
                                                                 full_check, i.e. with shape inference)

Writes into nabla-onnx/src/test/resources/onnx/:
- torch_reference_cnn.onnx: the reference CNN with the weights of nabla-core's golden cnn_state.safetensors, exported
  by torch.onnx.export (opset 17, dynamic batch); its logits on cnn_batch.safetensors' input are in that file.
- torch_zoo.onnx and torch_zoo_io.safetensors: a model of the other ops PyTorch writes for common layers (BatchNorm in
  eval with running statistics, average pools, GELU, sigmoid, tanh, x.view(x.size(0), -1) as Shape/Gather/Unsqueeze/
  Concat/Reshape, Pad before AveragePool, softmax, log-softmax, transpose, mean), with an input batch and PyTorch's output.
"""
import os
import sys

import onnx
import torch
import torch.nn as nn

import safetensors_io
from gen_nn import ReferenceCNN

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
GOLDEN = os.path.join(ROOT, "nabla-core", "src", "test", "resources", "golden")
OUT = os.path.join(ROOT, "nabla-onnx", "src", "test", "resources", "onnx")


class Zoo(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1, stride=1)
        self.bn = nn.BatchNorm2d(8)
        self.pool = nn.AvgPool2d(2)
        self.conv2 = nn.Conv2d(8, 6, 3, padding=0, dilation=1, groups=2)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(6 * 3 * 3, 16)
        self.bn1 = nn.BatchNorm1d(16)  # after a Gemm: not folded away, so a BatchNormalization node stays
        self.head = nn.Linear(16, 5)

    def forward(self, x):
        x = self.pool(torch.nn.functional.gelu(self.bn(self.conv(x))))
        y = torch.sigmoid(self.conv2(x))                    # [N, 6, 3, 3]
        g = self.gap(y)                                      # [N, 6, 1, 1]
        y = y * g + torch.tanh(y)
        y = y.view(y.size(0), -1)                            # Shape, Gather, Unsqueeze, Concat, Reshape
        h = torch.relu(self.bn1(self.fc(y)))
        h = h - h.mean(dim=1, keepdim=True)
        p = torch.softmax(self.head(h), dim=1)
        return torch.log_softmax(self.head(h), dim=1) + p.transpose(0, 1).transpose(0, 1)


def export(model, x, path, output):
    model.eval()
    torch.onnx.export(model, x, path, opset_version=17, input_names=["input"], output_names=[output],
                      dynamic_axes={"input": {0: "batch"}, output: {0: "batch"}}, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path), full_check=True)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--check":
        for path in sys.argv[2:]:
            m = onnx.load(path)
            onnx.checker.check_model(m, full_check=True)
            ops = sorted({n.op_type for n in m.graph.node})
            print(f"{path}: valid (IR {m.ir_version}, opset {m.opset_import[0].version}, {len(m.graph.node)} nodes: {', '.join(ops)})")
        return
    os.makedirs(OUT, exist_ok=True)
    cnn = ReferenceCNN()
    cnn.load_state_dict(safetensors_io.load(os.path.join(GOLDEN, "cnn_state.safetensors")))
    batch = safetensors_io.load(os.path.join(GOLDEN, "cnn_batch.safetensors"))
    export(cnn, batch["input"], os.path.join(OUT, "torch_reference_cnn.onnx"), "logits")
    with torch.no_grad():
        assert torch.allclose(cnn(batch["input"]), batch["logits"], atol=1e-5)

    torch.manual_seed(5)
    zoo = Zoo()
    with torch.no_grad():  # running statistics other than 0 and 1, so that eval-mode BatchNorm does something
        zoo.bn.running_mean.copy_(torch.randn(8) * 0.1)
        zoo.bn.running_var.copy_(torch.rand(8) + 0.5)
        zoo.bn.weight.copy_(torch.rand(8) + 0.5)
        zoo.bn.bias.copy_(torch.randn(8) * 0.1)
        zoo.bn1.running_mean.copy_(torch.randn(16) * 0.1)
        zoo.bn1.running_var.copy_(torch.rand(16) + 0.5)
    zoo.eval()
    x = torch.randn(4, 3, 10, 10)
    export(zoo, x, os.path.join(OUT, "torch_zoo.onnx"), "output")
    x2 = torch.randn(3, 3, 10, 10)
    with torch.no_grad():
        safetensors_io.save(os.path.join(OUT, "torch_zoo_io.safetensors"),
                            {"input": x2, "output": zoo(x2)}, {"generator": "tools/torch-golden/gen_onnx.py"})
    for f in sorted(os.listdir(OUT)):
        print("wrote", os.path.join(OUT, f), os.path.getsize(os.path.join(OUT, f)), "bytes")


if __name__ == "__main__":
    main()
