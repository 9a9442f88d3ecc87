package dev.nabla.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.data.CharCorpus;
import dev.nabla.examples.CharLanguageModel;
import dev.nabla.io.Safetensors;
import dev.nabla.nn.CrossEntropyLoss;
import dev.nabla.optim.Adam;
import dev.nabla.optim.GradClip;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The char-LM: the GPT trained five Adam steps from PyTorch's initial weights on PyTorch's batches gives PyTorch's
 * losses (tools/torch-golden/gen_charlm.py), and the example program learns on a small text.
 */
class CharGptTest {
    private static Path resource(String name) throws Exception {
        return Path.of(CharGptTest.class.getResource("/charlm/" + name).toURI());
    }

    @Test
    void fiveAdamStepsFromPyTorchsWeightsGivePyTorchsLosses() throws Exception {
        Safetensors.Contents init = Safetensors.read(resource("charlm_init.safetensors"));
        Map<String, String> meta = init.metadata();
        CharGPT model = new CharGPT(
                new CharGPT.Config(
                        meta.get("vocab").length(),
                        Integer.parseInt(meta.get("context")),
                        Integer.parseInt(meta.get("d_model")),
                        Integer.parseInt(meta.get("heads")),
                        Integer.parseInt(meta.get("layers")),
                        Integer.parseInt(meta.get("ff")),
                        0.0),
                new Generator(0),
                DType.FLOAT32);
        var loaded = model.loadStateDict(init.tensors());
        assertTrue(loaded.missingKeys().isEmpty() && loaded.unexpectedKeys().isEmpty(), loaded.toString());
        Map<String, Tensor> steps = Safetensors.load(resource("charlm_steps.safetensors"));
        double[] expected = steps.get("losses").toDoubleArray();
        Adam opt = new Adam(model.parameters(), 1e-2);
        CrossEntropyLoss ce = new CrossEntropyLoss();
        for (int s = 0; s < expected.length; s++) {
            opt.zeroGrad();
            Tensor logits = model.call(steps.get("inputs." + s));
            Tensor loss = ce.apply(
                    logits.reshape(-1, logits.size(-1)),
                    steps.get("targets." + s).reshape(-1));
            loss.backward();
            GradClip.clipGradNorm(model.parameters(), 1.0);
            opt.step();
            assertEquals(expected[s], loss.item(), 2e-5 * expected[s], "loss of step " + s);
        }
    }

    @Test
    void bothExampleModelsLearnAndSampleFromTheirVocabulary() {
        String text = "the quick brown fox jumps over the lazy dog. ".repeat(60);
        CharCorpus corpus = CharCorpus.of(text);
        for (String kind : new String[] {"gpt", "lstm"}) {
            var c = new CharLanguageModel.Config(kind, 16, 32, 4, 2, 64, 0.0, 16, 1e-2, 2, 40, 7);
            List<CharLanguageModel.Epoch> epochs = CharLanguageModel.run(c, corpus, null);
            assertTrue(
                    epochs.get(1).trainLoss() < 1.5,
                    kind + " train loss " + epochs.get(1).trainLoss());
            assertTrue(epochs.get(1).validationLoss() < Math.log(corpus.vocabSize()), kind + " " + epochs);
            String sample = epochs.get(1).sample();
            assertEquals(161, sample.length());
            for (char ch : sample.toCharArray()) assertTrue(corpus.vocabulary().indexOf(ch) >= 0);
        }
    }
}
