package io.orthrus.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @Test
    void writtenFilesGetTheUsualPermissionsNotThoseOfTemporaryFiles(@TempDir Path dir) throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path plain = Files.createFile(dir.resolve("plain"));
        AtomicFiles.writeString(dir.resolve("atomic.txt"), "hello");
        AtomicFiles.writeDirectory(dir.resolve("checkpoint"), d -> Files.writeString(d.resolve("f"), "x"));
        Path plainDir = Files.createDirectory(dir.resolve("plainDir"));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(dir.resolve("atomic.txt")));
        assertEquals(Files.getPosixFilePermissions(plainDir), Files.getPosixFilePermissions(dir.resolve("checkpoint")));
    }

    @Test
    void aFailedWriteLeavesNothingAndKeepsTheOldFile(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("data.txt");
        AtomicFiles.writeString(target, "old");
        assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(1);
            throw new IOException("disk full");
        }));
        assertEquals("old", Files.readString(target));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
        AtomicFiles.writeDirectory(dir.resolve("d"), d -> Files.writeString(d.resolve("a"), "1"));
        AtomicFiles.writeDirectory(dir.resolve("d"), d -> Files.writeString(d.resolve("b"), "2"));
        assertFalse(Files.exists(dir.resolve("d").resolve("a")), "the old directory was replaced whole");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(2, files.count(), "no .old or .tmp sibling left behind");
        }
    }

    @Test
    void whatAKillLeftIsCleanedUpByTheNextWriteOfTheSameName(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve(".out.jsonl.tmp-1f2e"), "half a file");
        Files.writeString(dir.resolve(".other.jsonl.tmp-99"), "another output's, left alone");
        AtomicFiles.writeString(dir.resolve("out.jsonl"), "done\n");
        assertEquals(java.util.Set.of("out.jsonl", ".other.jsonl.tmp-99"), names(dir));

        Path model = dir.resolve("model");
        Files.createDirectories(dir.resolve(".model.old-a1").resolve("x"));        // the previous version, renamed away
        Files.writeString(dir.resolve(".model.old-a1").resolve("config.json"), "old");
        Files.createDirectories(dir.resolve(".model.tmp-b2"));                      // the new one, never renamed in
        Files.writeString(dir.resolve(".model.tmp-b2").resolve("config.json"), "new");
        AtomicFiles.recover(dir);
        assertEquals("old", Files.readString(model.resolve("config.json")), "the complete earlier version is back");
        assertEquals(java.util.Set.of("out.jsonl", "model"), names(dir));

        AtomicFiles.delete(model);
        assertFalse(Files.exists(model));
        assertEquals(java.util.Set.of("out.jsonl"), names(dir));
    }

    private static java.util.Set<String> names(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }
}
