#!/usr/bin/env python3
"""The other direction of the state-dict round trip: PyTorch loads a state dict that Nabla wrote.

After `scripts/test` (ReferenceCnnTest writes nabla-core/target/nabla-written/), run with Debian's python3-torch:
    /usr/bin/python3 tools/torch-golden/check_nabla_file.py
It loads Nabla's cnn_state.safetensors strictly into PyTorch's reference CNN and compares PyTorch's logits for the
fixture batch with the logits Nabla computed for the same weights. Exit status 1 on a mismatch.
"""
import os
import sys

import torch

import safetensors_io
from gen_nn import ReferenceCNN  # noqa: E402  (regenerates nothing: gen_nn guards its main part)

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..", "..")
written = os.path.join(root, "nabla-core", "target", "nabla-written")
state = safetensors_io.load(os.path.join(written, "cnn_state.safetensors"))
model = ReferenceCNN()
model.load_state_dict(state, strict=True)
model.eval()
batch = safetensors_io.load(os.path.join(root, "nabla-core", "src", "test", "resources", "golden", "cnn_batch.safetensors"))
with torch.no_grad():
    logits = model(batch["input"])
nabla = safetensors_io.load(os.path.join(written, "cnn_logits.safetensors"))["logits"]
diff = (logits - nabla).abs().max().item()
print(f"PyTorch loaded Nabla's state dict ({len(state)} tensors); max |logits difference| = {diff:.3g}")
sys.exit(0 if diff < 1e-4 else 1)
