package io.orthrus.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CharTokenizerTest {
    @TempDir
    Path dir;

    @Test
    void oneTokenPerCodePointInCodePointOrder() {
        String text = "héllo 🐕🐕 wörld";
        CharTokenizer tokenizer = CharTokenizer.fromCorpus(text);
        assertEquals(" dhlorwéö🐕", tokenizer.characters());
        int[] ids = tokenizer.encode("🐕 hé");
        assertEquals(4, ids.length); // the dog is one token, not two chars
        assertEquals("🐕 hé", tokenizer.decode(ids));
        assertEquals(text, tokenizer.decode(tokenizer.encode(text)));
    }

    @Test
    void savesAndLoadsAsJson() throws IOException {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus("ab\n\"{}\\ 🐕");
        Path file = dir.resolve("tokenizer.json");
        Tokenizers.save(tokenizer, file);
        assertEquals(tokenizer, Tokenizers.load(file));
        assertThrows(IllegalArgumentException.class, () -> Tokenizers.fromJson("{\"type\":\"bpe\"}"));
        assertThrows(IllegalArgumentException.class, () -> Tokenizers.fromJson("{\"type\":\"char\",\"vocab\":[\"b\",\"a\"]}"));
        assertThrows(IllegalArgumentException.class, () -> Tokenizers.fromJson("not json"));
    }

    @Test
    void unknownCharactersAndIdsAreNamed() {
        CharTokenizer tokenizer = CharTokenizer.fromCorpus("abc");
        var newline = assertThrows(IllegalArgumentException.class, () -> tokenizer.encode("a\nb"));
        assertTrue(newline.getMessage().contains("U+000A LINE FEED") && newline.getMessage().contains("index 1"),
                newline.getMessage());
        var id = assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {0, 3}));
        assertTrue(id.getMessage().contains("id 3") && id.getMessage().contains("position 1"), id.getMessage());
        assertArrayEquals(new int[] {2, 1, 0}, tokenizer.encode("cba"));
    }
}
