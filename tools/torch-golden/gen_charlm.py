#!/usr/bin/env python3
"""The char-LM's PyTorch twin: a fixture for Nabla's loss-parity test, and PyTorch's training speed for BENCHMARKS.md.

Run with Debian's python3-torch:
  /usr/bin/python3 tools/torch-golden/gen_charlm.py          writes nabla-examples/src/test/resources/charlm/
  /usr/bin/python3 tools/torch-golden/gen_charlm.py --bench   prints PyTorch's training tokens/s for the example's
                                                              reference configuration (fortunes-min text)

The fixture: the same GPT as Nabla's dev.nabla.models.CharGPT (token and position embeddings, pre-norm
TransformerEncoderLayers with GELU and a causal mask, LayerNorm, linear head; dropout 0 so that both are
deterministic), its initial weights (charlm_init.safetensors), five batches of a fixed text and the losses of five Adam
steps (lr 1e-2) with gradient-norm clipping at 1.0 (charlm_steps.safetensors).
"""
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

import safetensors_io

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "nabla-examples", "src", "test", "resources", "charlm")
TEXT = ("It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of foolishness, "
        "it was the epoch of belief, it was the epoch of incredulity, it was the season of Light, it was the season of "
        "Darkness, it was the spring of hope, it was the winter of despair.\n")


class CharGPT(nn.Module):
    def __init__(self, vocab, context, d, heads, layers, ff, dropout):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(context, d)
        self.blocks = nn.ModuleList([nn.TransformerEncoderLayer(d, heads, ff, dropout, activation="gelu",
                                                                batch_first=True, norm_first=True)
                                     for _ in range(layers)])
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)
        for k, p in self.named_parameters():
            if k.endswith("bias"):
                nn.init.zeros_(p)
            elif "norm" not in k:
                nn.init.normal_(p, 0, 0.02)

    def forward(self, ids):
        t = ids.size(1)
        x = self.tok(ids) + self.pos(torch.arange(t))
        mask = torch.ones(t, t, dtype=torch.bool).triu(1)
        for b in self.blocks:
            x = b(x, src_mask=mask)
        return self.head(self.norm(x))


class CharLSTM(nn.Module):
    def __init__(self, vocab, hidden, layers, dropout):
        super().__init__()
        self.tok = nn.Embedding(vocab, hidden)
        self.lstm = nn.LSTM(hidden, hidden, layers, batch_first=True, dropout=dropout)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, ids):
        return self.head(self.lstm(self.tok(ids))[0])


def windows(ids, context, batch):
    """batch random windows of context ids and their next-id targets."""
    starts = torch.randint(0, len(ids) - context - 1, (batch,))
    return (torch.stack([ids[i:i + context] for i in starts]),
            torch.stack([ids[i + 1:i + context + 1] for i in starts]))


def fixture():
    torch.manual_seed(3)
    vocab = sorted(set(TEXT))
    ids = torch.tensor([vocab.index(c) for c in TEXT])
    context, batch = 16, 4
    model = CharGPT(len(vocab), context, 32, 4, 4, 64, 0.0)
    os.makedirs(OUT, exist_ok=True)
    safetensors_io.save(os.path.join(OUT, "charlm_init.safetensors"), model.state_dict(),
                        {"vocab": "".join(vocab), "context": context, "d_model": 32, "heads": 4, "layers": 4, "ff": 64})
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    steps = {}
    losses = []
    for s in range(5):
        x, y = windows(ids, context, batch)
        opt.zero_grad()
        loss = F.cross_entropy(model(x).reshape(-1, len(vocab)), y.reshape(-1))
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        steps[f"inputs.{s}"], steps[f"targets.{s}"] = x, y
        losses.append(float(loss))
    steps["losses"] = torch.tensor(losses, dtype=torch.float64)
    safetensors_io.save(os.path.join(OUT, "charlm_steps.safetensors"), steps, {"generator": "gen_charlm.py"})
    print("wrote", OUT, "losses", losses)


def bench():
    text = "".join(open(os.path.join("/usr/share/games/fortunes", f), encoding="utf-8").read()
                   for f in sorted(os.listdir("/usr/share/games/fortunes"))
                   if not f.endswith(".dat") and not f.endswith(".u8"))
    vocab = sorted(set(text))
    ids = torch.tensor([vocab.index(c) for c in text])
    context, batch = 64, 32
    torch.manual_seed(1)
    for name, model in (("gpt", CharGPT(len(vocab), context, 64, 4, 4, 256, 0.1)),
                        ("lstm", CharLSTM(len(vocab), 256, 2, 0.1))):
        opt = torch.optim.Adam(model.parameters(), lr=3e-3)
        for threads in sorted({1, 2}):
            torch.set_num_threads(threads)
            best = 0
            for rnd in range(3):
                model.train()
                t0, steps = time.perf_counter(), 20
                for _ in range(steps):
                    x, y = windows(ids, context, batch)
                    opt.zero_grad()
                    loss = F.cross_entropy(model(x).reshape(-1, len(vocab)), y.reshape(-1))
                    loss.backward()
                    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                    opt.step()
                best = max(best, steps * batch * context / (time.perf_counter() - t0))
            # sampling as the Nabla example does it: 160 characters, the whole (cropped) context each time
            model.eval()
            gen = 0
            with torch.no_grad():
                for rnd in range(3):
                    out = [0]
                    t0 = time.perf_counter()
                    for _ in range(160):
                        ctx = torch.tensor([out[-context:]])
                        p = torch.softmax(model(ctx)[0, -1] / 0.8, -1)
                        out.append(int(torch.multinomial(p, 1)))
                    gen = max(gen, 160 / (time.perf_counter() - t0))
            print(f"PyTorch {torch.__version__}, {name}, {threads} thread(s): training {best:,.0f} tokens/s (best of 3 x"
                  f" 20 steps), sampling {gen:,.0f} characters/s")


if __name__ == "__main__":
    bench() if "--bench" in sys.argv else fixture()
