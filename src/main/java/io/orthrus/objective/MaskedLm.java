package io.orthrus.objective;

import io.orthrus.data.TokenBatch;
import io.orthrus.model.Bert;
import io.orthrus.model.LanguageModel;
import io.orthrus.nn.AttentionMask;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Losses;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import io.orthrus.tokenize.WordPiece;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * The masked-LM ("cloze") objective of BERT: hide some tokens and predict them from both sides.
 *
 * <p>In each sequence, {@code rate} (15%) of the maskable positions — not special, not padding —
 * are chosen, {@code max(1, round(rate · n))} of them as in BERT's data generator. Of the chosen
 * positions, {@code maskFraction} (80%) become {@code [MASK]}, {@code randomFraction} (10%) a
 * random non-special token, and the rest keep their token. The loss is the cross-entropy at the
 * chosen positions only. The random replacement and the unchanged tokens exist because
 * {@code [MASK]} never appears when the model is fine-tuned: the model cannot assume that only
 * {@code [MASK]} positions matter, so it keeps a good representation of every token.
 *
 * <p>How positions are chosen ({@link Strategy}): single tokens; whole words (a word's
 * {@code ##} pieces are masked with it, Google's whole-word masking); or spans of whole words
 * whose lengths are geometric (SpanBERT, p = 0.2, at most 10 words).
 *
 * <p>The choice is seeded and depends only on the seed and the batch's content: the same batch is
 * masked the same way every time (so a fixed validation set gives a steady loss), and different
 * batches differently.
 */
public final class MaskedLm implements Objective<Bert, TokenBatch> {
    /** How positions are grouped when choosing what to mask. */
    public enum Strategy {
        /** Each token on its own (original BERT). */
        TOKENS,
        /** All pieces of a word together. */
        WHOLE_WORDS,
        /** Contiguous spans of whole words with geometric lengths (SpanBERT). */
        SPANS
    }

    /**
     * The vocabulary facts masking needs.
     *
     * @param vocabSize    number of ids
     * @param maskId       id of {@code [MASK]}
     * @param special      ids that are never masked nor drawn as random replacements
     * @param continuation ids that continue the word before them (WordPiece's {@code ##} pieces)
     */
    public record Vocabulary(int vocabSize, int maskId, IntPredicate special, IntPredicate continuation) {
        /** The facts of a WordPiece vocabulary. */
        public static Vocabulary of(WordPiece tokenizer) {
            return new Vocabulary(tokenizer.vocabSize(), tokenizer.maskId(), tokenizer::isSpecial,
                    tokenizer::isContinuation);
        }
    }

    /**
     * How many positions to mask, how to replace them, and how to choose them.
     *
     * @param rate           fraction of maskable positions to predict, in (0, 1]
     * @param maskFraction   of those, the fraction replaced by {@code [MASK]}
     * @param randomFraction of those, the fraction replaced by a random token (the rest are kept)
     * @param strategy       how positions are grouped
     * @param seed           seed of the choice
     */
    public record Options(double rate, double maskFraction, double randomFraction, Strategy strategy, long seed) {
        /** Checks every field, naming the one that is wrong. */
        public Options {
            if (!(rate > 0 && rate <= 1)) {
                throw new IllegalArgumentException("MaskedLm: rate must be in (0, 1], got " + rate);
            }
            if (!(maskFraction >= 0 && randomFraction >= 0 && maskFraction + randomFraction <= 1)) {
                throw new IllegalArgumentException("MaskedLm: maskFraction " + maskFraction + " and randomFraction "
                        + randomFraction + " must be non-negative with a sum of at most 1");
            }
            if (strategy == null) {
                throw new IllegalArgumentException("MaskedLm: strategy must be set");
            }
        }

        /** BERT's 15% with 80/10/10, single tokens. */
        public static Options bert(long seed) {
            return new Options(0.15, 0.8, 0.1, Strategy.TOKENS, seed);
        }

        /** A copy with another strategy. */
        public Options withStrategy(Strategy value) {
            return new Options(rate, maskFraction, randomFraction, value, seed);
        }

        /** A copy with another rate. */
        public Options withRate(double value) {
            return new Options(value, maskFraction, randomFraction, strategy, seed);
        }

        /** A copy with other replacement fractions. */
        public Options withReplacement(double mask, double random) {
            return new Options(rate, mask, random, strategy, seed);
        }
    }

    /**
     * A batch after masking.
     *
     * @param inputs    the batch with the chosen positions replaced
     * @param targets   {@code (B, T)}: the original id at chosen positions, {@link Losses#IGNORE_INDEX} elsewhere
     * @param positions flat indices {@code b·T + t} of the chosen positions, in order
     */
    public record MaskedBatch(TokenBatch inputs, IntTensor targets, int[] positions) {}

    private static final double SPAN_P = 0.2;
    private static final int MAX_SPAN_WORDS = 10;

    private final Vocabulary vocabulary;
    private final Options options;
    private final int[] replacements; // non-special ids, drawn for random replacement

    /** The objective for {@code vocabulary} with {@code options}. */
    public MaskedLm(Vocabulary vocabulary, Options options) {
        this.vocabulary = vocabulary;
        this.options = options;
        this.replacements = java.util.stream.IntStream.range(0, vocabulary.vocabSize())
                .filter(id -> !vocabulary.special().test(id)).toArray();
        if (replacements.length == 0) {
            throw new IllegalArgumentException("MaskedLm: every id of the vocabulary is special; nothing can be masked");
        }
    }

    /** BERT's recipe for a WordPiece vocabulary. */
    public static MaskedLm bert(WordPiece tokenizer, long seed) {
        return new MaskedLm(Vocabulary.of(tokenizer), Options.bert(seed));
    }

    /** The options. */
    public Options options() {
        return options;
    }

    /**
     * This masking as an objective for any {@link LanguageModel} on windows {@code (B, T+1)}, the
     * batches of {@link CausalLm}: it masks the first T tokens of each window and runs the model
     * under a bidirectional mask. This is how a GPT-shaped stack learns to fill masks next to
     * {@link CausalLm} and {@link PrefixLm} in one {@link Mixture} (UniLM).
     */
    public Objective<LanguageModel, IntTensor> onWindows() {
        return new Objective<>() {
            @Override
            public Tensor loss(LanguageModel model, IntTensor batch) {
                MaskedBatch masked = maskWindows(batch);
                Tensor logits = model.logits(masked.inputs().ids(), AttentionMask.bidirectional()); // (B, T, V)
                return Losses.crossEntropy(logits, masked.targets(), Losses.IGNORE_INDEX, 0f); // scalar
            }

            @Override
            public int predictions(IntTensor batch) {
                return maskWindows(batch).positions().length;
            }

            @Override
            public String name() {
                return "masked-lm on windows";
            }
        };
    }

    private MaskedBatch maskWindows(IntTensor windows) {
        IntTensor ids = CausalLm.leftToRight().inputsAndTargets(windows)[0]; // (B, T)
        int n = ids.data().length;
        int[] ones = new int[n];
        Arrays.fill(ones, 1);
        return mask(new TokenBatch(ids, IntTensor.wrap(new int[n], ids.shape()), IntTensor.wrap(ones, ids.shape())));
    }

    @Override
    public Tensor loss(Bert model, TokenBatch batch) {
        MaskedBatch masked = mask(batch);
        return Losses.crossEntropy(logitsAtChosen(model, masked), chosenTargets(masked)); // scalar
    }

    /** MLM logits {@code (N, V)} at the N chosen positions only (the head is not run elsewhere). */
    private static Tensor logitsAtChosen(Bert model, MaskedBatch masked) {
        Tensor hidden = model.encode(masked.inputs()); // (B, T, C)
        int b = masked.inputs().size(), t = masked.inputs().length(), c = hidden.size(2);
        IntTensor positions = IntTensor.wrap(masked.positions(), masked.positions().length);
        Tensor chosen = hidden.reshape(b * t, c).indexSelect(0, positions); // (N, C)
        return model.mlmLogits(chosen); // (N, V)
    }

    private static IntTensor chosenTargets(MaskedBatch masked) {
        int[] targets = new int[masked.positions().length];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = masked.targets().data()[masked.positions()[i]];
        }
        return IntTensor.wrap(targets, targets.length);
    }

    /**
     * Loss and accuracy over {@code batches}, in evaluation mode and without gradients.
     *
     * @param loss        mean cross-entropy per predicted position, in nats
     * @param accuracy    fraction of predicted positions whose most probable token is the original one
     * @param predictions number of predicted positions
     */
    public record Evaluation(double loss, double accuracy, long predictions) {}

    /** Masked-token loss and accuracy of {@code model} on {@code batches} (masked as in training, by content). */
    public Evaluation evaluate(Bert model, List<TokenBatch> batches) {
        return model.evaluating(() -> {
            double lossSum = 0;
            long correct = 0, total = 0;
            for (TokenBatch batch : batches) {
                MaskedBatch masked = mask(batch);
                Tensor logits = logitsAtChosen(model, masked); // (N, V)
                int[] targets = chosenTargets(masked).data();
                lossSum += Losses.crossEntropy(logits, IntTensor.wrap(targets, targets.length)).item() * targets.length;
                int[] best = logits.argmax(-1).data();
                for (int i = 0; i < targets.length; i++) {
                    correct += best[i] == targets[i] ? 1 : 0;
                }
                total += targets.length;
            }
            return new Evaluation(lossSum / total, correct / (double) total, total);
        });
    }

    /**
     * Chooses and replaces the positions to predict. Throws if a sequence has no maskable
     * position (only special tokens and padding).
     */
    public MaskedBatch mask(TokenBatch batch) {
        int b = batch.size(), t = batch.length();
        int[] ids = batch.ids().data(), attention = batch.attentionMask().data();
        int[] inputs = ids.clone(), targets = new int[b * t];
        Arrays.fill(targets, Losses.IGNORE_INDEX);
        Rng rng = new Rng(options.seed() ^ contentHash(ids));
        List<Integer> chosenAll = new ArrayList<>();
        for (int row = 0; row < b; row++) {
            List<int[]> words = words(ids, attention, row * t, t);
            int maskable = words.stream().mapToInt(w -> w.length).sum();
            if (maskable == 0) {
                throw new IllegalArgumentException("MaskedLm: sequence " + row + " of the batch has no maskable position "
                        + "(only special tokens and padding); give it some text");
            }
            int budget = Math.max(1, (int) Math.round(maskable * options.rate()));
            boolean[] chosen = new boolean[t];
            if (options.strategy() == Strategy.SPANS) {
                chooseSpans(words, budget, rng, chosen);
            } else {
                chooseGroups(words, budget, rng, chosen);
            }
            for (int i = 0; i < t; i++) {
                if (!chosen[i]) {
                    continue;
                }
                int at = row * t + i;
                targets[at] = ids[at];
                chosenAll.add(at);
                double r = rng.nextDouble();
                if (r < options.maskFraction()) {
                    inputs[at] = vocabulary.maskId();
                } else if (r < options.maskFraction() + options.randomFraction()) {
                    inputs[at] = replacements[rng.nextInt(replacements.length)];
                }
            }
        }
        TokenBatch masked = new TokenBatch(IntTensor.wrap(inputs, b, t), batch.segments(), batch.attentionMask());
        return new MaskedBatch(masked, IntTensor.wrap(targets, b, t),
                chosenAll.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The maskable positions of one row as groups: single tokens, or whole words for the word strategies. */
    private List<int[]> words(int[] ids, int[] attention, int start, int t) {
        List<int[]> groups = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        boolean byWord = options.strategy() != Strategy.TOKENS;
        for (int i = 0; i < t; i++) {
            int id = ids[start + i];
            boolean maskable = attention[start + i] != 0 && !vocabulary.special().test(id);
            boolean continues = byWord && maskable && !current.isEmpty() && vocabulary.continuation().test(id);
            if (!continues && !current.isEmpty()) {
                groups.add(current.stream().mapToInt(Integer::intValue).toArray());
                current.clear();
            }
            if (maskable) {
                current.add(i);
            }
        }
        if (!current.isEmpty()) {
            groups.add(current.stream().mapToInt(Integer::intValue).toArray());
        }
        return groups;
    }

    /** Shuffles the groups and takes them while they fit the budget (BERT's create_pretraining_data). */
    private static void chooseGroups(List<int[]> groups, int budget, Rng rng, boolean[] chosen) {
        int[] order = shuffled(groups.size(), rng);
        int count = 0;
        for (int g : order) {
            int[] group = groups.get(g);
            if (count + group.length > budget) {
                continue;
            }
            for (int i : group) {
                chosen[i] = true;
            }
            count += group.length;
            if (count == budget) {
                return;
            }
        }
    }

    /** Spans of whole words: geometric length (in words), random start, until the budget is met. */
    private static void chooseSpans(List<int[]> words, int budget, Rng rng, boolean[] chosen) {
        int count = 0;
        for (int attempt = 0; attempt < 100 * words.size() && count < budget; attempt++) {
            int length = 1;
            while (length < MAX_SPAN_WORDS && rng.nextDouble() >= SPAN_P) {
                length++;
            }
            int first = rng.nextInt(words.size());
            for (int w = first; w < Math.min(words.size(), first + length); w++) {
                int[] word = words.get(w);
                if (chosen[word[0]] || count + word.length > budget) {
                    break;
                }
                for (int i : word) {
                    chosen[i] = true;
                }
                count += word.length;
            }
        }
    }

    private static int[] shuffled(int n, Rng rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) { // Fisher–Yates
            int j = rng.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }

    static long contentHash(int[] ids) {
        long h = 0x9E3779B97F4A7C15L;
        for (int id : ids) {
            h = (h ^ id) * 0x100000001B3L;
        }
        return h;
    }

    @Override
    public int predictions(TokenBatch batch) {
        return mask(batch).positions().length;
    }

    @Override
    public String name() {
        return "masked-lm (" + options.strategy().name().toLowerCase(java.util.Locale.ROOT) + ")";
    }
}
