package io.orthrus.data;

import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.Rng;
import io.orthrus.tensor.Tensor;
import java.util.List;

/**
 * Procedurally drawn 16×16 black-and-white glyphs in ten classes, for the autoencoder examples:
 * data the library makes itself, with known labels. Each glyph is a shape drawn at a random
 * size (7 to 14 pixels), position and stroke width (1 or 2 pixels); pixels are 0 or 1.
 */
public final class Glyphs {
    /** Side of the square image, in pixels. */
    public static final int SIDE = 16;
    /** Pixels per image, the length of an input vector. */
    public static final int PIXELS = SIDE * SIDE;
    /** The class names, in label order. */
    public static final List<String> CLASSES = List.of("horizontal bar", "vertical bar", "diagonal", "anti-diagonal",
            "square", "plus", "cross", "ring", "corner", "tee");

    private Glyphs() {}

    /** {@code count} glyphs with labels spread evenly over the classes (image i has label i mod 10). */
    public static LabeledVectors sample(int count, Rng rng) {
        if (count <= 0) {
            throw new IllegalArgumentException("Glyphs: count must be positive, got " + count);
        }
        float[] pixels = new float[count * PIXELS];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % CLASSES.size();
            draw(labels[i], rng, pixels, i * PIXELS);
        }
        return new LabeledVectors(Tensor.wrap(pixels, count, PIXELS), IntTensor.wrap(labels, count));
    }

    /** A text picture of image {@code row} of {@code images} {@code (N, 256)}: '#' for pixels above 0.5. */
    public static String render(Tensor images, int row) {
        StringBuilder picture = new StringBuilder();
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                picture.append(images.get(row, y * SIDE + x) > 0.5f ? '#' : '.');
            }
            picture.append('\n');
        }
        return picture.toString();
    }

    private static void draw(int label, Rng rng, float[] pixels, int offset) {
        int size = 9 + rng.nextInt(6); // 9 … 14
        int left = jitter((SIDE - size) / 2, SIDE - size, rng), top = jitter((SIDE - size) / 2, SIDE - size, rng);
        int right = left + size - 1, bottom = top + size - 1;
        int midX = (left + right) / 2, midY = (top + bottom) / 2;
        Canvas canvas = new Canvas(pixels, offset, 1 + rng.nextInt(2));
        switch (label) {
            case 0 -> canvas.line(left, midY, right, midY);
            case 1 -> canvas.line(midX, top, midX, bottom);
            case 2 -> canvas.line(left, top, right, bottom);
            case 3 -> canvas.line(left, bottom, right, top);
            case 4 -> {
                canvas.line(left, top, right, top);
                canvas.line(left, bottom, right, bottom);
                canvas.line(left, top, left, bottom);
                canvas.line(right, top, right, bottom);
            }
            case 5 -> {
                canvas.line(left, midY, right, midY);
                canvas.line(midX, top, midX, bottom);
            }
            case 6 -> {
                canvas.line(left, top, right, bottom);
                canvas.line(left, bottom, right, top);
            }
            case 7 -> canvas.ring((left + right) / 2.0, (top + bottom) / 2.0, (size - 1) / 2.0);
            case 8 -> {
                canvas.line(left, top, left, bottom);
                canvas.line(left, bottom, right, bottom);
            }
            case 9 -> {
                canvas.line(left, top, right, top);
                canvas.line(midX, top, midX, bottom);
            }
            default -> throw new IllegalStateException("no glyph " + label);
        }
    }

    /** {@code centre} moved by −2 … +2 pixels, kept within [0, max]. */
    private static int jitter(int centre, int max, Rng rng) {
        return Math.max(0, Math.min(max, centre - 2 + rng.nextInt(5)));
    }

    /** Plots strokes of a given width into one image of a flat pixel array. */
    private record Canvas(float[] pixels, int offset, int stroke) {
        void line(int x0, int y0, int x1, int y1) {
            int steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0));
            for (int s = 0; s <= steps; s++) {
                double t = steps == 0 ? 0 : (double) s / steps;
                dot((int) Math.round(x0 + t * (x1 - x0)), (int) Math.round(y0 + t * (y1 - y0)));
            }
        }

        void ring(double centreX, double centreY, double radius) {
            for (int a = 0; a < 64; a++) {
                double angle = 2 * Math.PI * a / 64;
                dot((int) Math.round(centreX + radius * Math.cos(angle)), (int) Math.round(centreY + radius * Math.sin(angle)));
            }
        }

        /** A stroke-wide dot whose top-left pixel is (x, y); pixels off the image are dropped. */
        private void dot(int x, int y) {
            for (int dy = 0; dy < stroke; dy++) {
                for (int dx = 0; dx < stroke; dx++) {
                    int px = x + dx, py = y + dy;
                    if (px >= 0 && px < SIDE && py >= 0 && py < SIDE) {
                        pixels[offset + py * SIDE + px] = 1f;
                    }
                }
            }
        }
    }
}
