package io.orthrus;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The package table of docs/architecture.md, enforced: each package of the library uses only the
 * packages its row names, and no packages form a cycle. A new edge is a design decision: add it
 * to the table here and in the docs in the same commit, or move the code.
 */
class PackageRulesTest {
    private static final String ROOT = "io.orthrus";

    /** Package (relative to io.orthrus; "" is the root) → the packages it may use besides itself. */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("", Set.of()),
            Map.entry("tensor.kernel", Set.of()),
            Map.entry("tensor", Set.of("tensor.kernel")),
            Map.entry("linalg", Set.of("tensor")),
            Map.entry("files", Set.of()),
            Map.entry("nn", Set.of("tensor", "tensor.kernel", "linalg")),
            Map.entry("optim", Set.of("tensor", "tensor.kernel", "nn")),
            Map.entry("tokenize", Set.of("files")),
            Map.entry("data.grammar", Set.of("tensor")),
            Map.entry("data", Set.of("files", "tensor", "tokenize")),
            Map.entry("model", Set.of("tensor", "nn", "data", "tokenize")),
            Map.entry("objective", Set.of("tensor", "nn", "model", "data", "tokenize")),
            Map.entry("train", Set.of("", "files", "tensor", "nn", "optim", "model", "objective", "data", "tokenize", "io")),
            Map.entry("infer", Set.of("tensor", "tensor.kernel", "nn", "model", "data", "tokenize", "io")),
            Map.entry("io", Set.of("files", "tensor", "tensor.kernel", "nn", "model", "tokenize")),
            Map.entry("recipe", Set.of("files", "tensor", "nn", "model", "objective", "data", "data.grammar", "tokenize",
                    "train", "io", "infer")),
            Map.entry("bench", Set.of("recipe", "files", "tensor", "tensor.kernel", "nn", "model", "objective", "data",
                    "data.grammar", "tokenize", "train", "infer", "io")),
            Map.entry("cli", Set.of("", "files", "tensor", "tensor.kernel", "nn", "optim", "model", "objective", "data",
                    "data.grammar", "tokenize", "train", "infer", "io", "recipe", "bench")));

    private static final JavaClasses LIBRARY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);

    private static String packageOf(JavaClass c) {
        String name = c.getPackageName();
        return name.equals(ROOT) ? "" : name.substring(ROOT.length() + 1);
    }

    @Test
    void everyPackageUsesOnlyWhatItsRowAllows() {
        Set<String> violations = new TreeSet<>();
        for (JavaClass c : LIBRARY) {
            String from = packageOf(c);
            Set<String> allowed = ALLOWED.get(from);
            if (allowed == null) {
                violations.add("package " + from + " (of " + c.getName() + ") has no row in the table");
                continue;
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                JavaClass target = d.getTargetClass();
                if (!target.getPackageName().startsWith(ROOT)) {
                    continue;
                }
                String to = packageOf(target);
                if (!to.equals(from) && !allowed.contains(to)) {
                    violations.add(from + " -> " + to + ": " + d.getDescription());
                }
            }
        }
        assertEquals(List.of(), List.copyOf(violations), "dependencies outside docs/architecture.md's table");
    }

    @Test
    void noPackagesFormACycle() {
        slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(LIBRARY);
    }
}
