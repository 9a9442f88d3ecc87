package dev.nabla;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class TensorTest {

    @Test
    void creationFunctions() {
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0}, Tensor.zeros(2, 3).toFloatArray());
        assertEquals(DType.FLOAT64, Tensor.ones(DType.FLOAT64, 2).dtype());
        assertArrayEquals(new float[] {7, 7}, Tensor.full(7, 2).toFloatArray());
        assertArrayEquals(new long[] {0, 1, 2, 3}, Tensor.arange(4).toLongArray());
        assertArrayEquals(
                new float[] {1, 1.5f, 2, 2.5f}, Tensor.arange(1, 3, 0.5).toFloatArray());
        assertArrayEquals(
                new float[] {0, 0.25f, 0.5f, 0.75f, 1}, Tensor.linspace(0, 1, 5).toFloatArray());
        assertArrayEquals(new float[] {1, 0, 0, 1}, Tensor.eye(2).toFloatArray());
        assertArrayEquals(new int[] {2, 3}, Tensor.zerosLike(Tensor.ones(2, 3)).shape());
        assertEquals(4.0, Tensor.onesLike(Tensor.ones(2, 2)).sum().item());
    }

    @Test
    void randomTensorsAreReproducibleFromTheirSeed() {
        assertArrayEquals(
                Tensor.randn(new Generator(42), 5).toFloatArray(),
                Tensor.randn(new Generator(42), 5).toFloatArray());
        assertFalse(java.util.Arrays.equals(
                Tensor.rand(new Generator(1), 5).toFloatArray(),
                Tensor.rand(new Generator(2), 5).toFloatArray()));
        Tensor r = Tensor.randint(new Generator(7), 3, 6, 1000);
        assertTrue(r.ge(3.0).toLongArray().length == 1000
                && r.min().item() >= 3
                && r.max().item() <= 5);
        Tensor n = Tensor.randn(new Generator(5), DType.FLOAT64, 20000);
        assertEquals(0.0, n.mean().item(), 0.03);
        assertEquals(1.0, n.std().item(), 0.03);
        Tensor b = Tensor.bernoulli(new Generator(3), 0.25, 20000);
        assertEquals(0.25, b.mean().item(), 0.02);
        Tensor u = Tensor.rand(new Generator(9), 10000);
        assertTrue(u.min().item() >= 0 && u.max().item() < 1);
    }

    @Test
    void dtypeConversions() {
        Tensor x = Tensor.of(new float[] {1.7f, -2.2f, 0f});
        assertArrayEquals(new long[] {1, -2, 0}, x.toLong().toLongArray());
        assertArrayEquals(new boolean[] {true, true, false}, x.toBool().toBooleanArray());
        assertEquals(DType.FLOAT64, x.toDouble().dtype());
        assertEquals(DType.FLOAT32, Tensor.arange(3).div(2.0).dtype(), "true division of int64 gives float32");
        assertEquals(DType.INT64, Tensor.arange(3).add(Tensor.arange(3)).dtype());
        assertEquals(
                DType.FLOAT64, Tensor.ones(2).add(Tensor.ones(DType.FLOAT64, 2)).dtype());
    }

    @Test
    void viewsShareStorage() {
        Tensor x = Tensor.zeros(2, 3);
        Tensor v = x.view(3, 2);
        Tensor t = x.t();
        Tensor row = x.select(0, 1);
        row.fill_(5);
        assertArrayEquals(new float[] {0, 0, 0, 5, 5, 5}, x.toFloatArray());
        assertArrayEquals(new float[] {0, 0, 0, 5, 5, 5}, v.toFloatArray());
        assertArrayEquals(new float[] {0, 5, 0, 5, 0, 5}, t.toFloatArray());
        assertFalse(t.isContiguous());
        assertTrue(t.contiguous().isContiguous());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.view(6));
        assertTrue(e.getMessage().contains("reshape"), e.getMessage());
        assertArrayEquals(new int[] {1, 2, 3, 1}, x.unsqueeze(0).unsqueeze(-1).shape());
        assertArrayEquals(new int[] {4, 2, 3}, x.expand(4, 2, 3).shape());
    }

    @Test
    void toStringPrintsLikePyTorch() {
        assertEquals(
                "tensor([[1., 2.],\n        [3., 4.]])",
                Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).toString());
        assertEquals(
                "tensor([ 0.5000, -1.2500])",
                Tensor.of(new float[] {0.5f, -1.25f}).toString());
        assertEquals(
                "tensor([1., 2.], dtype=torch.float64, requires_grad=True)",
                Tensor.of(new double[] {1, 2}).requiresGrad_(true).toString());
        assertEquals("tensor([0, 1, 2])", Tensor.arange(3).toString());
        assertEquals(
                "tensor([ True, False])", Tensor.of(new boolean[] {true, false}).toString());
        assertEquals("tensor(3.5000)", Tensor.scalar(3.5).toString());
        assertTrue(Tensor.ones(2).requiresGrad_(true).mul(2.0).toString().endsWith("grad_fn=<MulBackward>)"));
    }

    @Test
    void itemAndGet() {
        assertEquals(3.0, Tensor.of(new float[] {3}).item());
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> Tensor.ones(2).item());
        assertTrue(e.getMessage().contains("2 elements"));
        assertEquals(6.0, Tensor.arange(0, 12, 1).reshape(3, 4).t().get(2, 1));
    }

    @Test
    void misuseGetsMessagesNamingTheOpAndShapes() {
        var e1 = assertThrows(
                IllegalArgumentException.class, () -> Tensor.zeros(32, 800).matmul(Tensor.zeros(784, 128)));
        assertEquals("matmul: [32, 800] @ [784, 128]: inner dimensions 800 and 784 differ", e1.getMessage());
        var e2 = assertThrows(
                IllegalArgumentException.class, () -> Tensor.zeros(3, 4).add(Tensor.zeros(3)));
        assertTrue(e2.getMessage().startsWith("add: shapes [3, 4] and [3] cannot be broadcast"), e2.getMessage());
        var e3 = assertThrows(
                IllegalArgumentException.class, () -> Tensor.zeros(2, 3).reshape(4, 2));
        assertTrue(e3.getMessage().contains("reshape: shape [4, 2] is invalid for input of size 6"), e3.getMessage());
        var e4 = assertThrows(
                IndexOutOfBoundsException.class, () -> Tensor.zeros(2, 3).sum(2, false));
        assertTrue(e4.getMessage().contains("sum: dimension 2 out of range"), e4.getMessage());
        var e5 = assertThrows(
                IndexOutOfBoundsException.class, () -> Tensor.zeros(5, 2).index(Tensor.of(new long[] {1, 7})));
        assertTrue(e5.getMessage().contains("index 7 is out of bounds for dimension 0 with size 5"), e5.getMessage());
        var e6 = assertThrows(
                IllegalArgumentException.class, () -> Tensor.zeros(2, 3).expand(2, 4));
        assertTrue(e6.getMessage().contains("expand"), e6.getMessage());
        var e7 = assertThrows(
                IllegalArgumentException.class,
                () -> Tensor.cat(new Tensor[] {Tensor.zeros(2, 3), Tensor.zeros(2, 4)}, 0));
        assertTrue(e7.getMessage().contains("cat: sizes of tensors must match except in dimension 0"), e7.getMessage());
        var e8 = assertThrows(
                IllegalArgumentException.class, () -> Tensor.arange(3).requiresGrad_(true));
        assertTrue(e8.getMessage().contains("floating point"), e8.getMessage());
        var e9 = assertThrows(
                IllegalArgumentException.class, () -> Tensor.arange(3).mean());
        assertTrue(e9.getMessage().contains("mean"), e9.getMessage());
    }

    @Test
    void reductionsOverEmptyTensorsFollowPyTorch() {
        assertEquals(0.0, Tensor.zeros(0, 3).sum().item());
        assertArrayEquals(new int[] {3}, Tensor.zeros(0, 3).sum(0, false).shape());
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(0).max());
    }
}
