package io.orthrus.io;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.orthrus.files.AtomicFiles;
import io.orthrus.model.Direction;
import io.orthrus.model.Gpt;
import io.orthrus.nn.Activation;
import io.orthrus.nn.LayerNorm;
import io.orthrus.nn.Lora;
import io.orthrus.nn.Parameter;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.ByteLevelBpe;
import io.orthrus.tokenize.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GPT-2 checkpoints in Hugging Face's layout ({@code GPT2LMHeadModel}, or {@code GPT2Model}):
 * {@code config.json}, {@code model.safetensors} (or shards listed by
 * {@code model.safetensors.index.json}), and the tokenizer: {@code vocab.json} + {@code merges.txt},
 * or {@code tokenizer.json}.
 *
 * <p>Loading accepts weight names with or without the {@code transformer.} prefix, transposes the
 * {@code Conv1D} weights (stored {@code [in, out]}, where a {@code Linear} stores {@code [out, in]}),
 * skips the causal-mask buffers ({@code attn.bias}, {@code attn.masked_bias}) and a tied
 * {@code lm_head.weight}, reads an untied one ({@code tie_word_embeddings: false}), and refuses
 * any other weight, and any {@code config.json} option that would change the logits and that
 * Orthrus does not implement, by name. Loaded models are in evaluation mode, as
 * {@code from_pretrained} returns them. Saving writes the same layout, so that the model can go
 * back to Python.
 */
public final class HuggingFaceGpt2 {
    private static final Logger LOG = LoggerFactory.getLogger(HuggingFaceGpt2.class);
    private static final String PREFIX = "transformer.";
    private static final String HEAD = "lm_head.weight";
    /** config.json fields that are read into the model. */
    private static final Set<String> HONOURED = Set.of("vocab_size", "n_positions", "n_ctx", "n_embd", "n_layer", "n_head",
            "n_inner", "activation_function", "resid_pdrop", "layer_norm_epsilon", "tie_word_embeddings", "model_type");
    /** Fields whose other values are refused (checked in {@link #config}). */
    private static final Set<String> CHECKED = Set.of("scale_attn_weights", "scale_attn_by_inverse_layer_idx",
            "add_cross_attention", "is_encoder_decoder");
    /**
     * Fields that do not change the weights' layout or the logits: training, generation and
     * bookkeeping settings, the double-heads model's summary head, and {@code reorder_and_upcast_attn}
     * (the same products computed in float32, which Orthrus always uses).
     */
    private static final Set<String> INERT = Set.of("architectures", "transformers_version", "dtype", "torch_dtype",
            "initializer_range", "pad_token_id", "bos_token_id", "eos_token_id", "use_cache", "embd_pdrop", "attn_pdrop",
            "summary_type", "summary_use_proj", "summary_activation", "summary_proj_to_labels", "summary_first_dropout",
            "reorder_and_upcast_attn", "chunk_size_feed_forward", "output_hidden_states", "output_attentions",
            "return_dict", "id2label", "label2id", "problem_type", "_name_or_path", "task_specific_params",
            "gradient_checkpointing", "finetuning_task", "num_labels", "_attn_implementation_autoset");

    private HuggingFaceGpt2() {}

    /** Every config.json field the loader knows: read, checked or without effect on the logits. */
    static Set<String> knownConfigFields() {
        Set<String> all = new TreeSet<>(HONOURED);
        all.addAll(CHECKED);
        all.addAll(INERT);
        return all;
    }

    /** The model in {@code directory}, in evaluation mode, and its tokenizer (null when the folder has none). */
    public static GptCheckpoint load(Path directory) throws IOException {
        JsonObject json = HuggingFaceFolder.config(directory);
        TransformerConfig shape = config(directory.resolve(HuggingFaceFolder.CONFIG), json);
        Path weightsFile = HuggingFaceFolder.weightsFile(directory);
        Map<String, Tensor> stored = new LinkedHashMap<>();
        HuggingFaceFolder.weights(directory).forEach((name, t) ->
                stored.put(name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name, t));
        Gpt model = new Gpt(shape, new Rng(0));
        Map<String, Parameter> parameters = model.namedParameters();
        Set<String> unused = new TreeSet<>(stored.keySet());
        Map<String, Tensor> used = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> p : parameters.entrySet()) {
            String hfName = hfName(p.getKey());
            Tensor t = stored.get(hfName);
            if (t == null) {
                throw new IllegalArgumentException(weightsFile + ": no weight '" + hfName + "' (with or without '" + PREFIX
                        + "') for the model's " + p.getKey());
            }
            unused.remove(hfName);
            Tensor value = isConv1D(hfName) ? t.transpose(0, 1) : t;
            if (!java.util.Arrays.equals(value.shape(), p.getValue().shape())) {
                throw new IllegalArgumentException(weightsFile + ": '" + hfName + "' has shape "
                        + java.util.Arrays.toString(t.shape()) + " but config.json implies "
                        + java.util.Arrays.toString(isConv1D(hfName) ? new int[] {p.getValue().size(1), p.getValue().size(0)}
                        : p.getValue().shape()));
            }
            used.put(hfName, value);
        }
        Weights.requireFinite(weightsFile.toString(), used, Weights.ON_LOAD);
        parameters.forEach((name, p) -> {
            Tensor value = used.get(hfName(name));
            System.arraycopy(value.data(), 0, p.data(), 0, value.numel());
        });
        unused.removeIf(name -> name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias")
                || (shape.tiedEmbeddings() && name.equals(HEAD)));
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException(weightsFile + ": weights the GPT-2 layout does not have: " + unused);
        }
        Tokenizer tokenizer = tokenizer(directory);
        if (tokenizer != null && tokenizer.vocabSize() != shape.vocabSize()) {
            throw new IllegalArgumentException("HuggingFaceGpt2: the tokenizer in " + directory + " has "
                    + tokenizer.vocabSize() + " tokens but config.json says vocab_size " + shape.vocabSize());
        }
        model.eval();
        return new GptCheckpoint(model, tokenizer);
    }

    /** GPT-2's vocab.json + merges.txt (or encoder.json + vocab.bpe), else tokenizer.json, else null. */
    private static Tokenizer tokenizer(Path directory) throws IOException {
        boolean hasFiles = (Files.isRegularFile(directory.resolve("vocab.json"))
                && Files.isRegularFile(directory.resolve("merges.txt")))
                || (Files.isRegularFile(directory.resolve("encoder.json")) && Files.isRegularFile(directory.resolve("vocab.bpe")));
        return hasFiles ? ByteLevelBpe.load(directory) : HuggingFaceFolder.tokenizerJson(directory);
    }

    /**
     * Writes {@code model} in Hugging Face's GPT-2 layout, atomically; the tokenizer files too
     * when {@code tokenizer} is given. The model must have GPT-2's architecture: learned positions,
     * pre-norm, biases, left to right (an untied head is written as {@code lm_head.weight}).
     */
    public static void save(Path directory, Gpt model, ByteLevelBpe tokenizer) throws IOException {
        TransformerConfig c = model.config();
        if (!c.beyondClassicBlocks().isEmpty()) {
            throw new IllegalArgumentException("HuggingFaceGpt2.save: GPT-2's layout cannot hold " + c.beyondClassicBlocks());
        }
        String activation = switch (c.activation()) {
            case GELU -> "gelu_new";
            case GELU_EXACT -> "gelu";
            case RELU -> "relu";
            default -> throw new IllegalArgumentException("HuggingFaceGpt2.save: GPT-2 has no activation " + c.activation());
        };
        if (c.positions() != TransformerConfig.PositionalEncoding.LEARNED || c.norm() != TransformerConfig.NormPlacement.PRE
                || !c.bias() || model.direction() != Direction.LEFT_TO_RIGHT) {
            throw new IllegalArgumentException("HuggingFaceGpt2.save: GPT-2's layout needs learned positions, pre-norm,"
                    + " biases and left to right; this model has " + c.positions() + ", " + c.norm()
                    + ", bias " + c.bias() + ", " + model.direction());
        }
        if (tokenizer != null && tokenizer.vocabSize() != c.vocabSize()) {
            throw new IllegalArgumentException("HuggingFaceGpt2.save: the tokenizer has " + tokenizer.vocabSize()
                    + " tokens but the model " + c.vocabSize());
        }
        JsonObject config = new JsonObject();
        config.addProperty("model_type", "gpt2");
        config.add("architectures", JsonParser.parseString("[\"GPT2LMHeadModel\"]"));
        config.addProperty("vocab_size", c.vocabSize());
        config.addProperty("n_positions", c.contextLength());
        config.addProperty("n_ctx", c.contextLength());
        config.addProperty("n_embd", c.width());
        config.addProperty("n_layer", c.layers());
        config.addProperty("n_head", c.heads());
        config.addProperty("n_inner", c.feedForwardWidth());
        config.addProperty("activation_function", activation);
        config.addProperty("layer_norm_epsilon", c.layerNormEps());
        for (String dropout : new String[] {"resid_pdrop", "embd_pdrop", "attn_pdrop"}) {
            config.addProperty(dropout, c.dropout());
        }
        config.addProperty("tie_word_embeddings", c.tiedEmbeddings());
        Map<String, Tensor> weights = new LinkedHashMap<>();
        Lora.baseParameters(model).forEach((name, p) -> {
            String hfName = hfName(name);
            weights.put(hfName.equals(HEAD) ? HEAD : PREFIX + hfName, isConv1D(hfName) ? p.detach().transpose(0, 1) : p);
        });
        Weights.requireFinite("HuggingFaceGpt2.save " + directory, weights, Weights.ON_SAVE);
        AtomicFiles.writeDirectory(directory, dir -> {
            Files.writeString(dir.resolve("config.json"), config.toString(), StandardCharsets.UTF_8);
            Safetensors.write(dir.resolve("model.safetensors"), weights, Map.of("format", "pt"));
            if (tokenizer != null) {
                tokenizer.saveHuggingFace(dir);
            }
        });
    }

    /** The Hugging Face name (without the "transformer." prefix) of an Orthrus GPT parameter. */
    static String hfName(String name) {
        String n = name.replace("stack.blocks.", "h.").replace("stack.lnF.", "ln_f.")
                .replace(".ln1.", ".ln_1.").replace(".ln2.", ".ln_2.")
                .replace(".attn.qkv.", ".attn.c_attn.").replace(".attn.proj.", ".attn.c_proj.")
                .replace(".ff.up.", ".mlp.c_fc.").replace(".ff.down.", ".mlp.c_proj.");
        return n.equals("head.weight") ? HEAD : n;
    }

    private static boolean isConv1D(String hfName) {
        return hfName.endsWith(".weight") && (hfName.contains(".attn.c_") || hfName.contains(".mlp.c_"));
    }

    private static TransformerConfig config(Path file, JsonObject json) {
        String modelType = HuggingFaceFolder.string(file, json, "model_type", "gpt2");
        if (!modelType.equals("gpt2")) {
            throw new IllegalArgumentException(file + ": model_type '" + modelType + "' is not gpt2");
        }
        HuggingFaceFolder.requireValue(file, json, "scale_attn_weights", true,
                "Orthrus always scales attention scores by 1/sqrt(head size)");
        HuggingFaceFolder.requireValue(file, json, "scale_attn_by_inverse_layer_idx", false,
                "Orthrus does not scale attention by 1/(layer + 1)");
        HuggingFaceFolder.requireValue(file, json, "add_cross_attention", false, "GPT-2 cross-attention is not implemented");
        HuggingFaceFolder.requireValue(file, json, "is_encoder_decoder", false, "a GPT-2 encoder-decoder is not implemented");
        HuggingFaceFolder.warnUnknown(LOG, file, json, knownConfigFields());
        int width = HuggingFaceFolder.integer(file, json, "n_embd", null);
        int context = HuggingFaceFolder.integer(file, json, "n_positions", HuggingFaceFolder.integer(file, json, "n_ctx", 1024));
        int inner = HuggingFaceFolder.integer(file, json, "n_inner", 4 * width);
        String activation = HuggingFaceFolder.string(file, json, "activation_function", "gelu_new");
        Activation.Kind kind = switch (activation) {
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> Activation.Kind.GELU;
            case "gelu" -> Activation.Kind.GELU_EXACT;
            case "relu" -> Activation.Kind.RELU;
            default -> throw new IllegalArgumentException(file + ": activation_function '" + activation
                    + "' is not supported (gelu_new, gelu_pytorch_tanh, gelu_fast, gelu, relu)");
        };
        float eps = HuggingFaceFolder.number(file, json, "layer_norm_epsilon", LayerNorm.DEFAULT_EPS);
        boolean tied = HuggingFaceFolder.flag(file, json, "tie_word_embeddings", true);
        float dropout = HuggingFaceFolder.number(file, json, "resid_pdrop", 0.1f);
        try {
            return new TransformerConfig(HuggingFaceFolder.integer(file, json, "vocab_size", null), context, width,
                    HuggingFaceFolder.integer(file, json, "n_head", null), HuggingFaceFolder.integer(file, json, "n_layer", null),
                    inner, kind, dropout, TransformerConfig.PositionalEncoding.LEARNED,
                    TransformerConfig.NormPlacement.PRE, true, tied, eps);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}
