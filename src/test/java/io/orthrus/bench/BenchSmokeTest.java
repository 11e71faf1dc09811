package io.orthrus.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmarks run end to end on tiny inputs and print one JSON line with the documented keys. */
class BenchSmokeTest {
    @TempDir
    Path dir;

    private static JsonObject parse(String line) {
        assertEquals(1, line.strip().split("\n").length, "one JSON line expected, got: " + line);
        return JsonParser.parseString(line).getAsJsonObject();
    }

    @Test
    void gptBenchPrintsTheDocumentedKeys() throws Exception {
        Path corpus = dir.resolve("corpus.txt");
        Files.writeString(corpus, "to be or not to be, that is the question. ".repeat(60), StandardCharsets.UTF_8);
        JsonObject json = parse(GptBench.run(new String[] {"--corpus", corpus.toString(), "--steps", "3",
            "--eval-batches", "2", "--seed", "5"}));
        for (String key : new String[] {"train_loss", "val_loss", "ms_per_step", "tokens_per_s", "peak_heap_mb", "sample",
            "live_heap_mb", "model_state_mb", "workspace_mb", "alloc_mb_per_step",
            "generate_cached_tokens_per_s", "generate_uncached_tokens_per_s"}) {
            assertTrue(json.has(key), "missing " + key + " in " + json);
        }
        assertEquals(200, json.get("sample").getAsString().codePointCount(0, json.get("sample").getAsString().length()));
        assertTrue(json.get("val_loss").getAsDouble() > 0);
    }

    @Test
    void gptBenchTakesAnotherShapeAndCanSkipGeneration() throws Exception {
        Path corpus = dir.resolve("corpus.txt");
        Files.writeString(corpus, "to be or not to be, that is the question. ".repeat(60), StandardCharsets.UTF_8);
        JsonObject json = parse(GptBench.run("--corpus", corpus.toString(), "--steps", "2", "--eval-batches", "1",
                "--layers", "1", "--heads", "2", "--width", "32", "--context", "16", "--generation-tokens", "0"));
        // 1 block of width 32: token and position embeddings, attention, 4× feed-forward, three layer norms.
        int vocab = 15; // the distinct characters of the corpus
        long expected = vocab * 32 + 16 * 32 + (32 * 96 + 32 * 32 + 32 * 128 + 128 * 32) + 3 * 32;
        assertEquals(expected, json.get("params").getAsLong(), json.toString());
        assertTrue(!json.has("generate_cached_tokens_per_s"), json.toString());
    }

    @Test
    void gptBenchTrainsLlamaBlocksWithNanoGptsBlockParameters() throws Exception {
        Path corpus = dir.resolve("corpus.txt");
        Files.writeString(corpus, "to be or not to be, that is the question. ".repeat(60), StandardCharsets.UTF_8);
        JsonObject json = parse(GptBench.run("--corpus", corpus.toString(), "--steps", "2", "--eval-batches", "1",
                "--blocks", "llama", "--generation-tokens", "0"));
        // nanoGPT's 4 blocks of width 128 with 4 heads on 2 and SwiGLU 384, RMS norms, no position embeddings.
        int vocab = 15;
        long block = 128 * (128 + 2 * 64) + 128 * 128 + 3 * 128 * 384 + 2 * 128;
        assertEquals(vocab * 128 + 4 * block + 128, json.get("params").getAsLong(), json.toString());
        assertEquals("llama", json.get("blocks").getAsString());
        assertEquals(2, json.get("kv_heads").getAsInt());
        var bad = assertThrows(IllegalArgumentException.class, () -> GptBench.run("--corpus", corpus.toString(),
                "--blocks", "mamba"));
        assertTrue(bad.getMessage().contains("--blocks must be gpt or llama"), bad.getMessage());
    }

    @Test
    void loraBenchTrainsTheAdapterOrEverythingAndReportsTheTrainableShare() {
        String[] shape = {"--layers", "1", "--width", "32", "--heads", "2", "--context", "8", "--batch", "2", "--steps", "2"};
        JsonObject lora = parse(LoraBench.run(concat(shape, "--mode", "lora", "--rank", "2", "--targets", "c_attn,c_fc")));
        JsonObject full = parse(LoraBench.run(concat(shape, "--mode", "full")));
        // 1 block of width 32: c_attn A 2×32, B 96×2; c_fc A 2×32, B 128×2.
        assertEquals(2 * 32 + 96 * 2 + 2 * 32 + 128 * 2, lora.get("trainable_params").getAsLong(), lora.toString());
        assertEquals(full.get("params").getAsLong(), full.get("trainable_params").getAsLong());
        assertEquals(full.get("params").getAsLong() + lora.get("trainable_params").getAsLong(),
                lora.get("params").getAsLong());
        for (String key : new String[] {"ms_per_step", "tokens_per_s", "peak_heap_mb", "live_heap_mb", "trainable_percent"}) {
            assertTrue(lora.has(key) && full.has(key), key);
        }
        var bad = assertThrows(IllegalArgumentException.class, () -> LoraBench.run("--mode", "half"));
        assertTrue(bad.getMessage().contains("--mode must be full or lora"), bad.getMessage());
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    @Test
    void generateBenchMeasuresBothPathsAndTheSpeedUp() {
        JsonObject json = parse(GenerateBench.run("--model", "nanogpt", "--tokens", "20", "--uncached-tokens", "10"));
        for (String key : new String[] {"params", "cached_tokens_per_s", "cached_ms_per_token", "uncached_tokens_per_s",
            "cache_speedup"}) {
            assertTrue(json.get(key).getAsDouble() > 0, key + " in " + json);
        }
        assertEquals("nanogpt", json.get("model").getAsString());
        var bad = assertThrows(IllegalArgumentException.class, () -> GenerateBench.run("--tokens", "0"));
        assertTrue(bad.getMessage().contains("--tokens"), bad.getMessage());
        var shape = assertThrows(IllegalArgumentException.class, () -> GenerateBench.run("--model", "gpt5"));
        assertTrue(shape.getMessage().contains("neither a shape"), shape.getMessage());
    }

    @Test
    void generateBenchMeasuresPrefillDecodeAndBandwidthForQuantizedWeights() {
        JsonObject f32 = parse(GenerateBench.run("--model", "nanogpt", "--tokens", "12", "--prompt-tokens", "8",
                "--uncached-tokens", "0"));
        JsonObject int8 = parse(GenerateBench.run("--model", "nanogpt", "--dtype", "int8", "--tokens", "12",
                "--prompt-tokens", "8", "--uncached-tokens", "0"));
        for (String key : new String[] {"prefill_tokens_per_s", "decode_tokens_per_s", "decode_ms_p50", "decode_ms_p99",
            "weight_mb_per_token", "achieved_gb_per_s", "read_gb_per_s", "copy_gb_per_s"}) {
            assertTrue(int8.get(key).getAsDouble() > 0, key + " in " + int8);
        }
        assertEquals("int8", int8.get("dtype").getAsString());
        assertEquals(32, int8.get("group").getAsInt());
        double ratio = int8.get("weight_mb_per_token").getAsDouble() / f32.get("weight_mb_per_token").getAsDouble();
        assertEquals(1.125 / 4, ratio, 0.01, "int8 with a float scale per 32 values: 1.125 bytes a weight");
    }

    @Test
    void gptBenchRejectsAMissingCorpusAndUnknownOptions() {
        var missing = assertThrows(IllegalArgumentException.class,
                () -> GptBench.run(new String[] {"--corpus", dir.resolve("nope.txt").toString()}));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GptBench.run(new String[] {"--stepz", "3"}));
    }

    @Test
    void bertBenchPrintsTheDocumentedKeys() throws Exception {
        Path corpus = dir.resolve("corpus.txt");
        StringBuilder text = new StringBuilder();
        String[] lines = {"the king is come to the castle tonight", "my lord the queen would speak with you now",
            "what is your name and whence come you here", "i will follow thee to the end of the world"};
        for (int i = 0; i < 80; i++) {
            text.append(lines[i % lines.length]).append('\n');
        }
        Files.writeString(corpus, text.toString(), StandardCharsets.UTF_8);
        JsonObject json = parse(BertBench.run(new String[] {"--corpus", corpus.toString(), "--steps", "3",
            "--eval-batches", "2", "--vocab", "60", "--length", "24", "--batch", "4", "--finetune", "8",
            "--finetune-steps", "2"}));
        for (String key : new String[] {"val_mlm_loss", "val_masked_accuracy", "unigram_baseline_accuracy", "ms_per_step",
            "tokens_per_s", "fill_mask", "finetune_shuffled"}) {
            assertTrue(json.has(key), "missing " + key + " in " + json);
        }
        assertEquals(4, json.getAsJsonArray("fill_mask").size());
        assertTrue(json.getAsJsonObject("finetune_shuffled").has("pretrained_accuracy"));
        assertThrows(IllegalArgumentException.class, () -> BertBench.run(new String[] {"--lenght", "3"}));
    }

    @Test
    void word2vecBenchPrintsOneRunPerThreadCountAndTheProbes() throws Exception {
        Path corpus = dir.resolve("corpus.txt");
        Files.writeString(corpus, String.join("\n", io.orthrus.data.grammar.Grammar.english()
                .sentences(3000, new io.orthrus.tensor.Rng(1))) + "\nthe king loves the queen and the man\n",
                StandardCharsets.UTF_8);
        JsonObject json = parse(Word2VecBench.run(new String[] {"--corpus", corpus.toString(), "--threads", "1,2",
                "--epochs", "1", "--window", "2", "--dimensions", "16"}));
        assertEquals(2, json.getAsJsonArray("runs").size());
        assertEquals(2, json.getAsJsonArray("runs").get(1).getAsJsonObject().get("threads").getAsInt());
        assertTrue(json.getAsJsonArray("runs").get(0).getAsJsonObject().get("words_per_s").getAsLong() > 0);
        assertEquals(76, json.get("vocabulary").getAsInt());
        assertTrue(json.has("nearest") && json.has("analogies") && json.has("corpus_words"), json.toString());
        assertThrows(IllegalArgumentException.class, () -> Word2VecBench.run(new String[] {"--windw", "3"}));
    }

    @Test
    void elmoBenchPrintsBothDirections() throws Exception {
        Path corpus = dir.resolve("corpus.txt");
        Files.writeString(corpus, "to be or not to be, that is the question. ".repeat(60), StandardCharsets.UTF_8);
        JsonObject json = parse(ElmoBench.run(new String[] {"--corpus", corpus.toString(), "--steps", "2",
                "--hidden", "8", "--layers", "1", "--length", "8", "--batch", "2", "--eval-batches", "1"}));
        for (String key : new String[] {"val_forward_loss", "val_backward_loss", "val_forward_perplexity",
                "val_backward_perplexity", "ms_per_step", "tokens_per_s", "params"}) {
            assertTrue(json.has(key), key + " missing from " + json);
        }
        assertThrows(IllegalArgumentException.class, () -> ElmoBench.run(new String[] {"--hiden", "3"}));
    }

    @Test
    void bartBenchPrintsReconstructionFigures() throws Exception {
        Path corpus = dir.resolve("corpus.txt");
        Files.writeString(corpus, "to be or not to be, that is the question. ".repeat(60), StandardCharsets.UTF_8);
        JsonObject json = parse(BartBench.run(new String[] {"--corpus", corpus.toString(), "--steps", "2",
                "--width", "16", "--layers", "1", "--length", "16", "--batch", "2", "--eval-batches", "1"}));
        for (String key : new String[] {"val_loss", "val_reconstruction_accuracy", "ms_per_step", "tokens_per_s", "params"}) {
            assertTrue(json.has(key), key + " missing from " + json);
        }
        double accuracy = json.get("val_reconstruction_accuracy").getAsDouble();
        assertTrue(accuracy >= 0 && accuracy <= 1, json.toString());
        assertThrows(IllegalArgumentException.class, () -> BartBench.run(new String[] {"--widht", "3"}));
    }

    @Test
    void gemmBenchPrintsOneResultPerKernelAndThreadCount() throws Exception {
        JsonObject json = parse(GemmBench.run(new String[] {"--quick", "--shapes", "16,8,24"}));
        var results = json.getAsJsonArray("results");
        assertTrue(results.size() >= 3, json.toString());
        JsonObject first = results.get(0).getAsJsonObject();
        for (String key : new String[] {"kernel", "threads", "m", "k", "n", "gflops"}) {
            assertTrue(first.has(key), "missing " + key);
        }
        assertEquals(16, first.get("m").getAsInt());
    }

    @Test
    void embedBenchTimesAFolderOnTheTextsGivenAndWritesThem() throws Exception {
        Path folder = Path.of(BenchSmokeTest.class.getResource("/st/mean-normalize/modules.json").toURI()).getParent();
        Path texts = Files.writeString(dir.resolve("texts.txt"), "the dog barks .\n\na cat\nthe big cat sleeps on the mat\n");
        Path written = dir.resolve("written.txt");
        JsonObject json = parse(EmbedBench.run("--model", folder.toString(), "--input", texts.toString(), "--batch", "2",
                "--rounds", "1", "--write-input", written.toString()));
        for (String key : new String[] {"sentences_per_s", "tokens_per_s", "p50_batch_ms", "p99_batch_ms", "peak_heap_mb"}) {
            assertTrue(json.has(key), "missing " + key + " in " + json);
        }
        assertEquals(3, json.get("sentences").getAsInt()); // the blank line is not a text
        assertEquals(6 + 4 + 9, json.get("tokens").getAsInt()); // [CLS] … [SEP] around 4, 2 and 7 tokens
        assertEquals(List.of("the dog barks .", "a cat", "the big cat sleeps on the mat"), Files.readAllLines(written));
        var e = assertThrows(IllegalArgumentException.class, () -> EmbedBench.run("--input", dir.resolve("none.txt").toString(),
                "--model", folder.toString()));
        assertTrue(e.getMessage().contains("--input") && e.getMessage().contains("none.txt"), e.getMessage());
    }
}
