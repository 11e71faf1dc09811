package io.orthrus.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orthrus.model.Bert;
import io.orthrus.model.CopyTask;
import io.orthrus.model.Gpt;
import io.orthrus.nn.TransformerConfig;
import io.orthrus.tensor.IntTensor;
import io.orthrus.tensor.NoGrad;
import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.CharTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BertCheckpointTest {
    @Test
    void aReloadedBertGivesBitIdenticalHiddenStates(@TempDir Path dir) throws IOException {
        Bert original = new Bert(CopyTask.config(), new Rng(4));
        BertCheckpoint.save(dir.resolve("bert"), original, CopyTask.TOKENIZER);
        BertCheckpoint loaded = BertCheckpoint.load(dir.resolve("bert"));
        assertEquals(original.config(), loaded.model().config());
        assertEquals(CopyTask.TOKENIZER.toJson(), loaded.tokenizer().toJson());
        IntTensor ids = IntTensor.wrap(CopyTask.TOKENIZER.encode("ant bee | ant bee", 16).ids(), 1, 7);
        original.eval();
        loaded.model().eval();
        try (var g = NoGrad.enter()) {
            assertArrayEquals(original.encode(ids, null, null).toArray(), loaded.model().encode(ids, null, null).toArray(), 0f);
        }
    }

    @Test
    void aGptCheckpointIsNotLoadedAsABert(@TempDir Path dir) throws IOException {
        CharTokenizer chars = CharTokenizer.of("abc");
        GptCheckpoint.save(dir.resolve("gpt"), new Gpt(TransformerConfig.tiny(3), new Rng(1)), chars);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BertCheckpoint.load(dir.resolve("gpt")));
        assertTrue(e.getMessage().contains("holds a 'gpt' model, not a 'bert'"), e.getMessage());
    }
}
