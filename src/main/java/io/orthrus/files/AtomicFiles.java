package io.orthrus.files;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes that never leave a partial file or directory behind: write to a temporary sibling, then
 * rename. What a kill leaves (a hidden temporary, or a replaced directory's previous version) is
 * cleaned up by the next write of the same name, or by {@link #recover}.
 */
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
        recover(dir, target.getFileName().toString());
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
        recover(parent, absolute.getFileName().toString());
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

    /**
     * Deletes {@code target} (a file or a directory tree) so that it is either all there or all
     * gone: it is first renamed to a hidden sibling, which a kill may leave behind but never a
     * half-deleted {@code target}; {@link #recover} removes such leftovers.
     */
    public static void delete(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        if (!Files.exists(absolute, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path doomed = sibling(absolute.getParent(), absolute.getFileName() + ".old");
        move(absolute, doomed);
        deleteRecursively(doomed);
    }

    /**
     * Cleans up what writes and deletes killed half-way left in {@code folder}: every hidden
     * temporary ({@code .NAME.tmp-…}) is deleted; a hidden previous version ({@code .NAME.old-…})
     * is put back when {@code NAME} is missing (a replacement killed between its two renames, or a
     * {@link #delete} killed before it finished: the complete earlier content returns), else
     * deleted. Called by every write for its own name; call it on a folder to clean all of it.
     */
    public static void recover(Path folder) throws IOException {
        recover(folder, null);
    }

    /** As {@link #recover(Path)}, for the leftovers of {@code name} only (all names when null). */
    private static void recover(Path folder, String name) throws IOException {
        if (!Files.isDirectory(folder)) {
            return;
        }
        java.util.regex.Pattern leftover = java.util.regex.Pattern.compile("\\.(" + (name == null ? ".+"
                : java.util.regex.Pattern.quote(name)) + ")\\.(tmp|old)-[0-9a-f]+");
        List<Path> found;
        try (Stream<Path> files = Files.list(folder)) {
            found = files.filter(p -> leftover.matcher(p.getFileName().toString()).matches()).sorted().toList();
        }
        for (Path p : found) {
            java.util.regex.Matcher m = leftover.matcher(p.getFileName().toString());
            m.matches();
            Path original = folder.resolve(m.group(1));
            if (m.group(2).equals("old") && !Files.exists(original, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                move(p, original);
            } else {
                deleteRecursively(p);
            }
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
