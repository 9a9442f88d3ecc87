package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Shape;
import dev.nabla.Tensor;

/**
 * The recurrent layers ({@link RNN}, {@link LSTM}, {@link GRU}) with PyTorch's parameters, gate order and layout:
 * per layer l and direction ({@code _reverse} for the backward one) {@code weight_ih_l<l>} [gates·H, in],
 * {@code weight_hh_l<l>} [gates·H, H], {@code bias_ih_l<l>}, {@code bias_hh_l<l>} [gates·H], drawn from
 * U(−1/√H, 1/√H); gates i, f, g, o (LSTM) and r, z, n (GRU). Input [L, N, in], or [N, L, in] with batchFirst;
 * states [layers·directions, N, H].
 *
 * <p>Sequences of different lengths: pass their lengths and the outputs past each sequence's end are zero and the
 * final states are those at its last element, as PyTorch's packed sequences give them ({@code pack_padded_sequence}
 * then {@code pad_packed_sequence}); the reverse direction starts at each sequence's own last element.
 */
public abstract class Recurrent extends Module {
    /** The cell of the layer. */
    enum Cell {
        TANH(1),
        RELU(1),
        LSTM(4),
        GRU(3);

        final int gates;

        Cell(int gates) {
            this.gates = gates;
        }
    }

    /** The output of every step of the last layer, and the final states (cN null but for LSTM). */
    public record Output(Tensor output, Tensor hN, Tensor cN) {}

    private final Cell cell;
    /** Input features, hidden size and number of stacked layers. */
    public final int inputSize, hiddenSize, numLayers;

    private final boolean bias, batchFirst, bidirectional;
    private final double dropout;
    private final Generator generator;

    Recurrent(
            Cell cell,
            int inputSize,
            int hiddenSize,
            int numLayers,
            boolean bias,
            boolean batchFirst,
            double dropout,
            boolean bidirectional,
            Generator g,
            DType dtype) {
        String name = getClass().getSimpleName();
        if (inputSize <= 0 || hiddenSize <= 0 || numLayers <= 0)
            throw new IllegalArgumentException(name + ": input_size, hidden_size and num_layers must be positive, got "
                    + inputSize + ", " + hiddenSize + ", " + numLayers);
        if (dropout < 0 || dropout > 1)
            throw new IllegalArgumentException(name + ": dropout must be in [0, 1], got " + dropout);
        this.cell = cell;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.bias = bias;
        this.batchFirst = batchFirst;
        this.dropout = dropout;
        this.bidirectional = bidirectional;
        this.generator = g;
        double k = 1 / Math.sqrt(hiddenSize);
        int rows = cell.gates * hiddenSize;
        for (int l = 0; l < numLayers; l++)
            for (int d = 0; d < directions(); d++) {
                int in = l == 0 ? inputSize : hiddenSize * directions();
                String s = "_l" + l + (d == 1 ? "_reverse" : "");
                Init.uniform_(param("weight_ih" + s, Tensor.zeros(dtype, rows, in)), -k, k, g);
                Init.uniform_(param("weight_hh" + s, Tensor.zeros(dtype, rows, hiddenSize)), -k, k, g);
                if (bias) {
                    Init.uniform_(param("bias_ih" + s, Tensor.zeros(dtype, rows)), -k, k, g);
                    Init.uniform_(param("bias_hh" + s, Tensor.zeros(dtype, rows)), -k, k, g);
                }
            }
    }

    private int directions() {
        return bidirectional ? 2 : 1;
    }

    /** The outputs of the last layer at every step ([L, N, directions·H], or [N, L, ...] with batchFirst). */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null, null, null).output();
    }

    /**
     * The full form: initial states h0 (and c0 for LSTM) [layers·directions, N, H] or null for zeros, and the
     * sequences' lengths (null: all of length L).
     */
    public Output forward(Tensor input, Tensor h0, Tensor c0, int[] lengths) {
        expectInput(
                input,
                batchFirst ? "[N, L, " + inputSize + "]" : "[L, N, " + inputSize + "]",
                input.rank() == 3 && input.size(2) == inputSize);
        Tensor x = batchFirst ? input.transpose(0, 1) : input; // [L, N, in]
        int steps = x.size(0), n = x.size(1), h = hiddenSize, states = numLayers * directions();
        int[] stateShape = {states, n, h};
        h0 = checkState("h0", h0, stateShape, x);
        if (cell == Cell.LSTM) c0 = checkState("c0", c0, stateShape, x);
        else if (c0 != null) throw new IllegalArgumentException(where() + ": c0 is for LSTM only");
        Tensor[] masks = lengths == null ? null : masks(lengths, steps, n, x.dtype());
        Tensor[] hN = new Tensor[states], cN = new Tensor[states];
        Tensor layerInput = x;
        for (int l = 0; l < numLayers; l++) {
            Tensor[] outs = new Tensor[directions()];
            for (int d = 0; d < directions(); d++) {
                int si = l * directions() + d;
                String s = "_l" + l + (d == 1 ? "_reverse" : "");
                Tensor[] result = direction(
                        layerInput, s, d == 1, h0.select(0, si), cell == Cell.LSTM ? c0.select(0, si) : null, masks);
                outs[d] = result[0];
                hN[si] = result[1];
                cN[si] = result[2];
            }
            layerInput = outs.length == 1 ? outs[0] : Tensor.cat(outs, 2);
            if (dropout > 0 && isTraining() && l < numLayers - 1)
                layerInput = F.dropout(layerInput, dropout, true, generator);
        }
        Tensor out = batchFirst ? layerInput.transpose(0, 1) : layerInput;
        return new Output(out, Tensor.stack(hN, 0), cell == Cell.LSTM ? Tensor.stack(cN, 0) : null);
    }

    private Tensor checkState(String name, Tensor s, int[] shape, Tensor x) {
        if (s == null) return Tensor.zeros(x.dtype(), shape);
        if (!java.util.Arrays.equals(s.shape(), shape))
            throw new IllegalArgumentException(where() + ": expected " + name + " of shape " + Shape.str(shape)
                    + " (layers·directions, N, hidden), got " + Shape.str(s.shape()));
        return s;
    }

    /** masks[t]: [N, 1], 1 where step t is inside the sequence. */
    private Tensor[] masks(int[] lengths, int steps, int n, DType dtype) {
        if (lengths.length != n)
            throw new IllegalArgumentException(
                    where() + ": " + lengths.length + " lengths for a batch of " + n + " sequences");
        Tensor[] m = new Tensor[steps];
        for (int t = 0; t < steps; t++) {
            boolean[] inside = new boolean[n];
            for (int b = 0; b < n; b++) {
                if (lengths[b] < 1 || lengths[b] > steps)
                    throw new IllegalArgumentException(
                            where() + ": length " + lengths[b] + " of sequence " + b + " is outside 1.." + steps);
                inside[b] = t < lengths[b];
            }
            m[t] = Tensor.of(inside, n, 1);
        }
        return m;
    }

    /** One direction of one layer: {outputs [L, N, H], h at the end, c at the end (LSTM)}. */
    private Tensor[] direction(Tensor x, String s, boolean reverse, Tensor h, Tensor c, Tensor[] masks) {
        int steps = x.size(0), n = x.size(1);
        Tensor wih = parameter("weight_ih" + s), whh = parameter("weight_hh" + s);
        Tensor bih = parameter("bias_ih" + s), bhh = parameter("bias_hh" + s);
        // the input projections of all steps in one product: [L·N, in] → [L, N, gates·H]
        Tensor xw = F.linear(x.reshape(steps * n, x.size(2)), wih, bih).reshape(steps, n, -1);
        Tensor[] outs = new Tensor[steps];
        Tensor zero = null;
        for (int k = 0; k < steps; k++) {
            int t = reverse ? steps - 1 - k : k;
            Tensor gi = xw.select(0, t), gh = F.linear(h, whh, bhh);
            Tensor hNew, cNew = null;
            int hs = hiddenSize;
            switch (cell) {
                case TANH -> hNew = gi.add(gh).tanh();
                case RELU -> hNew = gi.add(gh).relu();
                case LSTM -> {
                    Tensor gates = gi.add(gh);
                    Tensor i = gates.narrow(1, 0, hs).sigmoid(),
                            f = gates.narrow(1, hs, hs).sigmoid();
                    Tensor g = gates.narrow(1, 2 * hs, hs).tanh(),
                            o = gates.narrow(1, 3 * hs, hs).sigmoid();
                    cNew = f.mul(c).add(i.mul(g));
                    hNew = o.mul(cNew.tanh());
                }
                default -> { // GRU
                    Tensor r = gi.narrow(1, 0, hs).add(gh.narrow(1, 0, hs)).sigmoid();
                    Tensor z = gi.narrow(1, hs, hs).add(gh.narrow(1, hs, hs)).sigmoid();
                    Tensor nn = gi.narrow(1, 2 * hs, hs)
                            .add(r.mul(gh.narrow(1, 2 * hs, hs)))
                            .tanh();
                    hNew = z.rsub(1.0).mul(nn).add(z.mul(h));
                }
            }
            if (masks != null) { // past a sequence's end: the state stays, the output is zero
                Tensor m = masks[t];
                if (zero == null) zero = Tensor.zeros(hNew.dtype());
                outs[t] = Tensor.where(m, hNew, zero);
                h = Tensor.where(m, hNew, h);
                if (c != null) c = Tensor.where(m, cNew, c);
            } else {
                outs[t] = hNew;
                h = hNew;
                c = cNew;
            }
        }
        return new Tensor[] {Tensor.stack(outs, 0), h, c};
    }

    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + ", num_layers=" + numLayers + (bias ? "" : ", bias=False")
                + (batchFirst ? ", batch_first=True" : "") + (dropout > 0 ? ", dropout=" + dropout : "")
                + (bidirectional ? ", bidirectional=True" : "");
    }
}
