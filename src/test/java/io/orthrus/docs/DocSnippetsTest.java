package io.orthrus.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of README.md and docs/*.md compiles against the library: each is
 * wrapped as the body of a method (with every Orthrus package imported), so a renamed class or
 * method breaks the build, not the reader. What a block takes from the text around it (a corpus,
 * a model trained above) is declared in an HTML comment just before it, invisible on the page:
 * {@code <!-- given: String text; Gpt model -->} becomes the method's parameters. A block that
 * declares its own types is compiled as a class body.
 */
class DocSnippetsTest {
    private static final Pattern GIVEN = Pattern.compile("<!-- given: ((?:(?!-->).)*) -->$");
    private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final List<String> IMPORTS = List.of("io.orthrus", "io.orthrus.data", "io.orthrus.data.grammar",
            "io.orthrus.infer", "io.orthrus.io", "io.orthrus.model", "io.orthrus.nn", "io.orthrus.objective",
            "io.orthrus.optim", "io.orthrus.recipe", "io.orthrus.tensor", "io.orthrus.tokenize", "io.orthrus.train", "java.nio.file", "java.util");

    @TempDir
    Path out;

    @Test
    void everyJavaBlockInTheDocsCompiles() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        assumeTrue(Files.isDirectory(root.resolve("docs")), "run from the project directory");
        List<Path> pages = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        List<JavaFileObject> sources = new ArrayList<>();
        int blocks = 0;
        for (Path page : pages) {
            String text = Files.readString(page, StandardCharsets.UTF_8);
            Matcher m = BLOCK.matcher(text);
            while (m.find()) {
                int line = text.substring(0, m.start()).split("\n", -1).length;
                String name = "Snippet_" + page.getFileName().toString().replaceAll("\\W", "_") + "_" + line;
                // The inputs a block takes from the text around it, declared in a comment the reader does not see.
                String before = text.substring(Math.max(0, m.start() - 400), m.start()).strip();
                Matcher given = GIVEN.matcher(before);
                String parameters = given.find() && before.endsWith("-->") ? given.group(1).strip().replace(";", ",") : "";
                sources.add(source(name, m.group(1), parameters, page.getFileName() + ":" + line));
                blocks++;
            }
        }
        assertTrue(blocks > 20, "found only " + blocks + " java blocks");
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assumeTrue(compiler != null, "a JDK with javac");
        StringWriter errors = new StringWriter();
        boolean ok = compiler.getTask(errors, null, null, List.of("-d", out.toString(), "-classpath",
                System.getProperty("java.class.path"), "-proc:none", "-Xlint:none"), null, sources).call();
        assertTrue(ok, "doc snippets that do not compile:\n" + errors);
    }

    private static boolean declaresTypes(String body) {
        return body.lines().anyMatch(l -> l.matches("(public |final |static )*(class|record|interface|enum) .*"));
    }

    private static JavaFileObject source(String name, String body, String parameters, String origin) {
        StringBuilder code = new StringBuilder("// from " + origin + "\n");
        IMPORTS.forEach(p -> code.append("import ").append(p).append(".*;\n"));
        if (declaresTypes(body)) {
            code.append("class ").append(name).append(" {\n").append(body).append("\n}\n");
        } else {
            code.append("class ").append(name).append(" {\n  void run(").append(parameters).append(") throws Exception {\n").append(body)
                    .append("\n  }\n}\n");
        }
        return new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return code;
            }
        };
    }
}
