package io.orthrus.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.DocumentationTool;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Javadoc of the public API builds without warnings: every public type and member has a
 * comment, and the HTML, links and references are valid. Missing {@code @param} and
 * {@code @return} tags are allowed (one-sentence comments that say what, shapes and units are the
 * house style), and so is javadoc's notice that the incubator Vector API module is in use.
 */
class JavadocTest {
    @TempDir
    Path out;

    @Test
    void theJavadocHasNoWarnings() throws IOException {
        Path sources = Path.of("src", "main", "java");
        assumeTrue(Files.isDirectory(sources), "run from the project directory");
        DocumentationTool javadoc = ToolProvider.getSystemDocumentationTool();
        assumeTrue(javadoc != null, "a JDK with javadoc");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(sources)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).toList();
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager manager = javadoc.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            Iterable<? extends JavaFileObject> units = manager.getJavaFileObjectsFromPaths(files);
            List<String> options = List.of("-quiet", "-Xdoclint:all", "-Xmaxwarns", "100000", "--add-modules",
                    "jdk.incubator.vector", "-classpath", System.getProperty("java.class.path"), "-d", out.toString());
            javadoc.getTask(null, manager, diagnostics, null, options, units).call();
        }
        List<String> problems = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            String message = d.getMessage(Locale.ROOT);
            boolean allowed = message.startsWith("no @param") || message.startsWith("no @return")
                    || message.startsWith("no @throws") || message.contains("incubating");
            if (d.getKind() != Diagnostic.Kind.NOTE && !allowed) {
                problems.add((d.getSource() == null ? "" : d.getSource().getName() + ":" + d.getLineNumber() + ": ")
                        + message);
            }
        }
        assertTrue(problems.isEmpty(), problems.size() + " javadoc problems:\n" + String.join("\n", problems));
    }
}
