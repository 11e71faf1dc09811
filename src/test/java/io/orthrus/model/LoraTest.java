package io.orthrus.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.TextDataset;
import io.orthrus.nn.AttentionMask;
import io.orthrus.nn.Lora;
import io.orthrus.nn.LoraConfig;
import io.orthrus.nn.Parameter;
import io.orthrus.nn.TransformerBlock;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.CausalLm;
import io.orthrus.tensor.GradCheck;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.CharTokenizer;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
import io.orthrus.train.TrainingResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** LoRA adapters on the shared stack: frozen base, gradients, merging, several adapters, training, bad input. */
class LoraTest {
    private static final String OTHER = "a lazy cat naps on the warm mat, by the big red box. ";
    private static final CharTokenizer TOKENIZER = CharTokenizer.fromCorpus(GptTest.CORPUS + OTHER);

    private static Gpt llama(long seed) {
        return new Gpt(TransformerConfig.tinyLlama(TOKENIZER.vocabSize()).withContextLength(16), new Rng(seed));
    }

    private static float[] logits(Gpt model, IntTensor ids) {
        try (var g = NoGrad.enter()) {
            return model.forward(ids).toArray();
        }
    }

    private static IntTensor someIds() {
        return IntTensor.of(TOKENIZER.encode("the lazy dog nap"), 1, 16);
    }

    /** Gives every B of {@code lora}'s adapter {@code name} random values, so that the adapter changes the outputs. */
    private static void randomizeB(Lora lora, String name, long seed) {
        Rng rng = new Rng(seed);
        lora.parameters(name).forEach((key, p) -> {
            if (key.endsWith(".B")) {
                float[] v = p.data();
                for (int i = 0; i < v.length; i++) {
                    v[i] = 0.2f * (float) rng.nextGaussian();
                }
            }
        });
    }

    @Test
    void anAdapterStartsAsTheBaseFreezesItAndTrainsTwoSmallMatricesPerLayerPart() {
        Gpt model = llama(1);
        float[] before = logits(model, someIds());
        long total = model.parameterCount();
        Lora lora = Lora.attach(model, LoraConfig.rank(4).withTargets("q_proj", "v_proj"), new Rng(2));
        assertArrayEquals(before, logits(model, someIds()), 0f, "B starts at zero: the outputs are the base's");
        // tinyLlama: width 32, 4 heads of 8 on 2 key/value heads, 2 layers. q: A 4×32, B 32×4; v: A 4×32, B 16×4.
        long perLayer = (4 * 32 + 32 * 4) + (4 * 32 + 16 * 4);
        assertEquals(2 * perLayer, model.trainableParameterCount());
        assertEquals(total + 2 * perLayer, model.parameterCount());
        assertEquals(List.of("stack.blocks.0.attn.qkv.q.A", "stack.blocks.0.attn.qkv.q.B", "stack.blocks.0.attn.qkv.v.A",
                "stack.blocks.0.attn.qkv.v.B", "stack.blocks.1.attn.qkv.q.A", "stack.blocks.1.attn.qkv.q.B",
                "stack.blocks.1.attn.qkv.v.A", "stack.blocks.1.attn.qkv.v.B"), List.copyOf(lora.parameters("default").keySet()));
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            assertEquals(!e.getKey().contains(".lora_"), e.getValue().isFrozen(), e.getKey());
        }
        float[] a = lora.parameters("default").get("stack.blocks.0.attn.qkv.q.A").data();
        for (float v : a) {
            assertTrue(Math.abs(v) <= 1 / Math.sqrt(32), "A is uniform in ±1/√in, as PEFT draws it: " + v);
        }
        assertEquals(2.0, lora.config("default").scale(), 1e-12, "alpha 2r over r");
        assertEquals(8 / Math.sqrt(4), LoraConfig.rank(4).withAlpha(8).withRsLora(true).scale(), 1e-12);
    }

    @Test
    void everyLinearLayerOfTheBlocksByDefaultAndTheHuggingFaceNamesOfEach() {
        Gpt model = llama(3);
        Lora all = Lora.attach(model, LoraConfig.rank(2), new Rng(4));
        List<String> layers = new ArrayList<>();
        all.parameters("default").keySet().stream().filter(k -> k.endsWith(".A") && k.contains("blocks.0."))
                .forEach(k -> layers.add(k.substring("stack.blocks.0.".length(), k.length() - 2)));
        assertEquals(List.of("attn.qkv", "attn.proj", "ff.gate", "ff.up", "ff.down"), layers, "the head is not adapted");
        Gpt other = llama(3);
        Lora named = Lora.attach(other, LoraConfig.rank(2).withTargets("o_proj", "gate_proj", "up_proj", "down_proj",
                "k_proj"), new Rng(4));
        assertEquals(List.of("attn.qkv.k", "attn.proj", "ff.gate", "ff.up", "ff.down"),
                named.parameters("default").keySet().stream().filter(k -> k.endsWith(".A") && k.contains("blocks.0."))
                        .map(k -> k.substring("stack.blocks.0.".length(), k.length() - 2)).toList());
        Gpt gpt2 = new Gpt(TransformerConfig.tiny(TOKENIZER.vocabSize()).withContextLength(16), new Rng(5));
        Lora c = Lora.attach(gpt2, LoraConfig.rank(2).withTargets("c_attn", "c_proj"), new Rng(6));
        assertEquals(List.of("attn.qkv", "attn.proj", "ff.down"),
                c.parameters("default").keySet().stream().filter(k -> k.endsWith(".A") && k.contains("blocks.0."))
                        .map(k -> k.substring("stack.blocks.0.".length(), k.length() - 2)).toList(),
                "GPT-2's c_proj names both the attention's and the MLP's output, as in PEFT");
    }

    @Test
    void gradientsFlowThroughTheAdapterAndNotIntoTheFrozenBase() {
        TransformerConfig config = TransformerConfig.tinyLlama(11).withWidth(16, 4, 20).withHeadSize(6)
                .withKeyValueHeads(2).withContextLength(8);
        TransformerBlock block = new TransformerBlock(config, new Rng(7));
        Lora lora = Lora.attach(block, LoraConfig.rank(3).withTargets("q_proj", "v_proj", "down"), new Rng(8));
        randomizeB(lora, "default", 9);
        Tensor x = Tensor.randn(new Rng(10), 2, 5, 16).requiresGrad(true);
        List<Tensor> inputs = new ArrayList<>(List.of(x));
        inputs.addAll(lora.parameters("default").values());
        GradCheck.Result r = GradCheck.checkInPlace(() -> block.forward(x, AttentionMask.causal(), null, 0),
                inputs.toArray(new Tensor[0]));
        assertTrue(r.passed(), r.toString());
        block.forward(x, AttentionMask.causal(), null, 0).sum().backward();
        for (Map.Entry<String, Parameter> e : block.namedParameters().entrySet()) {
            assertEquals(e.getKey().contains(".lora_"), e.getValue().hasGrad(), e.getKey());
        }
    }

    @Test
    void mergingGivesTheUnmergedOutputsAndUnmergingGivesTheBaseBack() {
        Gpt model = llama(11);
        Lora lora = Lora.attach(model, LoraConfig.rank(4).withAlpha(16).withTargets("q_proj", "v_proj", "up_proj"),
                new Rng(12));
        randomizeB(lora, "default", 13);
        float[] base = model.stack().blocks().get(0).attention().qkv().weight().toArray();
        float[] adapted = logits(model, someIds());
        lora.merge();
        assertTrue(lora.isMerged());
        assertArrayEquals(adapted, logits(model, someIds()), 2e-5f, "merged equals unmerged");
        assertThrows(IllegalStateException.class, lora::merge);
        assertThrows(IllegalStateException.class, () -> lora.activate("default"));
        lora.unmerge();
        assertArrayEquals(base, model.stack().blocks().get(0).attention().qkv().weight().toArray(), 1e-6f);
        assertArrayEquals(adapted, logits(model, someIds()), 2e-5f);
        assertThrows(IllegalStateException.class, lora::unmerge);
    }

    @Test
    void aModelIsSavedWithItsAdapterMergedNeverWithoutIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        Gpt model = llama(40);
        Lora lora = Lora.attach(model, LoraConfig.rank(4).withTargets("q_proj", "down_proj"), new Rng(41));
        randomizeB(lora, "default", 42);
        float[] adapted = logits(model, someIds());
        var refused = assertThrows(IllegalStateException.class,
                () -> io.orthrus.io.HuggingFaceLlama.save(dir.resolve("unmerged"), model));
        assertTrue(refused.getMessage().contains("LoRA adapter that is not merged (stack.blocks.0.attn.qkv.lora_default_q)"),
                refused.getMessage());
        assertFalse(java.nio.file.Files.exists(dir.resolve("unmerged")), "nothing written");
        lora.merge();
        io.orthrus.io.HuggingFaceLlama.save(dir.resolve("merged"), model);
        io.orthrus.io.GptCheckpoint.save(dir.resolve("checkpoint"), model, TOKENIZER);
        assertArrayEquals(adapted, logits(io.orthrus.io.HuggingFaceLlama.loadModel(dir.resolve("merged")), someIds()), 2e-5f);
        assertArrayEquals(adapted, logits(io.orthrus.io.GptCheckpoint.load(dir.resolve("checkpoint")).model(), someIds()),
                2e-5f);
    }

    @Test
    void severalAdaptersOnOneBaseSwitchAndOnlyTheActiveOneTrains() {
        Gpt model = llama(14);
        float[] base = logits(model, someIds());
        Lora lora = Lora.attach(model, LoraConfig.rank(2), new Rng(15));
        randomizeB(lora, "default", 16);
        float[] first = logits(model, someIds());
        lora.add("other", LoraConfig.rank(3).withTargets("q_proj"), new Rng(17));
        randomizeB(lora, "other", 18);
        assertArrayEquals(first, logits(model, someIds()), 0f, "adding an adapter keeps the active one");
        lora.activate("other");
        assertEquals("other", lora.active());
        float[] second = logits(model, someIds());
        assertFalse(java.util.Arrays.equals(first, second));
        assertFalse(java.util.Arrays.equals(base, second));
        lora.parameters("default").values().forEach(p -> assertTrue(p.isFrozen()));
        lora.parameters("other").values().forEach(p -> assertFalse(p.isFrozen()));
        assertEquals(lora.parameters("other").values().stream().mapToLong(Parameter::numel).sum(),
                model.trainableParameterCount());
        lora.activate("default");
        assertArrayEquals(first, logits(model, someIds()), 0f);
        assertEquals(List.of("default", "other"), List.copyOf(lora.adapterNames()));
    }

    @Test
    void aPretrainedModelLearnsANewTextThroughItsAdapterAloneAndTheBaseStaysAsItWas() {
        Gpt model = llama(20);
        GptTest.train(model, CausalLm.leftToRight(), TOKENIZER, 200, new ArrayList<>()); // the fox sentence
        Map<String, float[]> base = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> base.put(name, p.toArray()));
        List<Double> first = new ArrayList<>(), second = new ArrayList<>();
        TrainingResult tuned = tune(model, 21, first);
        model.namedParameters().forEach((name, p) -> {
            if (!name.contains(".lora_")) {
                assertArrayEquals(base.get(name), p.data(), 0f, name + " is frozen");
            }
        });
        assertTrue(first.get(0) > 2.0, "the base does not know the new text: " + first.get(0));
        assertTrue(tuned.validationLoss() < 0.5, "the adapter learned it: " + tuned.validationLoss());
        Gpt again = llama(20);
        GptTest.train(again, CausalLm.leftToRight(), TOKENIZER, 200, new ArrayList<>());
        tune(again, 21, second);
        assertEquals(first, second, "the same seeds give the same run");
    }

    /** LoRA r=8 on q, v, up and down of {@code model}, 300 steps on {@link #OTHER}; per-step losses into {@code losses}. */
    private static TrainingResult tune(Gpt model, long seed, List<Double> losses) {
        Lora.attach(model, LoraConfig.rank(8).withAlpha(16).withTargets("q_proj", "v_proj", "up_proj", "down_proj"),
                new Rng(seed));
        TextDataset data = TextDataset.of(OTHER.repeat(60), TOKENIZER, 0.9);
        TrainingOptions options = new TrainingOptions(300, 1e-2, 1e-3, 20, 0.0, 0.9, 0.99, 1.0, 1, 0, 4);
        Trainer<Gpt, IntTensor> trainer = new Trainer<>(model, CausalLm.leftToRight(), options);
        trainer.addListener(new io.orthrus.train.TrainingListener() {
            @Override
            public void onStep(StepMetrics m) {
                losses.add(m.loss());
            }
        });
        Rng rng = new Rng(seed);
        return trainer.fit(data.trainWindows(17, 8, rng), data.validationWindows(17, 8, rng.split()));
    }

    @Test
    void badSettingsAndTargetsAreRefusedWithTheReason() {
        Gpt model = llama(30);
        var none = assertThrows(IllegalArgumentException.class,
                () -> Lora.attach(model, LoraConfig.rank(4).withTargets("q_proj", "query_key_value"), new Rng(1)));
        assertTrue(none.getMessage().startsWith("Lora: target 'query_key_value' matches no linear layer; the layers are"
                + " stack.blocks.0.attn.qkv, stack.blocks.0.attn.proj"), none.getMessage());
        long before = model.parameterCount();
        assertEquals(before, model.trainableParameterCount(), "a refused target freezes nothing");
        assertTrue(model.namedParameters().keySet().stream().noneMatch(k -> k.contains("lora_")), "and attaches nothing");
        var rank = assertThrows(IllegalArgumentException.class, () -> LoraConfig.rank(0));
        assertEquals("LoraConfig: rank r must be >= 1, got 0", rank.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LoraConfig.rank(4).withDropout(1));
        assertThrows(IllegalArgumentException.class, () -> LoraConfig.rank(4).withAlpha(0));
        Gpt fresh = llama(31);
        Lora lora = Lora.attach(fresh, LoraConfig.rank(2), new Rng(1));
        var twice = assertThrows(IllegalArgumentException.class, () -> lora.add("default", LoraConfig.rank(2), new Rng(2)));
        assertEquals("Lora: an adapter named 'default' is already attached", twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> lora.activate("nope"));
        assertThrows(IllegalArgumentException.class, () -> lora.add("a.b", LoraConfig.rank(2), new Rng(2)));
        assertNotEquals(0, fresh.trainableParameterCount());
    }
}
