package io.orthrus.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Writes that never leave a partial file or directory behind: write to a temporary sibling, then rename. */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** What writes the content of a file. */
    @FunctionalInterface
    public interface Writer {
        /** Writes the whole content to {@code out}. */
        void write(OutputStream out) throws IOException;
    }

    /** Writes {@code target} through a temporary file in the same directory, then renames it into place. */
    public static void write(Path target, Writer writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createFile(sibling(dir, target.getFileName() + ".tmp"));
        try {
            try (OutputStream out = Files.newOutputStream(temp)) {
                writer.write(out);
            }
            move(temp, target);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** Writes a UTF-8 text file atomically. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Fills a new directory through {@code filler} in a temporary sibling, then renames it to
     * {@code target}, replacing an existing directory only once the new one is complete.
     */
    public static void writeDirectory(Path target, DirectoryFiller filler) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path parent = absolute.getParent();
        Files.createDirectories(parent);
        Path temp = Files.createDirectory(sibling(parent, absolute.getFileName() + ".tmp"));
        try {
            filler.fill(temp);
            if (Files.exists(absolute)) {
                Path old = sibling(parent, absolute.getFileName() + ".old");
                move(absolute, old);
                move(temp, absolute);
                deleteRecursively(old);
            } else {
                move(temp, absolute);
            }
        } catch (IOException | RuntimeException e) {
            deleteRecursively(temp);
            throw e;
        }
    }

    /** What writes the files of a directory. */
    @FunctionalInterface
    public interface DirectoryFiller {
        /** Writes the files into {@code directory}, which exists and is empty. */
        void fill(Path directory) throws IOException;
    }

    /**
     * A fresh hidden name in {@code dir}. Created with {@code Files.createFile}/{@code createDirectory}
     * rather than {@code createTemp…}, so the result gets the usual permissions (the umask's), not
     * the owner-only ones of temporary files, once it is renamed into place.
     */
    private static Path sibling(Path dir, String name) {
        return dir.resolve("." + name + "-" + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE));
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
