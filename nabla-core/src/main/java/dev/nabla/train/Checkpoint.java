package dev.nabla.train;

import dev.nabla.Tensor;
import dev.nabla.io.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Saves model and optimizer state after every epoch into one safetensors file (model tensors under "model.",
 * optimizer state under "optim.", the epoch and the history as metadata), written atomically. {@link #resume}
 * loads it back so that {@link Trainer#fit} continues with the next epoch.
 */
public final class Checkpoint implements Callback {
    private final Path file;

    public Checkpoint(Path file) {
        this.file = file;
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochStats stats) {
        try {
            save(file, trainer);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint: cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public static void save(Path file, Trainer trainer) throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>();
        trainer.model().stateDict().forEach((k, v) -> all.put("model." + k, v));
        trainer.optimizer().stateDict().forEach((k, v) -> all.put("optim." + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("epoch", Integer.toString(trainer.epochsDone()));
        meta.put("history", trainer.history().toJson());
        Safetensors.save(file, all, meta);
    }

    /** Restores model, optimizer, epoch count and history from a checkpoint file. */
    public static void resume(Path file, Trainer trainer) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        Map<String, Tensor> model = new LinkedHashMap<>(), optim = new LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
            if (k.startsWith("model.")) model.put(k.substring(6), v);
            else if (k.startsWith("optim.")) optim.put(k.substring(6), v);
        });
        trainer.model().loadStateDict(model);
        trainer.optimizer().loadStateDict(optim);
        String epoch = c.metadata().get("epoch");
        if (epoch == null) throw new IllegalArgumentException(file + ": not a Nabla checkpoint (no epoch in its metadata)");
        trainer.restore(Integer.parseInt(epoch), History.fromJson(c.metadata().getOrDefault("history", "{\"epochs\":[]}")));
    }
}
