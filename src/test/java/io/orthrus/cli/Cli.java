package io.orthrus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the command line in this JVM and captures what it prints. */
record Cli(int status, String out, String err) {
    static Cli run(String... args) {
        PrintStream originalOut = System.out, originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = Main.commandLine().execute(args);
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        return new Cli(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs and checks the exit status. */
    static Cli expect(int status, String... args) {
        Cli result = run(args);
        assertEquals(status, result.status(), "exit status of " + String.join(" ", args) + "\nstdout: " + result.out()
                + "\nstderr: " + result.err());
        return result;
    }
}
