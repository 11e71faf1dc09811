package io.orthrus.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.infer.CrossEncoder;
import io.orthrus.infer.SentenceEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code orthrus train --objective contrastive | cross-encoder}: learning on the generated paraphrase pairs, the
 * exported folders, fine-tuning a model trained here, JSONL pairs, bit-exact resume and bad input.
 */
class PairTrainingTest {
    /** A small run: bert-tiny narrowed, short texts, small batches. */
    private static final List<String> DATA = List.of("--set", "data.pairs_count=600", "--set", "eval_batches=2",
            "--set", "data.batch_size=16");
    private static final List<String> FILE_DATA = List.of("--set", "eval_batches=2", "--set", "data.batch_size=16");
    private static final List<String> MODEL = List.of("--set", "model.width=32", "--set", "model.heads=2", "--set",
            "model.feed_forward_width=64", "--set", "model.context_length=32", "--set", "tokenizer.vocab_size=200");

    @TempDir
    Path dir;

    /** A run of a fresh small encoder: {@code args[0]} (the command), the small settings, then the other args, which win. */
    private static String[] command(String... args) {
        List<String> all = new ArrayList<>(List.of(args[0]));
        all.addAll(DATA);
        all.addAll(MODEL);
        all.addAll(List.of(args).subList(1, args.length));
        return all.toArray(String[]::new);
    }

    /** A run that starts from {@code folder}, whose shape and tokenizer it takes. */
    private static String[] from(Path folder, String... first) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(DATA);
        all.addAll(List.of("--set", "model.init_from=" + folder));
        return all.toArray(String[]::new);
    }

    /** The first number after {@code label} in each "held-out evaluation" line: before and after training. */
    private static double[] evaluations(String out, String label) {
        Matcher m = Pattern.compile("held-out evaluation at step \\d+: .*?" + Pattern.quote(label) + " ([0-9.]+)").matcher(out);
        List<Double> found = new ArrayList<>();
        while (m.find()) {
            found.add(Double.parseDouble(m.group(1)));
        }
        assertEquals(2, found.size(), out);
        return new double[] {found.get(0), found.get(1)};
    }

    @Test
    void contrastiveTrainingRaisesRecallAndExportsASentenceEncoder() throws Exception {
        Path run = dir.resolve("contrastive");
        Cli trained = Cli.expect(0, command("train", "--objective", "contrastive", "--steps", "60", "--output",
                run.toString(), "--set", "optimizer.learning_rate=3e-3"));
        double[] recall = evaluations(trained.out(), "recall@1");
        assertTrue(recall[1] > recall[0] + 0.15, "recall@1 " + recall[0] + " -> " + recall[1] + "\n" + trained.out());
        SentenceEncoder encoder = SentenceEncoder.load(run.resolve("model"));
        assertEquals(32, encoder.dimension());
        Path texts = dir.resolve("texts.jsonl"), vectors = dir.resolve("vectors.jsonl");
        Files.writeString(texts, "{\"text\": \"the dog sees a cat .\"}\n", StandardCharsets.UTF_8);
        Cli.expect(0, "embed", "--model", run.resolve("model").toString(), "--input", texts.toString(), "--output",
                vectors.toString());
        assertTrue(Files.readString(vectors).contains("\"embedding\":["));

        Path tuned = dir.resolve("tuned"); // fine-tuning the exported encoder further, from its folder
        Cli again = Cli.expect(0, from(run.resolve("model"), "train", "--objective", "contrastive", "--steps", "2",
                "--output", tuned.toString(), "--set", "loss.symmetric=true"));
        assertTrue(again.out().contains("symmetric"), again.out());
        assertEquals(evaluations(trained.out(), "recall@1")[1], evaluations(again.out(), "recall@1")[0], 1e-9,
                "the loaded encoder retrieves as the trained one did");
    }

    @Test
    void aMaskedLmRunIsFineTunedIntoASentenceEncoder() throws Exception {
        Path mlm = dir.resolve("mlm"), tuned = dir.resolve("tuned");
        String[] masked = {"train", "--objective", "masked-lm", "--steps", "3", "--output", mlm.toString(), "--set",
                "data.sentences=400", "--set", "data.batch_size=4", "--set", "model.context_length=16", "--set",
                "eval_batches=1"};
        Cli.expect(0, masked);
        Cli refused = Cli.expect(1, from(mlm.resolve("model"), "train", "--objective", "contrastive", "--output",
                tuned.toString()));
        assertTrue(refused.err().contains("field 'model.init_from'") && refused.err().contains("needs post-norm"),
                "the default preset is pre-norm, which BERT's layout cannot hold; refused before training: " + refused.err());
        assertTrue(!java.nio.file.Files.exists(tuned.resolve("run.json")), "nothing written");
        List<String> bertShaped = new ArrayList<>(List.of(masked));
        bertShaped.addAll(List.of("--set", "model.preset=bert-tiny", "--force"));
        Cli.expect(0, bertShaped.toArray(String[]::new));
        Cli trained = Cli.expect(0, from(mlm.resolve("model"), "train", "--objective", "contrastive", "--steps", "2",
                "--output", tuned.toString()));
        assertTrue(trained.out().contains("held-out evaluation at step 2"), trained.out());
    }

    @Test
    void crossEncoderTrainingRaisesPairAccuracyAndExportsAReranker() throws Exception {
        Path run = dir.resolve("reranker");
        // From scratch, telling "the dog is seen by a cat" from "a cat is seen by the dog" takes a cross-encoder a while
        Cli trained = Cli.expect(0, command("train", "--objective", "cross-encoder", "--steps", "300", "--output",
                run.toString(), "--set", "optimizer.learning_rate=2e-3", "--set", "eval_interval=300", "--set",
                "data.pairs_count=1200"));
        double[] accuracy = evaluations(trained.out(), "pair accuracy");
        assertTrue(accuracy[1] > accuracy[0] + 0.15, accuracy[0] + " -> " + accuracy[1]);
        CrossEncoder reranker = CrossEncoder.load(run.resolve("model"));
        float[] scores = reranker.score("the dog sees a cat .", List.of("a cat is seen by the dog .",
                "the dog is seen by a cat ."));
        assertTrue(scores[0] > 0 && scores[0] < 1, "a sigmoid score: " + scores[0]);
    }

    @Test
    void pairsFromJsonlTrainByTheirKind() throws Exception {
        Path scored = dir.resolve("scored.jsonl");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            lines.append("{\"a\": \"the dog ").append(i % 2 == 0 ? "runs" : "sleeps").append(" .\", \"b\": \"a dog runs .\", "
                    + "\"score\": ").append(i % 2 == 0 ? "0.9" : "0.2").append("}\n");
        }
        Files.writeString(scored, lines.toString(), StandardCharsets.UTF_8);
        List<String> cosineRun = new ArrayList<>(List.of("train", "--objective", "contrastive", "--steps", "3",
                "--output", dir.resolve("cosine").toString(), "--set", "data.pairs=" + scored));
        cosineRun.addAll(FILE_DATA);
        cosineRun.addAll(MODEL);
        Cli trained = Cli.expect(0, cosineRun.toArray(String[]::new));
        assertTrue(trained.out().contains("cosine similarity") && trained.out().contains("Spearman"), trained.out());
        List<String> softRun = new ArrayList<>(cosineRun);
        softRun.set(2, "cross-encoder");
        softRun.set(6, dir.resolve("soft").toString());
        Cli reranked = Cli.expect(0, softRun.toArray(String[]::new));
        assertTrue(reranked.out().contains("Spearman"), reranked.out());

        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"anchor\": \"a\", \"positive\": \"b\"}\n\n{\"anchor\": \"a\"}\n", StandardCharsets.UTF_8);
        Cli refused = Cli.expect(1, "train", "--objective", "contrastive", "--output", dir.resolve("bad").toString(),
                "--set", "data.pairs=" + bad);
        assertTrue(refused.err().contains("bad.jsonl:3: field \"positive\" must be a string"), refused.err());
        Path mixed = dir.resolve("mixed.jsonl");
        Files.writeString(mixed, "{\"anchor\": \"a\", \"positive\": \"b\"}\n{\"a\": \"a\", \"b\": \"b\", \"score\": 1}\n",
                StandardCharsets.UTF_8);
        Cli mixedRefused = Cli.expect(1, "train", "--objective", "contrastive", "--output", dir.resolve("mixed").toString(),
                "--set", "data.pairs=" + mixed);
        assertTrue(mixedRefused.err().contains("mixed.jsonl:2: this line is a scored pair but the first is a related pair"),
                mixedRefused.err());
        Cli missing = Cli.expect(1, "train", "--objective", "cross-encoder", "--output", dir.resolve("missing").toString(),
                "--set", "data.pairs=" + dir.resolve("absent.jsonl"));
        assertTrue(missing.err().contains("absent.jsonl, which is not a readable file"), missing.err());
        Path wide = dir.resolve("wide.jsonl");
        Files.writeString(wide, lines.toString().replace("0.9", "1.5"), StandardCharsets.UTF_8);
        Cli outOfRange = Cli.expect(1, "train", "--objective", "cross-encoder", "--output", dir.resolve("wide").toString(),
                "--set", "data.pairs=" + wide);
        assertTrue(outOfRange.err().contains("has score 1.5; a cross-encoder learns targets in [0, 1]"), outOfRange.err());
    }

    @Test
    void stoppingAndResumingIsBitExact() throws Exception {
        for (String objective : List.of("contrastive", "cross-encoder")) {
            Path straight = dir.resolve(objective + "-straight"), resumed = dir.resolve(objective + "-resumed");
            Cli.expect(0, command("train", "--objective", objective, "--steps", "8", "--output", straight.toString(),
                    "--set", "eval_interval=4"));
            Cli.expect(0, command("train", "--objective", objective, "--steps", "8", "--output", resumed.toString(),
                    "--set", "eval_interval=4", "--stop-at", "4"));
            Cli.expect(0, "train", "--resume", resumed.toString());
            assertArrayEquals(Files.readAllBytes(straight.resolve("checkpoints/step-00000008/model.safetensors")),
                    Files.readAllBytes(resumed.resolve("checkpoints/step-00000008/model.safetensors")), objective);
        }
    }
}
