package io.orthrus.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LockstepAbTest {
    @Test
    void theSameBuildAgainstItselfGivesOnePairPerStepAfterWarmUp(@TempDir Path dir) throws Exception {
        Path corpus = dir.resolve("corpus.txt");
        Files.writeString(corpus, "to be or not to be, that is the question. ".repeat(40));
        LockstepAb tool = new LockstepAb();
        new CommandLine(tool).parseArgs("--corpus", corpus.toString(), "--steps", "6", "--warmup", "2",
                "--layers", "1", "--heads", "2", "--width", "16", "--context", "8", "--batch", "2",
                "target/classes", "target/classes");
        JsonObject json = JsonParser.parseString(tool.call()).getAsJsonObject();
        assertEquals(4, json.get("pairs").getAsInt());
        double ratio = json.get("ratio_b_over_a").getAsDouble();
        assertTrue(ratio > 0 && Double.isFinite(ratio), json.toString());
    }

    @Test
    void aDirectoryWithoutTheLibraryIsNamed(@TempDir Path dir) {
        LockstepAb tool = new LockstepAb();
        new CommandLine(tool).parseArgs(dir.toString(), "target/classes");
        var e = assertThrows(IllegalArgumentException.class, tool::call);
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }
}
