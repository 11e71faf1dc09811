package io.orthrus.model;

import io.orthrus.nn.Embedding;
import io.orthrus.nn.Linear;
import io.orthrus.nn.Lstm;
import io.orthrus.nn.Module;
import io.orthrus.nn.ModuleList;
import io.orthrus.nn.ScalarMix;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ELMo's bidirectional language model (Peters et al., 2018): a forward LSTM language model and a
 * backward one, sharing the token embedding and the softmax, trained jointly
 * ({@code objective.BidirectionalLm}); their layers, mixed, are contextual token vectors.
 *
 * <pre>
 * ids (B, T) ─▶ embedding (B, T, H)                                     layer 0 = [e ; e]     (B, T, 2H)
 *   forward:  LSTM₁ ─▶ … ─▶ LSTM_L, left to right                      layer j = [→h_j ; ←h_j] (B, T, 2H)
 *   backward: LSTM₁ ─▶ … ─▶ LSTM_L, right to left (own weights)
 *   →h_L ─▶ softmax (H, V): next token;  ←h_L ─▶ the same softmax: previous token
 *   ELMo(ids) = γ · Σ_j s_j · layer_j    (a ScalarMix over the L + 1 layers)
 * </pre>
 *
 * Tokens may be characters ({@code CharTokenizer}) or words; the embedding width equals the
 * hidden width H, so that layer 0 has the shape of the others, as ELMo's token layer does.
 */
public final class BiLm extends Module implements BidirectionalLanguageModel {
    private final int vocabSize;
    private final int hidden;
    private final Embedding embedding;
    private final ModuleList<Lstm> forwardLayers;
    private final ModuleList<Lstm> backwardLayers;
    private final Linear softmax;
    private final ScalarMix mix;

    /** A biLM over {@code vocabSize} tokens with {@code layers} LSTM layers of {@code hidden} units per direction. */
    public BiLm(int vocabSize, int hidden, int layers, Rng rng) {
        if (vocabSize < 2 || hidden <= 0 || layers <= 0) {
            throw new IllegalArgumentException("BiLm: need vocabSize ≥ 2, hidden > 0 and layers > 0, got " + vocabSize
                    + ", " + hidden + ", " + layers);
        }
        this.vocabSize = vocabSize;
        this.hidden = hidden;
        this.embedding = registerModule("embedding", new Embedding(vocabSize, hidden, rng));
        List<Lstm> forward = new ArrayList<>(), backward = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            forward.add(new Lstm(hidden, hidden, rng));
            backward.add(new Lstm(hidden, hidden, rng));
        }
        this.forwardLayers = registerModule("forward", new ModuleList<>(forward));
        this.backwardLayers = registerModule("backward", new ModuleList<>(backward));
        this.softmax = registerModule("softmax", new Linear(hidden, vocabSize, true, rng));
        this.mix = registerModule("mix", new ScalarMix(layers + 1));
    }

    /** Vocabulary size V. */
    @Override
    public int vocabSize() {
        return vocabSize;
    }

    /** Hidden units H per direction; contextual vectors have 2H. */
    public int hidden() {
        return hidden;
    }

    /** Number of LSTM layers L per direction. */
    public int layers() {
        return forwardLayers.size();
    }

    /** The scalar mix that {@link #embed} applies (trainable by a downstream task). */
    public ScalarMix mix() {
        return mix;
    }

    /** The states of both directions, position-aligned: {forward, backward} lists of L + 1 tensors (B, T, H). */
    public List<List<Tensor>> states(IntTensor ids) {
        int[] shape = ids.shape();
        if (shape.length != 2) {
            throw new IllegalArgumentException("BiLm: ids must be (B, T), got shape " + Arrays.toString(shape));
        }
        ids.checkRange("BiLm", "token id", vocabSize);
        Tensor e = embedding.forward(ids); // (B, T, H)
        IntTensor reversed = TransformerBiLm.reversal(shape[1]);
        List<Tensor> forward = new ArrayList<>(List.of(e)), backward = new ArrayList<>(List.of(e));
        Tensor f = e, r = e.indexSelect(1, reversed); // r: the sequence right to left, (B, T, H)
        for (int i = 0; i < layers(); i++) {
            f = forwardLayers.get(i).forward(f); // (B, T, H)
            r = backwardLayers.get(i).forward(r); // (B, T, H), in reversed order
            forward.add(f);
            backward.add(r.indexSelect(1, reversed)); // (B, T, H), aligned with the input again
        }
        return List.of(forward, backward);
    }

    /** The L + 1 layer representations {@code (B, T, 2H)}: [e ; e], then [→h_j ; ←h_j]. */
    public List<Tensor> layerRepresentations(IntTensor ids) {
        List<List<Tensor>> states = states(ids);
        List<Tensor> layers = new ArrayList<>();
        for (int j = 0; j <= layers(); j++) {
            layers.add(Tensor.concat(2, states.get(0).get(j), states.get(1).get(j))); // (B, T, 2H)
        }
        return layers;
    }

    /** Logits {@code (B, T, V)} of the next token (forward LM) and of the previous token (backward LM) at each position. */
    @Override
    public Tensor[] logits(IntTensor ids) {
        List<List<Tensor>> states = states(ids);
        return new Tensor[] {softmax.forward(states.get(0).get(layers())), softmax.forward(states.get(1).get(layers()))};
    }

    /** ELMo vectors {@code (B, T, 2H)}: the scalar mix of the layers, in evaluation mode without gradients. */
    @Override
    public Tensor embed(IntTensor ids) {
        return evaluating(() -> mix.forward(layerRepresentations(ids))); // (B, T, 2H)
    }
}
