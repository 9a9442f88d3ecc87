package dev.nabla.train;

import dev.nabla.Tensor;
import dev.nabla.io.FileFormatException;
import dev.nabla.io.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Saves everything an exact resume needs after every epoch into one safetensors file, written atomically: model
 * tensors under "model.", optimizer state under "optim.", and as metadata the epoch count, the history, the states
 * of the random generators the run draws from (the global one and any a layer owns: dropout masks) and the data
 * loader's position (the next epoch, batch 0, with its batch size, sample count, shuffling and seed, which a resume
 * checks). {@link #resume} loads it back so that {@link Trainer#fit} continues with the next epoch and ends with
 * exactly the weights of an uninterrupted run (same thread count). A crafted or damaged file is a
 * {@link CheckpointException} naming the file and the field, and leaves the trainer unchanged.
 */
public final class Checkpoint implements Callback {
    /** The most epochs a checkpoint may claim (a guard against crafted files: the loop would otherwise run 2^31 times). */
    static final int MAX_EPOCHS = 10_000_000;

    private final Path file;

    /** Writes a checkpoint to file after every epoch. */
    public Checkpoint(Path file) {
        this.file = file;
    }

    /** A checkpoint that is not one, or is damaged or crafted: names the file and the field. */
    public static final class CheckpointException extends FileFormatException {
        CheckpointException(Path file, String field, String message) {
            super(file, "metadata \"" + field + "\"", message);
        }
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochStats stats) {
        try {
            save(file, trainer);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint: cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes the trainer's model, optimizer, history, generator states and loader position to file atomically. */
    public static void save(Path file, Trainer trainer) throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>();
        trainer.model().stateDict().forEach((k, v) -> all.put("model." + k, v));
        trainer.optimizer().stateDict().forEach((k, v) -> all.put("optim." + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "nabla-checkpoint-2");
        meta.put("epoch", Integer.toString(trainer.epochsDone()));
        meta.put("history", trainer.history().toJson());
        RandomState.capture(trainer.model()).forEach((k, s) -> meta.put("rng." + k, join(s)));
        Trainer.LoaderPosition pos = trainer.loaderPosition();
        if (pos != null) meta.put("data", pos.encode());
        Safetensors.save(file, all, meta);
    }

    private static String join(long[] s) {
        StringBuilder b = new StringBuilder();
        for (long v : s) b.append(b.isEmpty() ? "" : ",").append(v);
        return b.toString();
    }

    /**
     * Restores model, optimizer, epoch count, history, random-generator states and the expected data-loader position
     * from a checkpoint file. Everything is read and checked before anything is changed.
     */
    public static void resume(Path file, Trainer trainer) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        Map<String, String> meta = c.metadata();
        Map<String, Tensor> model = new LinkedHashMap<>(), optim = new LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
            if (k.startsWith("model.")) model.put(k.substring(6), v);
            else if (k.startsWith("optim.")) optim.put(k.substring(6), v);
            else
                throw new CheckpointException(
                        file, "tensors", "unexpected tensor '" + k + "' (a checkpoint holds model.* and optim.* only)");
        });
        String epochText = meta.get("epoch");
        if (epochText == null) throw new CheckpointException(file, "epoch", "missing: not a Nabla checkpoint");
        int epoch;
        try {
            epoch = Integer.parseInt(epochText.strip());
        } catch (NumberFormatException e) {
            throw new CheckpointException(file, "epoch", "not an integer: '" + abbreviate(epochText) + "'");
        }
        if (epoch < 0 || epoch > MAX_EPOCHS)
            throw new CheckpointException(file, "epoch", epoch + " is outside [0, " + MAX_EPOCHS + "]");
        String historyText = meta.get("history");
        if (historyText == null) throw new CheckpointException(file, "history", "missing");
        History history;
        try {
            history = History.fromJson(historyText);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, "history", e.getMessage());
        }
        if (history.epochs().size() != epoch)
            throw new CheckpointException(
                    file,
                    "history",
                    "holds " + history.epochs().size() + " epochs but the checkpoint says " + epoch + " are done");
        Map<String, long[]> rng = new LinkedHashMap<>();
        for (var e : meta.entrySet()) {
            if (!e.getKey().startsWith("rng.")) continue;
            String[] parts = e.getValue().split(",", -1);
            long[] s = new long[parts.length];
            try {
                for (int i = 0; i < parts.length; i++) s[i] = Long.parseLong(parts[i].strip());
            } catch (NumberFormatException ex) {
                throw new CheckpointException(
                        file, e.getKey(), "not a list of integers: '" + abbreviate(e.getValue()) + "'");
            }
            if (!dev.nabla.Generator.isState(s))
                throw new CheckpointException(
                        file,
                        e.getKey(),
                        "expected 4 values {seed, state, 0|1, spare}, got '" + abbreviate(e.getValue()) + "'");
            rng.put(e.getKey().substring(4), s);
        }
        Trainer.LoaderPosition position = null;
        if (meta.containsKey("data")) {
            try {
                position = Trainer.LoaderPosition.decode(meta.get("data"));
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(file, "data", e.getMessage());
            }
            if (position.epoch() != epoch + 1 || position.batch() != 0)
                throw new CheckpointException(
                        file,
                        "data",
                        "position epoch " + position.epoch() + ", batch " + position.batch() + " does not follow epoch "
                                + epoch);
        }
        // all read and checked: now change the trainer (the state dicts check names and shapes themselves)
        Map<String, Tensor> before = trainer.model().stateDict();
        Map<String, Tensor> saved = new LinkedHashMap<>();
        before.forEach((k, v) -> saved.put(k, v.clone()));
        try {
            trainer.model().loadStateDict(model);
            trainer.optimizer().loadStateDict(optim);
        } catch (IllegalArgumentException e) {
            trainer.model().loadStateDict(saved);
            throw new CheckpointException(file, "tensors", e.getMessage().replace('\n', ' '));
        }
        RandomState.restore(trainer.model(), rng);
        trainer.restore(epoch, history, position);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
