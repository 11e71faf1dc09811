package io.orthrus.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.data.SyntheticTask;
import io.orthrus.infer.BeamSearch;
import io.orthrus.model.Seq2SeqTasks;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The figures of docs/encoder-decoder.md: an encoder-decoder (2 + 2 layers, width 64) trained
 * 1500 steps on each synthetic task, exact match on 300 held-out sources with greedy decoding
 * and a beam of 4 (with and without early stopping). About 2.5 minutes with the Vector API on 2 cores:
 * {@code mvn surefire:test@vector-api -Dgroups=slow -Dslow.excluded= -Dtest=Seq2SeqDocTest}.
 */
@Tag("slow")
class Seq2SeqDocTest {
    @Test
    void everyTaskIsSolvedOnHeldOutSources() {
        StringBuilder table = new StringBuilder(
                "| task | validation loss | greedy exact match | beam 4 exact match | beam 4, early stop |\n");
        for (SyntheticTask task : SyntheticTask.values()) {
            Seq2SeqTasks.Run run = Seq2SeqTasks.train(task, 20000, 300, 1500, 64, 2, 3e-3, 7);
            double greedy = run.exactMatch(false, 1), beam = run.exactMatch(true, 4);
            double early = run.exactMatch(BeamSearch.of(4, 24).withEarlyStop(true));
            table.append(String.format(Locale.ROOT, "| %s | %.4f | %.2f%% | %.2f%% | %.2f%% |%n", task,
                    run.training().validationLoss(), 100 * greedy, 100 * beam, 100 * early));
            assertTrue(greedy >= 0.99 && beam >= 0.99, task + ": greedy " + greedy + ", beam " + beam);
        }
        System.out.print(table);
    }
}
