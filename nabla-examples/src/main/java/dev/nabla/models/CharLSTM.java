package dev.nabla.models;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.nn.Embedding;
import dev.nabla.nn.LSTM;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Module;

/**
 * The recurrent counterpart of {@link CharGPT} for the char-LM: an embedding, a multi-layer LSTM (batch first) and a
 * linear head. Shape: int64 ids [N, T] → logits [N, T, vocab].
 */
public final class CharLSTM extends Module {
    private final Embedding tok;
    private final LSTM lstm;
    private final Linear head;

    /** vocab characters, embeddings and hidden states of size hidden, layers stacked LSTM layers. */
    public CharLSTM(int vocab, int hidden, int layers, double dropout, Generator g, DType dtype) {
        tok = child("tok", new Embedding(vocab, hidden, null, g, dtype));
        lstm = child("lstm", new LSTM(hidden, hidden, layers, true, true, dropout, false, g, dtype));
        head = child("head", new Linear(hidden, vocab, true, g, dtype));
    }

    @Override
    public Tensor forward(Tensor ids) {
        expectInput(ids, "[N, T] int64", ids.rank() == 2);
        return head.call(lstm.call(tok.call(ids)));
    }
}
