package io.orthrus.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The figures of docs/ar-vs-ae.md, each from models trained on the generated grammar. Run with
 * {@code mvn surefire:test@vector-api -Dgroups=slow -Dslow.excluded= -Dtest=ArVsAeDocTest}.
 */
@Tag("slow")
class ArVsAeDocTest {
    /** One stack, three ways of training it, both tasks measured (about 1.5 minutes). */
    @Test
    void oneStackTrainedWithMixedObjectivesDoesBoth() {
        double[][] t = io.orthrus.objective.MixtureTest.compare(2000);
        String[] names = {"causal LM only", "masked LM only", "mixture (causal + masked + prefix, 1:1:1)"};
        StringBuilder table = new StringBuilder("| trained with | causal LM loss | masked LM loss |\n");
        for (int i = 0; i < 3; i++) {
            table.append(String.format(java.util.Locale.ROOT, "| %s | %.3f | %.3f |%n", names[i], t[i][0], t[i][1]));
        }
        System.out.print(table);
        assertTrue(t[2][0] < t[1][0] - 1 && t[2][1] < t[0][1] - 1, table.toString());
    }
}
