package io.orthrus.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.orthrus.files.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Loss curves from {@code metrics.jsonl} files, drawn as SVG (always) and PNG (through
 * {@code java.awt}, headless): the training loss, smoothed by a moving average, as a solid line
 * and the validation loss as a dashed line with dots, one colour per run.
 */
final class LossPlot {
    private static final int WIDTH = 800, HEIGHT = 480, LEFT = 70, RIGHT = 190, TOP = 40, BOTTOM = 50;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"};

    /** One line of the plot. */
    record Series(String label, double[] steps, double[] values, boolean validation, int colour) {}

    private LossPlot() {}

    /**
     * The training and validation series of one run's metrics file; {@code colour} picks the
     * run's colour. A malformed line is an error naming the file and line.
     */
    static List<Series> read(Path metrics, String label, int colour) throws IOException {
        if (!Files.isRegularFile(metrics)) {
            throw new IllegalArgumentException("no metrics file " + metrics + " (is it an Orthrus run directory?)");
        }
        List<double[]> train = new ArrayList<>(), validation = new ArrayList<>();
        List<String> lines = Files.readAllLines(metrics, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                JsonObject json = JsonParser.parseString(lines.get(i)).getAsJsonObject();
                String event = json.get("event").getAsString();
                if (event.equals("step")) {
                    train.add(new double[] {json.get("step").getAsDouble(), json.get("loss").getAsDouble()});
                } else if (event.equals("eval")) {
                    validation.add(new double[] {json.get("step").getAsDouble(), json.get("val_loss").getAsDouble()});
                }
            } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException e) {
                throw new IllegalArgumentException(metrics + ":" + (i + 1) + ": not a metrics line (" + e.getMessage() + ")");
            }
        }
        List<Series> out = new ArrayList<>();
        if (!train.isEmpty()) {
            out.add(smoothed((label.isEmpty() ? "" : label + " ") + "train", train, colour));
        }
        if (!validation.isEmpty()) {
            double[] steps = validation.stream().mapToDouble(p -> p[0]).toArray();
            double[] values = validation.stream().mapToDouble(p -> p[1]).toArray();
            out.add(new Series((label.isEmpty() ? "" : label + " ") + "validation", steps, values, true, colour));
        }
        return out;
    }

    /** A centred-on-the-past moving average over about 1/50 of the run, so that the trend shows through the noise. */
    private static Series smoothed(String label, List<double[]> points, int colour) {
        int n = points.size(), window = Math.max(1, n / 50);
        double[] steps = new double[n], values = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += points.get(i)[1];
            if (i >= window) {
                sum -= points.get(i - window)[1];
            }
            steps[i] = points.get(i)[0];
            values[i] = sum / Math.min(i + 1, window);
        }
        return new Series(label, steps, values, false, colour);
    }

    /** Writes {@code svg} (always) and {@code png} (unless null); returns a warning if the PNG could not be drawn, else null. */
    static String write(List<Series> series, String title, Path svg, Path png) throws IOException {
        if (series.isEmpty()) {
            throw new IllegalArgumentException("nothing to plot: the metrics files hold no steps");
        }
        SvgCanvas canvas = new SvgCanvas();
        draw(series, title, canvas);
        AtomicFiles.writeString(svg, canvas.finish());
        if (png == null) {
            return null;
        }
        try {
            System.setProperty("java.awt.headless", "true");
            BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            draw(series, title, new AwtCanvas(g));
            g.dispose();
            AtomicFiles.write(png, out -> ImageIO.write(image, "png", out));
            return null;
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) { // a JDK without fonts or AWT: the SVG is still there
            return "PNG not drawn (" + e + "); the SVG " + svg + " has the same plot";
        }
    }

    /** What both pictures are drawn on. */
    private interface Canvas {
        void line(double x1, double y1, double x2, double y2, String colour, double width);

        void polyline(double[] xs, double[] ys, String colour, double width, boolean dashed);

        void dot(double x, double y, String colour);

        void text(double x, double y, String text, int size, String anchor);
    }

    private static void draw(List<Series> series, String title, Canvas canvas) {
        double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.steps().length; i++) {
                if (Double.isFinite(s.values()[i])) {
                    minX = Math.min(minX, s.steps()[i]);
                    maxX = Math.max(maxX, s.steps()[i]);
                    minY = Math.min(minY, s.values()[i]);
                    maxY = Math.max(maxY, s.values()[i]);
                }
            }
        }
        minX = Math.min(minX, 0);
        if (maxX <= minX) {
            maxX = minX + 1;
        }
        double pad = (maxY - minY) * 0.05 + 1e-6;
        minY = Math.max(0, minY - pad);
        maxY += pad;
        double plotW = WIDTH - LEFT - RIGHT, plotH = HEIGHT - TOP - BOTTOM;
        double x0 = minX, x1 = maxX, y0 = minY, y1 = maxY;
        java.util.function.DoubleUnaryOperator px = x -> LEFT + (x - x0) / (x1 - x0) * plotW;
        java.util.function.DoubleUnaryOperator py = y -> TOP + (1 - (y - y0) / (y1 - y0)) * plotH;

        canvas.text(LEFT + plotW / 2, 24, title, 15, "middle");
        List<Double> yTicks = ticks(y0, y1), xTicks = ticks(x0, x1);
        for (double tick : yTicks) {
            double y = py.applyAsDouble(tick);
            canvas.line(LEFT, y, LEFT + plotW, y, "#e0e0e0", 1);
            canvas.text(LEFT - 8, y + 4, format(tick, spacing(yTicks)), 11, "end");
        }
        for (double tick : xTicks) {
            double x = px.applyAsDouble(tick);
            canvas.line(x, TOP + plotH, x, TOP + plotH + 5, "#000000", 1);
            canvas.text(x, TOP + plotH + 20, format(tick, spacing(xTicks)), 11, "middle");
        }
        canvas.line(LEFT, TOP, LEFT, TOP + plotH, "#000000", 1);
        canvas.line(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH, "#000000", 1);
        canvas.text(LEFT + plotW / 2, HEIGHT - 10, "step", 12, "middle");
        canvas.text(18, TOP + plotH / 2, "loss", 12, "middle");

        int legend = 0;
        for (Series s : series) {
            String colour = COLOURS[s.colour() % COLOURS.length];
            double[] xs = new double[s.steps().length], ys = new double[s.steps().length];
            int n = 0;
            for (int i = 0; i < xs.length; i++) {
                if (Double.isFinite(s.values()[i])) {
                    xs[n] = px.applyAsDouble(s.steps()[i]);
                    ys[n++] = py.applyAsDouble(s.values()[i]);
                }
            }
            canvas.polyline(java.util.Arrays.copyOf(xs, n), java.util.Arrays.copyOf(ys, n), colour, s.validation() ? 1.5 : 2,
                    s.validation());
            if (s.validation()) {
                for (int i = 0; i < n; i++) {
                    canvas.dot(xs[i], ys[i], colour);
                }
            }
            double ly = TOP + 10 + 20 * legend++;
            double lx = WIDTH - RIGHT + 15;
            canvas.polyline(new double[] {lx, lx + 25}, new double[] {ly, ly}, colour, 2, s.validation());
            canvas.text(lx + 32, ly + 4, s.label(), 11, "start");
        }
    }

    private static double spacing(List<Double> ticks) {
        return ticks.size() < 2 ? 1 : ticks.get(1) - ticks.get(0);
    }

    /** About five round tick values covering [lo, hi]. */
    static List<Double> ticks(double lo, double hi) {
        double raw = (hi - lo) / 5, magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = magnitude * (raw / magnitude < 1.5 ? 1 : raw / magnitude < 3 ? 2 : raw / magnitude < 7 ? 5 : 10);
        List<Double> out = new ArrayList<>();
        for (double t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
            out.add(Math.abs(t) < step * 1e-9 ? 0 : t);
        }
        return out;
    }

    /** A tick label with as many decimals as the tick spacing needs. */
    private static String format(double value, double step) {
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static final class SvgCanvas implements Canvas {
        private final StringBuilder svg = new StringBuilder();

        SvgCanvas() {
            svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
                    .append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                    .append("\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        }

        @Override
        public void line(double x1, double y1, double x2, double y2, String colour, double width) {
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
                    + " stroke-width=\"%.1f\"/>%n", x1, y1, x2, y2, colour, width));
        }

        @Override
        public void polyline(double[] xs, double[] ys, String colour, double width, boolean dashed) {
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < xs.length; i++) {
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", xs[i], ys[i]));
            }
            svg.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\""
                    + " stroke-width=\"%.1f\"%s/>%n", points.toString().strip(), colour, width,
                    dashed ? " stroke-dasharray=\"6,4\"" : ""));
        }

        @Override
        public void dot(double x, double y, String colour) {
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", x, y, colour));
        }

        @Override
        public void text(double x, double y, String text, int size, String anchor) {
            String escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\">%s</text>%n",
                    x, y, size, anchor, escaped));
        }

        String finish() {
            return svg.append("</svg>\n").toString();
        }
    }

    private static final class AwtCanvas implements Canvas {
        private final Graphics2D g;

        AwtCanvas(Graphics2D g) {
            this.g = g;
        }

        @Override
        public void line(double x1, double y1, double x2, double y2, String colour, double width) {
            g.setColor(Color.decode(colour));
            g.setStroke(new BasicStroke((float) width));
            g.draw(new java.awt.geom.Line2D.Double(x1, y1, x2, y2));
        }

        @Override
        public void polyline(double[] xs, double[] ys, String colour, double width, boolean dashed) {
            if (xs.length == 0) {
                return;
            }
            Path2D.Double path = new Path2D.Double();
            path.moveTo(xs[0], ys[0]);
            for (int i = 1; i < xs.length; i++) {
                path.lineTo(xs[i], ys[i]);
            }
            g.setColor(Color.decode(colour));
            g.setStroke(dashed ? new BasicStroke((float) width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10,
                    new float[] {6, 4}, 0) : new BasicStroke((float) width));
            g.draw(path);
        }

        @Override
        public void dot(double x, double y, String colour) {
            g.setColor(Color.decode(colour));
            g.fill(new java.awt.geom.Ellipse2D.Double(x - 3, y - 3, 6, 6));
        }

        @Override
        public void text(double x, double y, String text, int size, String anchor) {
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, size));
            int w = g.getFontMetrics().stringWidth(text);
            double left = anchor.equals("middle") ? x - w / 2.0 : anchor.equals("end") ? x - w : x;
            g.drawString(text, (float) left, (float) y);
        }
    }
}
