package io.orthrus.data;

import io.orthrus.tensor.Rng;
import io.orthrus.tokenize.CharTokenizer;
import java.time.LocalDate;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Character-level sequence-to-sequence tasks generated in code, whose right answers are known
 * exactly: the standard checks that a decoder really reads its source.
 *
 * <ul>
 *   <li>{@link #REVERSE}: 1–12 random letters {@code a–z}, written backwards ({@code "order" → "redro"}).</li>
 *   <li>{@link #SORT}: 1–12 random digits, sorted ({@code "5120" → "0125"}).</li>
 *   <li>{@link #DATES}: a date between 1900 and 2099 in ISO form, written out in English
 *       ({@code "2024-03-07" → "7 March 2024"}): copying, a lookup and a dropped leading zero.</li>
 * </ul>
 */
public enum SyntheticTask {
    /** Reverse a string of letters. */
    REVERSE("abcdefghijklmnopqrstuvwxyz") {
        @Override
        public Example sample(Rng rng) {
            String s = randomString(rng, characters(), 1 + rng.nextInt(MAX_LENGTH));
            return new Example(s, new StringBuilder(s).reverse().toString());
        }
    },
    /** Sort a string of digits. */
    SORT("0123456789") {
        @Override
        public Example sample(Rng rng) {
            String s = randomString(rng, characters(), 1 + rng.nextInt(MAX_LENGTH));
            char[] sorted = s.toCharArray();
            Arrays.sort(sorted);
            return new Example(s, new String(sorted));
        }
    },
    /** Rewrite an ISO date in words. */
    DATES(dateCharacters()) {
        @Override
        public Example sample(Rng rng) {
            LocalDate date = FIRST_DAY.plusDays(rng.nextInt(DAYS));
            String written = date.getDayOfMonth() + " " + date.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH)
                    + " " + date.getYear();
            return new Example(date.toString(), written);
        }
    };

    /** Longest string of {@link #REVERSE} and {@link #SORT}. */
    public static final int MAX_LENGTH = 12;
    private static final LocalDate FIRST_DAY = LocalDate.of(1900, 1, 1);
    private static final int DAYS = (int) (LocalDate.of(2100, 1, 1).toEpochDay() - FIRST_DAY.toEpochDay());

    /** One input and its answer. */
    public record Example(String source, String target) {
        /** The example as ids of {@code tokenizer}. */
        public SequencePair encode(CharTokenizer tokenizer) {
            return SequencePair.encode(tokenizer, source, target);
        }
    }

    private final String characters;

    SyntheticTask(String characters) {
        this.characters = characters;
    }

    /** A random example. */
    public abstract Example sample(Rng rng);

    /** {@code count} random examples (repeats are possible). */
    public List<Example> samples(int count, Rng rng) {
        List<Example> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(sample(rng));
        }
        return out;
    }

    /** Every character that sources and targets use. */
    public String characters() {
        return characters;
    }

    /** A character tokenizer over {@link #characters()}. */
    public CharTokenizer tokenizer() {
        return CharTokenizer.of(characters);
    }

    private static String randomString(Rng rng, String alphabet, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(rng.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    private static String dateCharacters() {
        TreeSet<Character> set = new TreeSet<>();
        for (char c : "0123456789- ".toCharArray()) {
            set.add(c);
        }
        for (java.time.Month month : java.time.Month.values()) {
            for (char c : month.getDisplayName(TextStyle.FULL, Locale.ENGLISH).toCharArray()) {
                set.add(c);
            }
        }
        StringBuilder s = new StringBuilder();
        set.forEach(s::append);
        return s.toString();
    }
}
