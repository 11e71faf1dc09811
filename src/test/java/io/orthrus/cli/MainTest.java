package io.orthrus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MainTest {
    private static String run(int expectedStatus, String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int status = Main.commandLine().execute(args);
            if (expectedStatus == 0) {
                assertEquals(0, status, captured.toString(StandardCharsets.UTF_8));
            } else {
                assertNotEquals(0, status);
            }
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void benchPassesItsOptionsToTheBenchmark() {
        String out = run(0, "bench", "gemm", "--quick", "--shapes", "8,8,8");
        assertTrue(out.startsWith("{\"results\":["), out);
    }

    @Test
    void demoTrainsTheAutoencoder() {
        String out = run(0, "demo", "--steps", "50");
        assertTrue(out.contains("reconstruction cross-entropy") && out.contains("hidden code"), out);
    }

    @Test
    void unknownBenchmarksAndOptionsFail() {
        run(2, "bench", "nope");
        run(2, "demo", "--no-such-option");
    }
}
