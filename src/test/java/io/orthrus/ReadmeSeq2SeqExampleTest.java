package io.orthrus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.orthrus.data.Seq2SeqBatch;
import io.orthrus.data.SpecialTokens;
import io.orthrus.data.SyntheticTask;
import io.orthrus.infer.BeamSearch;
import io.orthrus.infer.Seq2SeqGenerator;
import io.orthrus.model.EncoderDecoder;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.objective.Seq2Seq;
import io.orthrus.tensor.Rng;
import io.orthrus.train.Trainer;
import io.orthrus.train.TrainingOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The README's encoder-decoder example, verbatim (about 50 s with the Vector API):
 * {@code mvn surefire:test@vector-api -Dgroups=slow -Dslow.excluded= -Dtest=ReadmeSeq2SeqExampleTest}.
 */
@Tag("slow")
class ReadmeSeq2SeqExampleTest {
    @Test
    void learnsToWriteDatesOut() {
        SyntheticTask task = SyntheticTask.DATES;                        // "2024-03-07" -> "7 March 2024"
        var tokenizer = task.tokenizer();
        var specials = SpecialTokens.after(tokenizer.vocabSize());       // pad, start, end after the characters
        var pairs = task.samples(20000, new Rng(1)).stream().map(e -> e.encode(tokenizer)).toList();
        var shape = TransformerConfig.tiny(tokenizer.vocabSize() + 3).withWidth(64, 4, 256).withContextLength(24);
        var model = new EncoderDecoder(EncoderDecoder.Config.of(shape), new Rng(2));
        var options = TrainingOptions.nanoGpt(1500).withLearningRate(3e-3, 3e-4);
        new Trainer<>(model, new Seq2Seq(), options).fit(Seq2SeqBatch.sampler(pairs, 32, specials, new Rng(3)),
                Seq2SeqBatch.sampler(pairs, 32, specials, new Rng(4)));
        String out = new Seq2SeqGenerator(model, specials, tokenizer).beamSearch("1984-05-18", BeamSearch.of(4, 24));

        assertEquals("18 May 1984", out);
    }
}
