package io.orthrus.objective;

import io.orthrus.data.PairBatch;
import io.orthrus.model.PooledEncoder;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Losses;
import io.orthrus.tensor.Tensor;

/**
 * Contrastive training with in-batch negatives (sentence-transformers' MultipleNegativesRankingLoss,
 * the InfoNCE of van den Oord et al.): for each anchor, its positive must score higher than every
 * other candidate of the batch, the other anchors' positives and all hard negatives. Scores are
 * cosine similarities times {@code scale}; the loss is the cross-entropy of picking the right
 * candidate.
 *
 * <pre>
 * anchors a (B, D), candidates c = [positives; negatives] (B or 2B, D)
 * S = scale · cos(a, c)ᵀ (B, B or 2B);  loss = CE(S, [0, 1, …, B-1])
 * symmetric: + CE(scale · cos(positives, a)ᵀ, [0, …, B-1]), then halved
 * </pre>
 *
 * Larger batches give more negatives and a harder, more useful task.
 */
public final class MultipleNegativesRanking implements Objective<PooledEncoder, PairBatch> {
    /** sentence-transformers' default scale: cosine similarities in [-1, 1] become logits in [-20, 20]. */
    public static final float DEFAULT_SCALE = 20f;

    private final float scale;
    private final boolean symmetric;

    /** The objective with scale 20, anchors to candidates only. */
    public MultipleNegativesRanking() {
        this(DEFAULT_SCALE, false);
    }

    /**
     * The objective with {@code scale} (the inverse temperature, &gt; 0); {@code symmetric} also
     * asks each positive to pick its anchor among the batch's anchors and averages the two losses
     * (MultipleNegativesSymmetricRankingLoss).
     */
    public MultipleNegativesRanking(float scale, boolean symmetric) {
        if (!(scale > 0) || !Float.isFinite(scale)) {
            throw new IllegalArgumentException("MultipleNegativesRanking: scale must be a finite number > 0, got " + scale);
        }
        this.scale = scale;
        this.symmetric = symmetric;
    }

    @Override
    public Tensor loss(PooledEncoder model, PairBatch batch) {
        if (batch.scores() != null) {
            throw new IllegalArgumentException("MultipleNegativesRanking: the batch holds scored pairs; train them with"
                    + " CosineSimilarity");
        }
        Tensor anchors = model.embed(batch.first()); // (B, D)
        Tensor positives = model.embed(batch.second()); // (B, D)
        return loss(anchors, positives, batch.negatives() == null ? null : model.embed(batch.negatives()));
    }

    /**
     * The loss of sentence vectors: {@code anchors} and {@code positives} {@code (B, D)}, the i-th of
     * each a pair, and {@code negatives} {@code (B, D)} or null; they need not have unit length.
     */
    public Tensor loss(Tensor anchors, Tensor positives, Tensor negatives) {
        int b = anchors.size(0);
        Tensor a = PooledEncoder.unitLength(anchors); // (B, D)
        Tensor p = PooledEncoder.unitLength(positives); // (B, D)
        Tensor candidates = negatives == null ? p : Tensor.concat(0, p, PooledEncoder.unitLength(negatives)); // (B or 2B, D)
        IntTensor diagonal = IntTensor.wrap(range(b), b);
        Tensor loss = Losses.crossEntropy(a.matmul(candidates.transpose(0, 1)).mul(scale), diagonal); // scalar
        if (symmetric) {
            Tensor backward = Losses.crossEntropy(p.matmul(a.transpose(0, 1)).mul(scale), diagonal);
            loss = loss.add(backward).mul(0.5f);
        }
        return loss;
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    @Override
    public int predictions(PairBatch batch) {
        return batch.size();
    }

    @Override
    public String name() {
        return "multiple-negatives ranking (scale " + scale + (symmetric ? ", symmetric)" : ")");
    }
}
