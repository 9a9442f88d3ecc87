package dev.nabla.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.Linear;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The seam exporters trace through: what a forward pass reports, in which module, and what it hides. */
class TracingTest {
    /** Records "path: op(attributes)" lines, running composites and modules as they come. */
    static final class Recorder implements Tracing.Tracer {
        final List<String> lines = new ArrayList<>();
        final List<Tensor> outputs = new ArrayList<>();
        final List<String> paths = new ArrayList<>();
        private String path = "";
        private int hidden;

        @Override
        public void op(String op, Tensor out, Tensor[] inputs) {
            if (hidden > 0) return;
            lines.add(path + ": " + op + "/" + inputs.length);
            outputs.add(out);
        }

        @Override
        public void note(Tensor out, Object[] attributes) {
            if (hidden > 0) return;
            int i = outputs.lastIndexOf(out);
            StringBuilder b = new StringBuilder(lines.get(i));
            for (int k = 0; k < attributes.length; k += 2)
                b.append(" ").append(attributes[k]).append("=").append(show(attributes[k + 1]));
            lines.set(i, b.toString());
        }

        @Override
        public Tensor composite(String op, Tensor[] inputs, Object[] attributes, Supplier<Tensor> body) {
            if (hidden > 0) return body.get();
            hidden++;
            Tensor out;
            try {
                out = body.get();
            } finally {
                hidden--;
            }
            op(op, out, inputs);
            note(out, attributes);
            return out;
        }

        @Override
        public Tensor module(String p, String description, Supplier<Tensor> body) {
            String before = path;
            path = p.isEmpty() ? "(root)" : p;
            paths.add(path + " " + description);
            try {
                return body.get();
            } finally {
                path = before;
            }
        }

        private static String show(Object v) {
            if (v instanceof int[] a) return Arrays.toString(a);
            if (v instanceof boolean[] a) return Arrays.toString(a);
            return String.valueOf(v);
        }
    }

    @Test
    void aSequentialModelReportsItsLayersOnceEachInTheirModules() {
        Generator g = new Generator(3);
        Sequential model = new Sequential(
                new Conv2d(1, 4, 3, Conv2d.Options.defaults().padding(1)),
                new ReLU(),
                new MaxPool2d(2),
                new dev.nabla.nn.Flatten(),
                new Linear(4 * 4 * 4, 3));
        Tensor x = Tensor.randn(g, 2, 1, 8, 8);
        Recorder r = new Recorder();
        Tensor traced;
        try (var ng = GradMode.noGrad()) {
            traced = Tracing.run(r, () -> model.call(x));
        }
        assertEquals(
                List.of(
                        "0: conv2d/3 stride=[1, 1] padding=[1, 1] dilation=[1, 1] groups=1",
                        "1: relu/1",
                        "2: max_pool2d/1 kernel=[2, 2] stride=[2, 2] padding=[0, 0] dilation=[1, 1] ceilMode=false",
                        "3: flatten/1 start=1 end=3",
                        "4: linear/3"),
                r.lines);
        assertEquals(
                List.of(
                        "(root) Sequential",
                        "0 Conv2d 1->4 3x3",
                        "1 ReLU",
                        "2 MaxPool2d 2x2",
                        "3 Flatten",
                        "4 Linear 64->3"),
                r.paths);
        // relu and pool were not fused into the conv while tracing, and the values are those of the untraced model
        Tensor plain;
        try (var ng = GradMode.noGrad()) {
            plain = model.call(x);
        }
        assertArrayEquals(plain.toFloatArray(), traced.toFloatArray());
        assertFalse(Tracing.active());
    }

    @Test
    void primitiveOpsCarryTheArgumentsTheirShapesDoNotTell() {
        Tensor x = Tensor.randn(new Generator(1), 2, 3, 3);
        Recorder r = new Recorder();
        Tracing.run(
                r,
                () -> Tensor.cat(
                                new Tensor[] {
                                    x.permute(0, 2, 1).sum(1),
                                    x.slice(1, 0, 3, 2)
                                            .sum(new int[] {1}, false)
                                            .pow(2.0)
                                            .clamp(-1, 1)
                                },
                                0)
                        .mean(0, true));
        assertEquals(
                List.of(
                        ": permute/1 perm=[0, 2, 1]",
                        ": sum/1 reduced=[false, true, false] keepDim=false",
                        ": slice/1 dim=1 start=0 end=3 step=2",
                        ": sum/1 reduced=[false, true, false] keepDim=false",
                        ": pow/1 exponent=2.0",
                        ": clamp/1 min=-1.0 max=1.0",
                        ": cat/2 dim=0",
                        ": mean/1 reduced=[true, false] keepDim=true"),
                r.lines);
    }

    @Test
    void softmaxAndMaxAreOneOpEachWithTheirInnerOpsHidden() {
        Tensor x = Tensor.randn(new Generator(2), 4, 5);
        Recorder r = new Recorder();
        Tracing.run(r, () -> x.softmax(1).max(1, false).detach());
        assertEquals(
                List.of(": softmax/1 dim=1", ": max/1 reduced=[false, true] keepDim=false", ": detach/1"), r.lines);
    }

    @Test
    void withoutATracerNothingIsReportedAndCompositesJustRun() {
        assertNull(Tracing.current());
        Tensor x = Tensor.ones(2);
        assertSame(x, Tracing.note(x, "a", 1));
        Tensor y = Tracing.composite("anything", new Tensor[] {x}, new Object[0], () -> x.mul(2.0));
        assertArrayEquals(new float[] {2, 2}, y.toFloatArray());
    }

    @Test
    void tracingDoesNotNestAndEndsWithItsBody() {
        Recorder r = new Recorder();
        var e = assertThrows(
                IllegalStateException.class, () -> Tracing.run(r, () -> Tracing.run(new Recorder(), () -> 1)));
        assertTrue(e.getMessage().contains("already tracing"), e.getMessage());
        assertFalse(Tracing.active());
        assertThrows(ArithmeticException.class, () -> Tracing.run(r, () -> 1 / 0));
        assertFalse(Tracing.active());
    }
}
