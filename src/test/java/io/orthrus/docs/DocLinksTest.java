package io.orthrus.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every link to a section of a page ({@code [text](page.md#section)} in README.md and docs/, and
 * {@code docs/page.md#section} in the code's comments, which point to the rule they follow)
 * names a page that exists and a heading on it, by GitHub's rule for heading anchors.
 */
class DocLinksTest {
    private static final Pattern MARKDOWN_LINK = Pattern.compile("\\]\\(([\\w./-]*\\.md)?#([^)\\s]+)\\)");
    private static final Pattern CODE_LINK = Pattern.compile("docs/([\\w-]+\\.md)#([\\w-]+)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6} (.+)$", Pattern.MULTILINE);

    /** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
    static String anchor(String heading) {
        return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    private final Map<Path, Set<String>> anchors = new HashMap<>();

    private Set<String> anchorsOf(Path page) throws IOException {
        Set<String> found = anchors.get(page);
        if (found == null) {
            found = new TreeSet<>();
            Matcher m = HEADING.matcher(Files.readString(page, StandardCharsets.UTF_8).replaceAll("(?s)```.*?```", ""));
            while (m.find()) {
                found.add(anchor(m.group(1)));
            }
            anchors.put(page, found);
        }
        return found;
    }

    private void check(Path from, Path page, String section, List<String> broken) throws IOException {
        if (!Files.isRegularFile(page)) {
            broken.add(from + ": links to " + page + ", which does not exist");
        } else if (!anchorsOf(page).contains(section)) {
            broken.add(from + ": links to " + page.getFileName() + "#" + section + ", which is no heading there");
        }
    }

    @Test
    void everySectionLinkNamesAHeadingThatExists() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        assumeTrue(Files.isDirectory(root.resolve("docs")), "run from the project directory");
        List<String> broken = new ArrayList<>();
        int links = 0;
        List<Path> pages = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        for (Path page : pages) {
            Matcher m = MARKDOWN_LINK.matcher(Files.readString(page, StandardCharsets.UTF_8));
            while (m.find()) {
                Path target = m.group(1) == null ? page : page.resolveSibling(m.group(1)).normalize();
                check(page, target, m.group(2), broken);
                links++;
            }
        }
        List<Path> sources;
        try (Stream<Path> files = Files.walk(root.resolve("src/main/java"))) {
            sources = files.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList());
        }
        for (Path source : sources) {
            Matcher m = CODE_LINK.matcher(Files.readString(source, StandardCharsets.UTF_8));
            while (m.find()) {
                check(source, root.resolve("docs").resolve(m.group(1)), m.group(2), broken);
                links++;
            }
        }
        assertTrue(links > 10, "found only " + links + " section links");
        assertEquals(List.of(), broken);
    }

    @Test
    void anchorsFollowGitHubsRule() {
        assertEquals("lstm-gates-use-mathexp", anchor("LSTM gates use `Math.exp`"));
        assertEquals("a-loops-operation-budget", anchor("A loop's operation budget"));
        assertEquals("measured-2026-12-06-second-sitting", anchor("Measured (2026-12-06, second sitting)"));
    }
}
