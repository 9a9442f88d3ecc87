package dev.nabla.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.data.DataLoader;
import dev.nabla.data.MnistDatasets;
import dev.nabla.data.TensorDataset;
import dev.nabla.examples.CharLanguageModel;
import dev.nabla.examples.FashionMnistTraining;
import dev.nabla.examples.LogicGates;
import dev.nabla.examples.QuadraticFit;
import dev.nabla.examples.XorNetwork;
import dev.nabla.io.Safetensors;
import dev.nabla.nn.CrossEntropyLoss;
import dev.nabla.nn.Module;
import dev.nabla.onnx.Onnx;
import dev.nabla.report.ProgressBarCallback;
import dev.nabla.report.Report;
import dev.nabla.train.Checkpoint;
import dev.nabla.train.Trainer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code nabla} command: train, eval, predict, summary and the seed examples. */
@Command(
        name = "nabla",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        version = "nabla 0.1.0",
        description = "Deep learning on the JVM: train and run the reference models on Fashion-MNIST and MNIST.",
        subcommands = {
            Main.Train.class,
            Main.Eval.class,
            Main.Predict.class,
            Main.Summary.class,
            Main.Export.class,
            Main.Examples.class,
            Bench.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (bad arguments or files: a one-line error and a non-zero code). */
    public static int execute(String... args) {
        boolean trace = java.util.Arrays.asList(args).contains("--stacktrace");
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (trace) ex.printStackTrace();
            else cmd.getErr().println("nabla: error: " + oneLine(ex));
            return 1;
        });
        return cl.execute(args);
    }

    private static String oneLine(Throwable ex) {
        String m = ex.getMessage();
        if (ex instanceof java.nio.file.NoSuchFileException) m = "no such file: " + m;
        if (m == null || m.isBlank()) m = ex.getClass().getSimpleName();
        return m.replace('\n', ' ');
    }

    /** Options shared by the commands that load data and a model. */
    static class Common {
        @Option(
                names = "--model",
                description = "cnn (the reference CNN) or mlp (784-256-128-10). train: cnn when left out; "
                        + "eval and predict: the kind written in the weights file (or recognised from its tensors); "
                        + "examples charlm: gpt (default) or lstm")
        String model;

        /** The --model given, else the default of train. */
        String modelOrDefault() {
            return model != null ? model : "cnn";
        }

        @Option(
                names = "--data",
                defaultValue = "fashion-mnist",
                description = "fashion-mnist, mnist, or a folder holding the four IDX files")
        String data;

        @Option(
                names = "--normalize",
                defaultValue = "fashion-mnist",
                description = "normalisation for a --data folder: fashion-mnist or mnist")
        String normalize;

        @Option(names = "--threads", description = "kernel threads (default: all cores)")
        Integer threads;

        @Option(names = "--stacktrace", description = "print the stack trace of an error")
        boolean stacktrace;

        void apply() {
            if (threads != null) Nabla.setNumThreads(threads);
        }

        MnistDatasets.Variant variant() {
            return switch (data) {
                case "fashion-mnist" -> MnistDatasets.Variant.FASHION_MNIST;
                case "mnist" -> MnistDatasets.Variant.MNIST;
                default ->
                    switch (normalize) {
                        case "fashion-mnist" -> MnistDatasets.Variant.FASHION_MNIST;
                        case "mnist" -> MnistDatasets.Variant.MNIST;
                        default ->
                            throw new CommandLine.ParameterException(
                                    new CommandLine(this),
                                    "--normalize must be fashion-mnist or mnist, got " + normalize);
                    };
            };
        }

        Path dataDir() {
            if (data.equals("fashion-mnist") || data.equals("mnist")) return null;
            Path p = Path.of(data);
            if (!Files.isDirectory(p))
                throw new IllegalArgumentException("--data: " + data + " is neither fashion-mnist, mnist nor a folder");
            return p;
        }

        Module loadModel(Path weights) throws Exception {
            if (!Files.exists(weights)) throw new IllegalArgumentException("--weights: no such file: " + weights);
            if (weights.getFileName().toString().endsWith(".onnx")) { // an ONNX model: its graph and weights
                if (model != null)
                    throw new IllegalArgumentException(
                            "--model: an ONNX file (" + weights + ") brings its own graph; leave --model out");
                Module m = Onnx.load(weights);
                m.eval();
                return m;
            }
            Safetensors.Contents contents = Safetensors.read(weights);
            Map<String, Tensor> state = contents.tensors();
            if (state.keySet().stream()
                    .allMatch(k -> k.startsWith("model.") || k.startsWith("optim."))) { // a Nabla checkpoint
                Map<String, Tensor> inner = new LinkedHashMap<>();
                state.forEach((k, v) -> {
                    if (k.startsWith("model.")) inner.put(k.substring(6), v);
                });
                state = inner;
            }
            String kind = model != null ? model : kindOf(weights, contents.metadata(), state);
            Module m = FashionMnistTraining.model(kind);
            try {
                m.loadStateDict(state);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        weights + " does not fit --model " + kind + ": " + joinLines(e.getMessage()));
            }
            m.eval();
            return m;
        }

        /** The model kind: "model" in the file's metadata (nabla train writes it), else recognised from the first weight's shape. */
        static String kindOf(Path weights, Map<String, String> metadata, Map<String, Tensor> state) {
            String k = metadata.get("model");
            if (k != null) return k;
            Tensor first = state.get("classifier.0.weight");
            if (first != null && first.rank() == 4) return "cnn";
            if (first != null && first.rank() == 2) return "mlp";
            throw new IllegalArgumentException(
                    weights + " names no model kind and its tensors are neither the reference CNN's nor the MLP's; "
                            + "give --model cnn or --model mlp");
        }
    }

    /** A multi-line message on one line (its lines joined by "; "), cut at 300 characters. */
    static String joinLines(String m) {
        if (m == null) return "";
        String joined = String.join(
                        "; ",
                        m.strip()
                                .lines()
                                .map(String::strip)
                                .filter(l -> !l.isEmpty())
                                .toList())
                .replace(":;", ":");
        return joined.length() > 300 ? joined.substring(0, 300) + "... (--stacktrace shows all)" : joined;
    }

    @Command(
            name = "train",
            mixinStandardHelpOptions = true,
            showDefaultValues = true,
            description = "Train a model; writes the weights, the history (CSV, JSON), curves.png and report.html.")
    static final class Train extends Common implements Callable<Integer> {
        @Option(names = "--epochs", defaultValue = "5", description = "passes over the training set")
        int epochs;

        @Option(names = "--batch-size", defaultValue = "128", description = "images per optimizer step")
        int batchSize;

        @Option(names = "--lr", defaultValue = "1e-3", description = "Adam's learning rate")
        double lr;

        @Option(names = "--weight-decay", defaultValue = "1e-4", description = "Adam's weight decay (L2 penalty)")
        double weightDecay;

        @Option(
                names = "--seed",
                defaultValue = "0",
                description = "seed of the initial weights, the shuffling and dropout")
        long seed;

        @Option(names = "--limit", description = "train on the first N images only (N >= 1; default: all)")
        Integer limit;

        @Option(names = "--out", description = "weights file (.safetensors). Default: runs/<model>.safetensors")
        Path out;

        @Option(
                names = "--report-dir",
                description = "where history, curves.png and report.html go. Default: the folder of --out")
        Path reportDir;

        @Option(names = "--checkpoint", description = "write model and optimizer state here after every epoch")
        Path checkpoint;

        @Option(names = "--resume", description = "continue from a checkpoint written by --checkpoint")
        Path resume;

        @Option(names = "--no-progress", description = "no progress bar")
        boolean noProgress;

        @Option(names = "--json", description = "print one JSON result object at the end (the progress goes to stderr)")
        boolean json;

        @Option(
                names = "--spark",
                paramLabel = "MASTER",
                description =
                        "train on Apache Spark (4.2+): local[N], spark://host:7077, yarn, ..., "
                                + "or submit to take the master from spark-submit; data-parallel over --workers tasks, gradients averaged every step")
        String spark;

        @Option(
                names = "--workers",
                defaultValue = "2",
                description = "with --spark: the number of workers (Spark tasks); --batch-size is "
                        + "the global batch, split evenly over them, and --threads the kernel threads of each worker")
        int workers;

        @Option(
                names = "--bind-address",
                description =
                        "with --spark: the address the workers listen on for each other (default: each executor's "
                                + "host as Spark knows it; e.g. the fast network's address)")
        String bindAddress;

        @Option(
                names = "--on-non-finite",
                defaultValue = "stop",
                description = "stop (default: error naming the epoch, batch and layer; no file is written) "
                        + "or skip (leave such batches out and count them) when a loss or gradient is NaN or infinite")
        String onNonFinite;

        @Override
        public Integer call() throws Exception {
            apply();
            if (model == null) model = "cnn";
            // everything that can be checked before an hour of training is checked here
            if (epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
            if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
            if (limit != null && limit < 1)
                throw new IllegalArgumentException(
                        "--limit must be at least 1 (leave it out to train on all images), got " + limit);
            if (!(lr > 0) || Double.isInfinite(lr))
                throw new IllegalArgumentException("--lr must be a finite number > 0, got " + lr);
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay))
                throw new IllegalArgumentException("--weight-decay must be a finite number >= 0, got " + weightDecay);
            var policy = switch (onNonFinite) {
                case "stop" -> Trainer.NonFinitePolicy.STOP;
                case "skip" -> Trainer.NonFinitePolicy.SKIP_BATCH;
                default ->
                    throw new IllegalArgumentException("--on-non-finite must be stop or skip, got " + onNonFinite);
            };
            Path weights = out != null ? out : Path.of("runs", model + ".safetensors");
            if (!weights.getFileName().toString().endsWith(".safetensors"))
                throw new IllegalArgumentException("--out must name a .safetensors file, got " + weights);
            Path reports =
                    reportDir != null ? reportDir : weights.toAbsolutePath().getParent();
            String stem = weights.getFileName().toString().replaceFirst("\\.safetensors$", "");
            Map<Path, String> outputs = new LinkedHashMap<>();
            outputs.put(weights, "--out");
            for (String suffix : new String[] {"-history.csv", "-history.json", "-curves.png", "-report.html"})
                outputs.put(reports.resolve(stem + suffix), "--report-dir");
            if (checkpoint != null) outputs.put(checkpoint, "--checkpoint");
            for (var e : outputs.entrySet()) dev.nabla.io.AtomicFiles.checkWritable(e.getKey(), e.getValue());
            if (resume != null && !Files.isRegularFile(resume))
                throw new IllegalArgumentException("--resume: no such file: " + resume);
            if (spark != null) {
                if (workers < 1) throw new IllegalArgumentException("--workers must be at least 1, got " + workers);
                if (batchSize % workers != 0)
                    throw new IllegalArgumentException("--batch-size " + batchSize + " is not a multiple of --workers "
                            + workers + " (each worker takes an equal share of a step)");
                if (policy != Trainer.NonFinitePolicy.STOP)
                    throw new IllegalArgumentException(
                            "--on-non-finite skip is not supported with --spark (a non-finite loss stops the run)");
            }
            PrintStream console = json ? System.err : System.out;
            var config = new FashionMnistTraining.Config(
                    model,
                    variant(),
                    dataDir(),
                    epochs,
                    batchSize,
                    lr,
                    weightDecay,
                    seed,
                    limit == null ? 0 : limit,
                    !noProgress,
                    policy);
            var cbList = new java.util.ArrayList<dev.nabla.train.Callback>();
            if (!noProgress) cbList.add(new ProgressBarCallback());
            if (checkpoint != null) cbList.add(new Checkpoint(checkpoint));
            dev.nabla.train.Callback[] cbs = cbList.toArray(dev.nabla.train.Callback[]::new);
            dev.nabla.train.WarmUp.start(); // the JIT compiles the kernels while the data loads
            Module trained;
            dev.nabla.train.History history;
            Trainer.Evaluation test;
            if (spark != null) {
                var r = SparkTraining.run(
                        config, spark, workers, threads, bindAddress, checkpoint, resume, console, !noProgress);
                trained = r.model();
                history = r.history();
                test = r.test();
                console.printf(
                        Locale.ROOT,
                        "rank 0: %d steps, %.1f ms a step; the all-reduce ran %.1f ms a step, mostly during the backward pass, which then waited %.1f ms a step for it and for slower workers%n",
                        r.timing().steps(),
                        r.timing().msPerStep(),
                        1000
                                * r.timing().allReduceSeconds()
                                / Math.max(1, r.timing().steps()),
                        1000
                                * r.timing().exposedWaitSeconds()
                                / Math.max(1, r.timing().steps()));
            } else {
                FashionMnistTraining.Run run = FashionMnistTraining.run(config, console, resume, cbs);
                trained = run.model();
                history = run.history();
                test = run.test();
            }
            // all outputs are made in memory first, then written together: either all of them are replaced or none
            Map<Path, byte[]> files = new LinkedHashMap<>();
            files.put(weights, Safetensors.toBytes(trained.stateDict(), Map.of("format", "pt", "model", model)));
            files.put(
                    reports.resolve(stem + "-history.csv"),
                    history.toCsv().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            files.put(
                    reports.resolve(stem + "-history.json"),
                    history.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            files.put(reports.resolve(stem + "-curves.png"), Report.curvesPng(history));
            var hyper = new LinkedHashMap<String, String>();
            hyper.put("epochs", Integer.toString(epochs));
            hyper.put(
                    "batch size",
                    Integer.toString(batchSize)
                            + (spark != null ? " (global, over " + workers + " Spark workers)" : ""));
            hyper.put("optimizer", "Adam, lr " + lr + ", weight decay " + weightDecay);
            hyper.put("loss", "cross-entropy");
            if (limit != null) hyper.put("training images", "first " + limit);
            hyper.put("threads", Integer.toString(dev.nabla.Nabla.numThreads()));
            var info = Report.RunInfo.of(
                    "Nabla: " + model + " on " + config.data().title, trained, hyper, seed, config.data().title);
            files.put(
                    reports.resolve(stem + "-report.html"),
                    Report.html(info, history, test, config.data().classes(), trained.summary(1, 1, 28, 28)));
            dev.nabla.io.AtomicFiles.writeAll(files);
            var t = test;
            if (json)
                System.out.println(new ObjectMapper()
                        .writeValueAsString(Map.of(
                                "model",
                                model,
                                "epochs",
                                history.epochs().size(),
                                "test_loss",
                                t.loss(),
                                "test_accuracy",
                                t.accuracy(),
                                "correct",
                                t.correct(),
                                "total",
                                t.total(),
                                "weights",
                                weights.toString(),
                                "seconds",
                                history.epochs().stream()
                                        .mapToDouble(dev.nabla.train.EpochStats::seconds)
                                        .sum())));
            else {
                System.out.printf(
                        Locale.ROOT,
                        "test accuracy %.4f (%d/%d), test loss %.4f%n",
                        t.accuracy(),
                        t.correct(),
                        t.total(),
                        t.loss());
                System.out.println("wrote " + weights + ", " + reports.resolve(stem + "-history.csv") + ", "
                        + reports.resolve(stem + "-curves.png") + " and " + reports.resolve(stem + "-report.html"));
            }
            return 0;
        }
    }

    @Command(
            name = "eval",
            mixinStandardHelpOptions = true,
            showDefaultValues = true,
            description = "Test loss, accuracy and the confusion matrix of saved weights (Nabla's or PyTorch's).")
    static final class Eval extends Common implements Callable<Integer> {
        @Option(
                names = "--weights",
                required = true,
                description = "a .safetensors file written by nabla train, by PyTorch (tools/torch-golden) or a"
                        + " --checkpoint, or an ONNX model (.onnx: nabla export, torch.onnx.export)")
        Path weights;

        @Option(names = "--json", description = "print one JSON object")
        boolean json;

        @Override
        public Integer call() throws Exception {
            apply();
            Module m = loadModel(weights);
            TensorDataset test = MnistDatasets.load(variant(), dataDir(), false);
            Trainer.Evaluation e = Trainer.evaluate(m, new CrossEntropyLoss(), new DataLoader(test, 500, false));
            if (json) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("loss", e.loss());
                r.put("accuracy", e.accuracy());
                r.put("correct", e.correct());
                r.put("total", e.total());
                r.put("confusion_matrix", e.confusion());
                System.out.println(new ObjectMapper().writeValueAsString(r));
                return 0;
            }
            System.out.printf(
                    Locale.ROOT,
                    "test loss %.4f, accuracy %.4f (%d/%d)%n",
                    e.loss(),
                    e.accuracy(),
                    e.correct(),
                    e.total());
            String[] classes = variant().classes();
            System.out.println("confusion matrix (rows: true class, columns: predicted):");
            for (int i = 0; i < e.confusion().length; i++) {
                StringBuilder b = new StringBuilder(String.format("%12s", Report.name(classes, i)));
                for (long v : e.confusion()[i]) b.append(String.format("%6d", v));
                System.out.println(b);
            }
            return 0;
        }
    }

    @Command(
            name = "predict",
            mixinStandardHelpOptions = true,
            showDefaultValues = true,
            description = "Classify a 28x28 grayscale PNG, or the test image at --index.")
    static final class Predict extends Common implements Callable<Integer> {
        @Option(
                names = "--weights",
                required = true,
                description = "a .safetensors file written by nabla train, by PyTorch (tools/torch-golden) or a"
                        + " --checkpoint, or an ONNX model (.onnx: nabla export, torch.onnx.export)")
        Path weights;

        @Option(names = "--index", description = "index into the test set instead of an image file")
        Integer index;

        @Option(names = "--invert", description = "invert the image (for dark objects on a light background)")
        boolean invert;

        @Parameters(
                arity = "0..1",
                paramLabel = "IMAGE.png",
                description = "a 28x28 grayscale PNG (other sizes are refused)")
        Path image;

        @Override
        public Integer call() throws Exception {
            apply();
            if ((image == null) == (index == null))
                throw new IllegalArgumentException("give either IMAGE.png or --index N");
            Module m = loadModel(weights);
            MnistDatasets.Variant v = variant();
            Tensor x;
            String truth = "";
            if (index != null) {
                TensorDataset test = MnistDatasets.load(v, dataDir(), false);
                if (index < 0 || index >= test.size())
                    throw new IllegalArgumentException(
                            "--index " + index + " is outside the test set of " + test.size());
                x = test.inputs().narrow(0, index, 1);
                truth = " (true class: "
                        + Report.name(v.classes(), (int) test.targets().get(index)) + ")";
            } else {
                x = Images.read(image, invert).sub(v.mean).div(v.std).reshape(1, 1, 28, 28);
            }
            Tensor p;
            try (var g = GradMode.noGrad()) {
                p = m.forward(x).softmax(1);
            }
            int k = (int) p.argmax().item();
            System.out.printf(
                    Locale.ROOT,
                    "%s: %s with probability %.4f%s%n",
                    index != null ? "test image " + index : image,
                    Report.name(v.classes(), k),
                    p.get(0, k),
                    truth);
            return 0;
        }
    }

    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            showDefaultValues = true,
            description = "Write saved weights as an ONNX model (opset 17, any batch size), checked against the model.")
    static final class Export extends Common implements Callable<Integer> {
        @Option(
                names = "--weights",
                required = true,
                description =
                        "a .safetensors file written by nabla train, by PyTorch (tools/torch-golden) or a --checkpoint")
        Path weights;

        @Option(names = "--onnx", required = true, description = "the ONNX file to write (.onnx)")
        Path onnx;

        @Option(names = "--fixed-batch", description = "a batch dimension of this size instead of a symbolic one")
        Integer fixedBatch;

        @Override
        public Integer call() throws Exception {
            apply();
            if (weights.getFileName().toString().endsWith(".onnx"))
                throw new IllegalArgumentException("--weights: " + weights + " is already an ONNX model");
            if (fixedBatch != null && fixedBatch < 1)
                throw new IllegalArgumentException("--fixed-batch must be at least 1, got " + fixedBatch);
            Module m = loadModel(weights);
            int batch = fixedBatch == null ? 1 : fixedBatch;
            var options = Onnx.ExportOptions.defaults().withDynamicBatch(fixedBatch == null);
            var proto = Onnx.export(m, Tensor.zeros(batch, 1, 28, 28), onnx, options);
            java.util.Set<String> ops = new java.util.TreeSet<>();
            proto.getGraph().getNodeList().forEach(n -> ops.add(n.getOpType()));
            System.out.printf(
                    Locale.ROOT,
                    "wrote %s: %d nodes (%s), opset %d, input '%s' [%s, 1, 28, 28], output '%s'; checked: Nabla runs"
                            + " the file with the model's outputs%n",
                    onnx,
                    proto.getGraph().getNodeCount(),
                    String.join(", ", ops),
                    proto.getOpsetImport(0).getVersion(),
                    options.inputName(),
                    fixedBatch == null ? "batch" : String.valueOf(batch),
                    options.outputName());
            return 0;
        }
    }

    @Command(
            name = "summary",
            mixinStandardHelpOptions = true,
            showDefaultValues = true,
            description = "Layers, output shapes and parameter counts of a model.")
    static final class Summary implements Callable<Integer> {
        @Option(names = "--model", defaultValue = "cnn", description = "cnn or mlp")
        String model;

        @Override
        public Integer call() {
            Module m = FashionMnistTraining.model(model);
            System.out.println(m);
            System.out.println(m.summary(1, 1, 28, 28));
            return 0;
        }
    }

    @Command(
            name = "examples",
            mixinStandardHelpOptions = true,
            showDefaultValues = true,
            description = "Run a seed program: quadratic, gates, xor, mlp, cnn, or charlm (a character-level GPT on"
                    + " Debian's fortune cookies; --model lstm for the LSTM).")
    static final class Examples extends Common implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "quadratic | gates | xor | mlp | cnn | charlm")
        String name;

        @Option(names = "--epochs", defaultValue = "5", description = "passes over the training set")
        int epochs;

        @Override
        public Integer call() throws Exception {
            apply();
            switch (name) {
                case "quadratic" -> QuadraticFit.run(System.out, new double[] {2.0, -3.0, 0.5}, 42);
                case "gates" -> LogicGates.run(System.out, 7);
                case "xor" -> XorNetwork.run(System.out, new int[] {2, 4, 8, 16}, 1);
                case "mlp", "cnn" -> {
                    var c = FashionMnistTraining.Config.reference();
                    var cfg = new FashionMnistTraining.Config(
                            name,
                            variant(),
                            dataDir(),
                            epochs,
                            c.batchSize(),
                            c.lr(),
                            c.weightDecay(),
                            c.seed(),
                            0,
                            true);
                    var run = FashionMnistTraining.run(cfg, System.out, new ProgressBarCallback());
                    System.out.printf(
                            Locale.ROOT, "test accuracy %.4f%n", run.test().accuracy());
                }
                case "charlm" -> {
                    var cfg = CharLanguageModel.Config.reference(model == null ? "gpt" : model, epochs);
                    CharLanguageModel.run(
                            cfg, dev.nabla.data.CharCorpus.read(dev.nabla.data.CharCorpus.fortunes()), System.out);
                }
                default ->
                    throw new IllegalArgumentException(
                            "unknown example '" + name + "' (quadratic, gates, xor, mlp, cnn, charlm)");
            }
            return 0;
        }
    }
}
