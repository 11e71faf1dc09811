package io.orthrus.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.orthrus.files.JsonFiles;
import io.orthrus.io.HuggingFaceLlama;
import io.orthrus.io.PeftAdapter;
import io.orthrus.io.Safetensors;
import io.orthrus.model.Gpt;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.CharTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --lora}, {@code generate --adapter}, {@code score --adapter} and {@code merge}. */
class LoraCommandsTest {
    private static final String CORPUS = "the dog chases the cat . the cat sleeps . ".repeat(200);

    @TempDir
    Path dir;
    private Path base;
    private Path text;

    @BeforeEach
    void aBaseModelAndACorpus() throws Exception {
        text = dir.resolve("corpus.txt");
        Files.writeString(text, CORPUS);
        CharTokenizer chars = CharTokenizer.fromCorpus(CORPUS);
        base = dir.resolve("base");
        HuggingFaceLlama.save(base, new Gpt(TransformerConfig.tinyLlama(chars.vocabSize()), new Rng(2)), chars);
        Files.writeString(base.resolve("chat_template.jinja"), "{{ messages[0].content }}");
    }

    private Cli train(Path run, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--objective", "causal-lm", "--steps", "6",
                "--output", run.toString(), "--init-from", base.toString(), "--corpus", text.toString(),
                "--lora", "r=4,alpha=8,targets=q_proj,v_proj", "--set", "data.batch_size=4", "--set", "eval_interval=3",
                "--set", "eval_batches=1", "--set", "optimizer.learning_rate=0.01"));
        args.addAll(List.of(more));
        return Cli.expect(0, args.toArray(String[]::new));
    }

    @Test
    void trainWritesAPeftAdapterThatGenerateScoreAndMergeRead() throws Exception {
        Path run = dir.resolve("lora");
        Cli trained = train(run);
        assertTrue(trained.out().contains("step 6/6"), trained.out());
        Path adapter = run.resolve("model");
        JsonObject config = JsonFiles.readObject(adapter.resolve(PeftAdapter.CONFIG));
        assertEquals(4, config.get("r").getAsInt());
        assertEquals(8.0, config.get("lora_alpha").getAsDouble());
        assertEquals("[\"q_proj\",\"v_proj\"]", config.get("target_modules").toString());
        assertEquals(base.toAbsolutePath().toString(), config.get("base_model_name_or_path").getAsString());
        assertFalse(Files.exists(adapter.resolve("config.json")), "the adapter alone, not the model");
        assertEquals(8, Safetensors.read(adapter.resolve(PeftAdapter.WEIGHTS)).tensors().size(), "2 layers × q, v × A, B");
        Gpt original = HuggingFaceLlama.loadModel(base);
        assertArrayEquals(original.tokenEmbedding().toArray(), HuggingFaceLlama.loadModel(base).tokenEmbedding().toArray(),
                0f, "the base folder is untouched");

        String prompt = "the ";
        String viaRun = Cli.expect(0, "generate", "--model", run.toString(), "--temperature", "0", "--max-tokens", "12",
                prompt).out();
        String viaAdapter = Cli.expect(0, "generate", "--model", base.toString(), "--adapter", adapter.toString(),
                "--temperature", "0", "--max-tokens", "12", prompt).out();
        String plain = Cli.expect(0, "generate", "--model", base.toString(), "--temperature", "0", "--max-tokens", "12",
                prompt).out();
        assertEquals(viaRun, viaAdapter, "a run directory of train --lora finds its base");
        assertFalse(viaAdapter.equals(plain), "the adapter changes what is generated: " + plain + " / " + viaAdapter);
        Cli chat = Cli.expect(0, "generate", "--model", run.toString(), "--chat", "--temperature", "0", "--max-tokens", "5",
                "the ");
        assertEquals(Cli.expect(0, "generate", "--model", base.toString(), "--adapter", adapter.toString(), "--chat",
                "--temperature", "0", "--max-tokens", "5", "the ").out(), chat.out(),
                "a run of train --lora finds its base's chat template");
        Cli scored = Cli.expect(0, "score", "--model", base.toString(), "--adapter", adapter.toString(), "the cat sleeps .");
        assertTrue(scored.out().startsWith("perplexity"), scored.out());

        Path merged = dir.resolve("merged");
        Cli merge = Cli.expect(0, "merge", "--model", base.toString(), "--adapter", run.toString(), "--output",
                merged.toString());
        assertTrue(merge.out().contains("merged"), merge.out());
        assertEquals(viaAdapter, Cli.expect(0, "generate", "--model", merged.toString(), "--temperature", "0",
                "--max-tokens", "12", prompt).out(), "the merged folder generates as base + adapter");
        Cli again = Cli.expect(1, "merge", "--model", base.toString(), "--adapter", run.toString(), "--output",
                merged.toString());
        assertTrue(again.err().contains("already exists"), again.err());
    }

    @Test
    void anInterruptedLoraRunResumesToTheSameAdapter() throws Exception {
        Path whole = dir.resolve("whole"), parts = dir.resolve("parts");
        train(whole);
        train(parts, "--stop-at", "3");
        Cli resumed = Cli.expect(0, "train", "--resume", parts.toString());
        assertTrue(resumed.out().contains("step 6/6"), resumed.out());
        var a = Safetensors.read(whole.resolve("model").resolve(PeftAdapter.WEIGHTS)).tensors();
        var b = Safetensors.read(parts.resolve("model").resolve(PeftAdapter.WEIGHTS)).tensors();
        assertEquals(a.keySet(), b.keySet());
        a.forEach((key, t) -> assertTrue(Arrays.equals(t.data(), b.get(key).data()), key + " differs after resuming"));
    }

    @Test
    void badLoraSettingsAreOneClearLine() {
        Cli noRank = Cli.expect(2, "train", "--objective", "causal-lm", "--init-from", base.toString(), "--lora", "alpha=3");
        assertTrue(noRank.err().contains("--lora needs r=RANK"), noRank.err());
        Cli badKey = Cli.expect(2, "train", "--objective", "causal-lm", "--init-from", base.toString(), "--lora", "r=4,size=3");
        assertTrue(badKey.err().contains("'size=3' is not KEY=VALUE"), badKey.err());
        Cli fresh = Cli.expect(1, "train", "--objective", "causal-lm", "--steps", "1", "--output",
                dir.resolve("fresh").toString(), "--corpus", text.toString(), "--lora", "r=4");
        assertTrue(fresh.err().contains("lora.rank") && fresh.err().contains("needs model.init_from"), fresh.err());
        Cli target = Cli.expect(1, "train", "--objective", "causal-lm", "--steps", "1", "--output",
                dir.resolve("target").toString(), "--init-from", base.toString(), "--corpus", text.toString(), "--lora",
                "r=4,targets=qkv_proj");
        assertTrue(target.err().contains("target 'qkv_proj' matches no linear layer"), target.err());
        assertEquals(1, target.err().strip().lines().count(), target.err());
    }
}
