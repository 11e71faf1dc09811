package io.orthrus.io;

import io.orthrus.files.AtomicFiles;
import io.orthrus.files.JsonFiles;
import io.orthrus.model.WordVectors;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The word2vec text format: a line "V D", then one line per word, "word v₁ … v_D", separated by
 * single spaces, UTF-8. What the original tool writes with {@code -binary 0} and what gensim's
 * {@code KeyedVectors.load_word2vec_format(binary=False)} reads.
 */
public final class WordVectorsFile {
    private WordVectorsFile() {}

    /** Writes {@code vectors} to {@code file}, atomically (a failed write leaves no partial file). */
    public static void save(WordVectors vectors, Path file) throws IOException {
        float[] matrix = vectors.matrix();
        int d = vectors.dimensions();
        AtomicFiles.write(file, out -> {
            BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            writer.write(vectors.size() + " " + d + "\n");
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < vectors.size(); i++) {
                line.setLength(0);
                line.append(vectors.words().get(i));
                for (int j = 0; j < d; j++) {
                    line.append(' ').append(matrix[i * d + j]);
                }
                writer.write(line.append('\n').toString());
            }
            writer.flush();
        });
    }

    /** Reads {@code file}; a malformed file is an error naming the file and the line. */
    public static WordVectors load(Path file) throws IOException {
        List<String> lines = Files.readAllLines(JsonFiles.regularFile(file), StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(file + ": empty file; expected a header line \"V D\"");
        }
        String[] header = lines.get(0).strip().split(" ");
        int count, dimensions;
        try {
            if (header.length != 2) {
                throw new NumberFormatException();
            }
            count = Integer.parseInt(header[0]);
            dimensions = Integer.parseInt(header[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ":1: expected a header \"V D\" (two integers), got \""
                    + lines.get(0) + "\"");
        }
        if (count < 0 || dimensions <= 0) {
            throw new IllegalArgumentException(file + ":1: bad header: " + count + " words of " + dimensions
                    + " dimensions");
        }
        if (lines.size() - 1 < count) {
            throw new IllegalArgumentException(file + ": the header announces " + count + " words, the file has "
                    + (lines.size() - 1) + " more lines");
        }
        List<String> words = new ArrayList<>(count);
        float[] vectors = new float[Math.multiplyExact(count, dimensions)];
        Map<String, Integer> firstLine = new HashMap<>();
        for (int i = 0; i < count; i++) {
            int lineNumber = i + 2;
            String[] fields = lines.get(i + 1).strip().split(" ");
            if (fields.length != dimensions + 1) {
                throw new IllegalArgumentException(file + ":" + lineNumber + ": expected a word and " + dimensions
                        + " numbers, got " + fields.length + " fields");
            }
            Integer previous = firstLine.put(fields[0], lineNumber);
            if (previous != null) {
                throw new IllegalArgumentException(file + ":" + lineNumber + ": word '" + fields[0]
                        + "' is already on line " + previous);
            }
            words.add(fields[0]);
            for (int j = 0; j < dimensions; j++) {
                try {
                    vectors[i * dimensions + j] = Float.parseFloat(fields[j + 1]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(file + ":" + lineNumber + ": value " + (j + 1) + " of '"
                            + fields[0] + "' is not a number: \"" + fields[j + 1] + "\"");
                }
            }
        }
        for (int extra = count + 1; extra < lines.size(); extra++) {
            if (!lines.get(extra).isBlank()) {
                throw new IllegalArgumentException(file + ":" + (extra + 1) + ": more lines than the " + count
                        + " words the header announces");
            }
        }
        return new WordVectors(words, vectors, dimensions);
    }
}
