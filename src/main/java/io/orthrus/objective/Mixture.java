package io.orthrus.objective;

import io.orthrus.nn.Module;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Several objectives trained on one model (UniLM: one stack, several attention masks). Each
 * training call picks one part at random with probability proportional to its weight, so a step
 * costs one forward pass, as in UniLM, where each batch is given one of the objectives; the
 * draws are seeded. In evaluation mode the loss is the weighted mean of every part's loss on the
 * same batch, so that a fixed validation set gives a steady figure.
 *
 * @param <M> the model type all parts accept
 * @param <B> the batch type all parts read
 */
public final class Mixture<M, B> implements Objective<M, B> {
    /** One objective and its weight (> 0). */
    public record Part<M, B>(Objective<? super M, B> objective, double weight) {
        /** Checks the weight. */
        public Part {
            if (objective == null) {
                throw new IllegalArgumentException("Mixture.Part: objective is required");
            }
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("Mixture.Part: weight of " + objective.name()
                        + " must be finite and > 0, got " + weight);
            }
        }
    }

    private final List<Part<M, B>> parts;
    private final double total;
    private final Rng draws;
    private Part<M, B> last;

    /** The mixture of {@code parts}, drawn with a generator seeded by {@code seed}. */
    public Mixture(List<Part<M, B>> parts, long seed) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("Mixture: give at least one objective");
        }
        this.parts = List.copyOf(parts);
        this.total = parts.stream().mapToDouble(Part::weight).sum();
        this.draws = new Rng(seed);
        this.last = this.parts.get(0);
    }

    /** One part. */
    public static <M, B> Part<M, B> part(Objective<? super M, B> objective, double weight) {
        return new Part<>(objective, weight);
    }

    @Override
    public Tensor loss(M model, B batch) {
        boolean training = !(model instanceof Module module) || module.isTraining();
        if (training) {
            last = draw();
            return last.objective().loss(model, batch);
        }
        Tensor sum = null;
        for (Part<M, B> part : parts) {
            Tensor weighted = part.objective().loss(model, batch).mul((float) (part.weight() / total)); // scalar
            sum = sum == null ? weighted : sum.add(weighted);
        }
        return sum;
    }

    private Part<M, B> draw() {
        double u = draws.nextDouble() * total;
        for (Part<M, B> part : parts) {
            u -= part.weight();
            if (u < 0) {
                return part;
            }
        }
        return parts.get(parts.size() - 1);
    }

    /** The predictions of the part drawn for the last training call. */
    @Override
    public int predictions(B batch) {
        return last.objective().predictions(batch);
    }

    /** The part drawn for the last training call (the first part before any call). */
    public Objective<? super M, B> lastDrawn() {
        return last.objective();
    }

    /** The parts. */
    public List<Part<M, B>> parts() {
        return parts;
    }

    /** The draw generator as {@code "draws"}, and each part's generators as {@code "part<i>.<name>"}. */
    @Override
    public Map<String, Rng> generators() {
        Map<String, Rng> out = new LinkedHashMap<>();
        out.put("draws", draws);
        for (int i = 0; i < parts.size(); i++) {
            String prefix = "part" + i + ".";
            parts.get(i).objective().generators().forEach((name, rng) -> out.put(prefix + name, rng));
        }
        return out;
    }

    @Override
    public String name() {
        return parts.stream().map(p -> p.objective().name() + " ×" + p.weight())
                .collect(Collectors.joining(" + ", "mixture (", ")"));
    }
}
