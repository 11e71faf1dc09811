package io.orthrus.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.infer.GenerationConfig;
import io.orthrus.infer.Generator;
import io.orthrus.model.Gpt;
import io.orthrus.nn.Parameter;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decoders saved here are folders transformers' {@code AutoModelForCausalLM.from_pretrained} reads with the same
 * logits and greedy tokens. {@code src/test/resources/llama-written/} holds what {@link #main} writes, a Llama made
 * here (Llama 3 rope scaling, 2 key/value heads, untied head) and the Qwen2 fixture loaded and saved again, each with
 * {@code reference.json} from {@code src/test/python/make_written_llama_fixture.py}. The test checks that the writer
 * still writes those bytes and that Orthrus's logits and tokens equal transformers'. After changing the writer: run
 * {@link #main}, then the script.
 */
class WrittenLlamaTest {
    @TempDir
    Path dir;

    private static Path resource(String name) throws Exception {
        return Path.of(WrittenLlamaTest.class.getResource("/" + name + "/config.json").toURI()).getParent();
    }

    /** A Llama of the fixtures' size with weights drawn here, wide enough (std 0.1, gains around 1) to move the logits. */
    static Gpt madeHere() {
        TransformerConfig config = TransformerConfig.llama(96, 64, 32, 4, 2, 2, 64, 500_000, 1e-5f).withHeadSize(8)
                .withTiedEmbeddings(false).withRope(500_000, new TransformerConfig.RopeScaling(8, 1, 4, 16));
        Gpt model = new Gpt(config, new Rng(3));
        Rng rng = new Rng(4);
        for (var e : model.namedParameters().entrySet()) {
            Parameter p = e.getValue();
            boolean gain = e.getKey().endsWith("ln1.weight") || e.getKey().endsWith("ln2.weight")
                    || e.getKey().endsWith("lnF.weight");
            for (int i = 0; i < p.numel(); i++) {
                p.data()[i] = (float) ((gain ? 1 : 0) + 0.1 * rng.nextGaussian());
            }
        }
        model.eval();
        return model;
    }

    /** Writes the two folders into {@code args[0]}. */
    public static void main(String[] args) throws Exception {
        HuggingFaceLlama.save(Path.of(args[0]).resolve("llama"), madeHere());
        HuggingFaceLlama.save(Path.of(args[0]).resolve("qwen2"), HuggingFaceLlama.loadModel(resource("llama/qwen2")));
    }

    @Test
    void transformersReadsWhatOrthrusWrites() throws Exception {
        main(new String[] {dir.toString()});
        for (String name : List.of("llama", "qwen2")) {
            Path folder = dir.resolve(name), committed = resource("llama-written/" + name);
            List<Path> files;
            try (Stream<Path> all = Files.list(folder)) {
                files = all.toList();
            }
            assertEquals(2, files.size(), files.toString());
            for (Path file : files) {
                assertArrayEquals(Files.readAllBytes(committed.resolve(file.getFileName().toString())),
                        Files.readAllBytes(file), name + "/" + file.getFileName() + " is not what the reference was made"
                                + " from; see the class comment to regenerate");
            }
            JsonObject reference = JsonParser.parseString(Files.readString(committed.resolve("reference.json")))
                    .getAsJsonObject();
            Gpt model = HuggingFaceLlama.loadModel(folder);
            JsonArray shape = reference.getAsJsonArray("shape");
            IntTensor ids = IntTensor.wrap(ints(reference.getAsJsonArray("ids")), shape.get(0).getAsInt(),
                    shape.get(1).getAsInt());
            float[] logits = model.evaluating(() -> model.forward(ids).toArray());
            JsonArray expected = reference.getAsJsonArray("logits");
            float worst = 0;
            for (int i = 0; i < logits.length; i++) {
                worst = Math.max(worst, Math.abs(logits[i] - expected.get(i).getAsFloat()));
            }
            assertTrue(worst <= 1e-4f, name + ": largest logit difference from transformers " + worst);
            int[] generated = new Generator(model, null).generate(ints(reference.getAsJsonArray("prompt")),
                    GenerationConfig.greedy(20), id -> { });
            assertArrayEquals(ints(reference.getAsJsonArray("generated")), generated, name + " greedy tokens");
        }
    }

    private static int[] ints(JsonArray array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsInt();
        }
        return out;
    }
}
