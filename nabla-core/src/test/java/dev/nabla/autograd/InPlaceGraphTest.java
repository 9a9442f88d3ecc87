package dev.nabla.autograd;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.testing.Golden;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 item 7: in-place ops on tensors that are part of the graph, and on views of them, rebase the history as
 * PyTorch does (golden/edges.json "inplace": the same programs run by PyTorch 1.13, values and gradients or its error).
 */
class InPlaceGraphTest {
    interface Program {
        Tensor run(Tensor x, Tensor w, Tensor c);
    }

    private static Program program(String name) {
        return switch (name) {
            case "strided_slice" ->
                (x, w, c) -> { // y = x * 2; y[:, ::2] *= 3
                    Tensor y = x.mul(2.0);
                    y.slice(1, 0, 4, 2).mul_(3.0);
                    return y.mul(c).sum();
                };
            case "whole" ->
                (x, w, c) -> {
                    Tensor y = x.mul(w);
                    y.add_(1.0);
                    return y.mul(y).mul(c).sum();
                };
            case "view_then_use" ->
                (x, w, c) -> {
                    Tensor y = x.mul(w);
                    Tensor v = y.select(1, 1);
                    v.add_(5.0);
                    return v.mul(3.0).sum().add(y.mul(c).sum());
                };
            case "copy_into_plain" ->
                (x, w, c) -> {
                    Tensor z = Tensor.zeros(DType.FLOAT64, 2, 4);
                    z.select(0, 0).copy_(x.select(0, 1).mul(w.select(0, 0)));
                    return z.mul(c).sum();
                };
            case "mul_by_graph_tensor" ->
                (x, w, c) -> {
                    Tensor y = x.add(1.0);
                    y.narrow(1, 1, 2).mul_(w.narrow(1, 0, 2));
                    return y.mul(c).sum();
                };
            case "exp_then_inplace" ->
                (x, w, c) -> {
                    Tensor y = x.exp();
                    y.mul_(2.0);
                    return y.sum();
                };
            default ->
                (x, w, c) -> {
                    x.add_(1.0);
                    return x.sum();
                };
        };
    }

    @Test
    void inPlaceOpsOnTheGraphMatchPyTorch() {
        int cases = 0;
        for (JsonNode r : Golden.json("edges.json").get("inplace")) {
            cases++;
            String name = r.get("name").asText();
            Tensor x = Golden.tensor(r.get("x"), DType.FLOAT64).requiresGrad_(true);
            Tensor w = Golden.tensor(r.get("w"), DType.FLOAT64).requiresGrad_(true);
            Tensor c = Golden.tensor(r.get("c"), DType.FLOAT64);
            if (r.has("error")) {
                RuntimeException e = assertThrows(
                        RuntimeException.class,
                        () -> {
                            Tensor out = program(name).run(x, w, c);
                            out.backward();
                        },
                        name);
                String torch = r.get("error").asText();
                String expected = torch.startsWith("one of the variables needed")
                        ? "one of the variables needed for gradient computation has been modified by an inplace operation"
                        : "a leaf tensor that requires grad";
                assertTrue(
                        e.getMessage().contains(expected), name + ": " + e.getMessage() + " (PyTorch: " + torch + ")");
                continue;
            }
            Tensor out = program(name).run(x, w, c);
            Golden.assertClose(name + " output", Golden.tensor(r.get("output"), DType.FLOAT64), out, 1e-12, 1e-12);
            out.backward();
            Golden.assertClose(
                    name + " grad x",
                    Golden.tensor(r.get("grad_x"), DType.FLOAT64),
                    x.grad() == null ? Tensor.zerosLike(x) : x.grad(),
                    1e-12,
                    1e-12);
            Golden.assertClose(
                    name + " grad w",
                    Golden.tensor(r.get("grad_w"), DType.FLOAT64),
                    w.grad() == null ? Tensor.zerosLike(w) : w.grad(),
                    1e-12,
                    1e-12);
        }
        assertEquals(7, cases);
    }

    @Test
    void doubleBackwardThroughARebasedViewIsRefusedClearly() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 4).requiresGrad_(true);
        Tensor y = x.mul(x);
        y.narrow(0, 1, 2).mul_(3.0);
        Tensor g = Autograd.grad(new Tensor[] {y.sum()}, new Tensor[] {x}, null, true, true, false)[0];
        assertArrayEquals(new double[] {2, 12, 18, 8}, g.toDoubleArray()); // d/dx of x², with the middle two tripled
        // the rebase's backward is a fixed linear map: with a constant incoming gradient the second order is right
        Tensor h = Autograd.grad(new Tensor[] {g.sum()}, new Tensor[] {x}, null, false, false, false)[0];
        assertArrayEquals(new double[] {2, 6, 6, 2}, h.toDoubleArray());
        // when the incoming gradient itself depends on x, differentiating through the rebase is refused by name
        Tensor x2 = Tensor.of(new double[] {1, 2, 3, 4}, 4).requiresGrad_(true);
        Tensor y2 = x2.mul(x2);
        y2.narrow(0, 1, 2).mul_(3.0);
        Tensor g2 = Autograd.grad(new Tensor[] {y2.mul(y2).sum()}, new Tensor[] {x2}, null, true, true, false)[0];
        UnsupportedOperationException e = assertThrows(
                UnsupportedOperationException.class,
                () -> Autograd.grad(new Tensor[] {g2.sum()}, new Tensor[] {x2}, null, false, false, false));
        assertTrue(
                e.getMessage().startsWith("copy_slices: double backward")
                        || e.getMessage().startsWith("as_strided: double backward"),
                e.getMessage());
    }

    @Test
    void outsideTheGraphInPlaceOpsStayPlainWrites() {
        Tensor t = Tensor.of(new double[] {1, 2, 3}, 3);
        t.narrow(0, 1, 2).mul_(10.0);
        assertArrayEquals(new double[] {1, 20, 30}, t.toDoubleArray());
        assertFalse(t.requiresGrad());
        assertEquals(1, t.version());
    }
}
