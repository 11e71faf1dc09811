package io.orthrus.data.grammar;

import io.orthrus.data.grammar.Lexicon.Form;
import io.orthrus.data.grammar.Lexicon.Noun;
import io.orthrus.data.grammar.Lexicon.Transitive;
import io.orthrus.data.grammar.Lexicon.Verb;
import io.orthrus.tensor.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * A small English-like language defined by a grammar: a corpus the library can generate itself
 * (no third-party text to ship) and whose rules are known, so that what a model learned can be
 * checked word by word.
 *
 * <pre>
 * sentence  → subject verb-phrase "."
 * subject   → noun-phrase [ "that" transitive noun-phrase | "that" noun-phrase transitive ]
 * verb-phr. → ( intransitive | transitive noun-phrase ) [ adverb ]
 * noun-phr. → determiner [ adjective ] noun
 * </pre>
 *
 * <p>Three kinds of rule decide which words fit: <b>agreement</b> (a verb agrees in number with
 * its subject, also across a relative clause — "the dog that the farmers feed <i>barks</i>";
 * "a", "an", "one", "every" take a singular noun and "some", "two" … "many" a plural; "an" goes
 * before a vowel), and <b>meaning</b> (dogs bark and birds fly, not the reverse; farmers feed
 * animals; only teachers teach, and they teach children). {@link #check} tells which rule a
 * sentence breaks. Seven nouns, 19 verbs, 77 words in all ({@link #vocabulary}).
 */
public final class Grammar {
    /** What {@link #check} finds in a sentence, the first applicable of these in this order. */
    public enum Verdict {
        /** Not a sentence of the grammar at all (unknown word, words out of place, no final "."). */
        NOT_A_SENTENCE,
        /** Well-formed, but a verb, determiner or "a"/"an" disagrees with its noun or the next word. */
        WRONG_AGREEMENT,
        /** Well-formed and agreeing, but a verb does not fit its subject or object ("the cat barks"). */
        WRONG_MEANING,
        /** A sentence of the language. */
        GRAMMATICAL
    }

    private static final List<String> CHOSEN_SINGULAR_DETERMINERS = List.of("the", "a", "one", "every");

    private final double relativeClauseRate;

    private Grammar(double relativeClauseRate) {
        this.relativeClauseRate = relativeClauseRate;
    }

    /**
     * The language with a relative clause on 30% of subjects. Nouns are plural half of the time;
     * adjectives and adverbs each appear with probability 0.3; half of the verb phrases are
     * transitive.
     */
    public static Grammar english() {
        return new Grammar(0.3);
    }

    /** The same language with a relative clause on a fraction {@code rate} ∈ [0, 1] of subjects. */
    public Grammar withRelativeClauseRate(double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("Grammar: relative clause rate must be in [0, 1], got " + rate);
        }
        return new Grammar(rate);
    }

    /** The fraction of subjects that carry a relative clause. */
    public double relativeClauseRate() {
        return relativeClauseRate;
    }

    /** Every word the language uses, "." included, sorted. */
    public List<String> vocabulary() {
        return Lexicon.words();
    }

    /** True when {@code word} is a noun of the language, singular or plural ("dog", "dogs"). */
    public boolean isNoun(String word) {
        return Lexicon.noun(word) != null;
    }

    /** One random sentence, words separated by single spaces, ending with " .". */
    public String sentence(Rng rng) {
        List<String> words = new ArrayList<>();
        Noun subject = pick(Lexicon.NOUNS, rng);
        boolean plural = rng.nextDouble() < 0.5;
        nounPhrase(words, subject, plural, rng);
        if (rng.nextDouble() < relativeClauseRate) {
            relativeClause(words, subject, plural, rng);
        }
        if (rng.nextDouble() < 0.5) {
            Transitive verb = pick(Lexicon.transitivesFor(subject, false), rng);
            words.add(verb.verb().form(plural));
            nounPhrase(words, pick(nouns(verb, true), rng), rng.nextDouble() < 0.5, rng);
        } else {
            words.add(pick(subject.intransitives(), rng).form(plural));
        }
        if (rng.nextDouble() < 0.3) {
            words.add(pick(Lexicon.ADVERBS, rng));
        }
        words.add(Lexicon.END);
        return String.join(" ", words);
    }

    /**
     * A sentence, a paraphrase of it and a look-alike that means something else: the sentence is a
     * transitive clause ("the dog chases two cats quickly ."), the paraphrase says the same in the
     * passive voice ("two cats are chased by the dog quickly .") and the contrast uses the same words
     * with the roles swapped ("the dog is chased by two cats quickly ."; when the verb cannot take
     * the swapped roles, another subject that it can take). Pairs for training and testing sentence
     * encoders: the paraphrase shares meaning, not word order; the contrast shares the words, not the
     * meaning. The passive adds "is", "are", "by" and the participles to the language's words.
     */
    public Paraphrase paraphrase(Rng rng) {
        Transitive verb = pick(Lexicon.TRANSITIVES, rng);
        List<Noun> subjects = nouns(verb, false), objects = nouns(verb, true);
        Noun subject = pick(subjects, rng);
        List<Noun> others = objects.stream().filter(n -> n != subject).toList();
        Noun object = pick(others.isEmpty() ? objects : others, rng);
        boolean subjectPlural = rng.nextDouble() < 0.5, objectPlural = rng.nextDouble() < 0.5;
        List<String> agent = new ArrayList<>(), patient = new ArrayList<>();
        nounPhrase(agent, subject, subjectPlural, rng);
        nounPhrase(patient, object, objectPlural, rng);
        String adverb = rng.nextDouble() < 0.3 ? pick(Lexicon.ADVERBS, rng) : null;
        String participle = PARTICIPLES.get(verb.verb().plural());
        String active = clause(agent, List.of(verb.verb().form(subjectPlural)), patient, adverb);
        String passive = clause(patient, List.of(objectPlural ? "are" : "is", participle, "by"), agent, adverb);
        boolean swappable = verb.subjects().contains(object.singular()) && verb.objects().contains(subject.singular());
        List<Noun> otherSubjects = subjects.stream().filter(n -> n != subject && n != object).toList();
        String contrast;
        if (swappable || otherSubjects.isEmpty()) {
            contrast = clause(agent, List.of(subjectPlural ? "are" : "is", participle, "by"), patient, adverb);
        } else {
            List<String> otherAgent = new ArrayList<>(agent);
            otherAgent.set(otherAgent.size() - 1, pick(otherSubjects, rng).form(subjectPlural));
            fixArticle(otherAgent);
            contrast = clause(patient, List.of(objectPlural ? "are" : "is", participle, "by"), otherAgent, adverb);
        }
        return new Paraphrase(active, passive, contrast);
    }

    /**
     * A sentence with a paraphrase and a contrast (see {@link #paraphrase}).
     *
     * @param sentence   a transitive sentence in the active voice
     * @param paraphrase the same meaning in the passive voice
     * @param contrast   the same kind of words in another meaning
     */
    public record Paraphrase(String sentence, String paraphrase, String contrast) {}

    /** Passive participles of the transitive verbs, by plural form. */
    private static final java.util.Map<String, String> PARTICIPLES = java.util.Map.of("see", "seen", "like", "liked",
            "chase", "chased", "feed", "fed", "ride", "ridden", "teach", "taught", "help", "helped");

    private static String clause(List<String> first, List<String> verb, List<String> second, String adverb) {
        List<String> words = new ArrayList<>(first);
        words.addAll(verb);
        words.addAll(second);
        if (adverb != null) {
            words.add(adverb);
        }
        words.add(Lexicon.END);
        return String.join(" ", words);
    }

    /** "a"/"an" as the word after it needs, once a noun phrase's noun has changed. */
    private static void fixArticle(List<String> phrase) {
        if (phrase.get(0).equals("a") || phrase.get(0).equals("an")) {
            phrase.set(0, Lexicon.startsWithVowel(phrase.get(1)) ? "an" : "a");
        }
    }

    /** {@code count} random sentences. */
    public List<String> sentences(int count, Rng rng) {
        if (count < 0) {
            throw new IllegalArgumentException("Grammar: sentence count must be ≥ 0, got " + count);
        }
        List<String> sentences = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            sentences.add(sentence(rng));
        }
        return sentences;
    }

    /** {@code count} random sentences, one per line (each line ends with a newline). */
    public String text(int count, Rng rng) {
        StringBuilder text = new StringBuilder();
        for (String sentence : sentences(count, rng)) {
            text.append(sentence).append('\n');
        }
        return text.toString();
    }

    /**
     * Whether {@code sentence} (words separated by whitespace, ending with ".") belongs to the
     * language, and if not, which kind of rule it breaks.
     */
    public Verdict check(String sentence) {
        return new Checker(sentence).verdict();
    }

    private void relativeClause(List<String> words, Noun head, boolean plural, Rng rng) {
        words.add(Lexicon.THAT);
        if (rng.nextDouble() < 0.5) { // "the dog that chases the cats": the head is the clause's subject
            Transitive verb = pick(Lexicon.transitivesFor(head, false), rng);
            words.add(verb.verb().form(plural));
            nounPhrase(words, pick(nouns(verb, true), rng), rng.nextDouble() < 0.5, rng);
        } else { // "the dog that the farmers feed": the head is the clause's object
            Transitive verb = pick(Lexicon.transitivesFor(head, true), rng);
            boolean innerPlural = rng.nextDouble() < 0.5;
            nounPhrase(words, pick(nouns(verb, false), rng), innerPlural, rng);
            words.add(verb.verb().form(innerPlural));
        }
    }

    private static void nounPhrase(List<String> words, Noun noun, boolean plural, Rng rng) {
        String adjective = rng.nextDouble() < 0.3 ? pick(Lexicon.ADJECTIVES, rng) : null;
        String determiner = pick(plural ? Lexicon.PLURAL_DETERMINERS : CHOSEN_SINGULAR_DETERMINERS, rng);
        String next = adjective != null ? adjective : noun.form(plural);
        words.add(determiner.equals("a") && Lexicon.startsWithVowel(next) ? "an" : determiner);
        if (adjective != null) {
            words.add(adjective);
        }
        words.add(noun.form(plural));
    }

    /** The nouns, in lexicon order, that {@code verb} takes as object (or as subject). */
    private static List<Noun> nouns(Transitive verb, boolean objects) {
        return Lexicon.NOUNS.stream()
                .filter(noun -> (objects ? verb.objects() : verb.subjects()).contains(noun.singular()))
                .toList();
    }

    private static <T> T pick(List<T> choices, Rng rng) {
        return choices.get(rng.nextInt(choices.size()));
    }

    /** A recursive-descent reading of one sentence that records which rules it breaks. */
    private static final class Checker {
        private final String[] words;
        private int at;
        private boolean wrongAgreement;
        private boolean wrongMeaning;

        Checker(String sentence) {
            String trimmed = sentence.strip();
            this.words = trimmed.isEmpty() ? new String[0] : trimmed.split("\\s+");
        }

        Verdict verdict() {
            if (!readSentence()) {
                return Verdict.NOT_A_SENTENCE;
            }
            return wrongAgreement ? Verdict.WRONG_AGREEMENT
                    : wrongMeaning ? Verdict.WRONG_MEANING : Verdict.GRAMMATICAL;
        }

        private boolean readSentence() {
            Form<Noun> subject = readNounPhrase();
            if (subject == null) {
                return false;
            }
            if (Lexicon.THAT.equals(peek())) {
                at++;
                if (!readRelativeClause(subject)) {
                    return false;
                }
            }
            String verb = next();
            Form<Verb> intransitive = verb == null ? null : Lexicon.intransitive(verb);
            Form<Transitive> transitive = verb == null ? null : Lexicon.transitive(verb);
            if (intransitive != null) {
                agree(subject.plural() == intransitive.plural());
                fit(subject.entry().intransitives().contains(intransitive.entry()));
            } else if (transitive != null) {
                agree(subject.plural() == transitive.plural());
                Form<Noun> object = readNounPhrase();
                if (object == null) {
                    return false;
                }
                fit(takes(transitive.entry(), subject, object));
            } else {
                return false;
            }
            if (Lexicon.isAdverb(peek())) {
                at++;
            }
            return Lexicon.END.equals(next()) && at == words.length;
        }

        private boolean readRelativeClause(Form<Noun> head) {
            if (Lexicon.isDeterminer(peek())) { // object relative: "that the farmers feed"
                Form<Noun> subject = readNounPhrase();
                Form<Transitive> verb = subject == null ? null : transitiveOrNull(next());
                if (verb == null) {
                    return false;
                }
                agree(subject.plural() == verb.plural());
                fit(takes(verb.entry(), subject, head));
                return true;
            }
            Form<Transitive> verb = transitiveOrNull(next()); // subject relative: "that chases the cats"
            Form<Noun> object = verb == null ? null : readNounPhrase();
            if (object == null) {
                return false;
            }
            agree(head.plural() == verb.plural());
            fit(takes(verb.entry(), head, object));
            return true;
        }

        private Form<Noun> readNounPhrase() {
            String determiner = next();
            if (determiner == null || !Lexicon.isDeterminer(determiner)) {
                return null;
            }
            String after = peek();
            if (Lexicon.isAdjective(after)) {
                at++;
            }
            String word = next();
            Form<Noun> noun = word == null ? null : Lexicon.noun(word);
            if (noun == null) {
                return null;
            }
            boolean singularOnly = !Lexicon.PLURAL_DETERMINERS.contains(determiner);
            boolean pluralOnly = !Lexicon.SINGULAR_DETERMINERS.contains(determiner);
            agree(!(singularOnly && noun.plural()) && !(pluralOnly && !noun.plural()));
            if (determiner.equals("a") || determiner.equals("an")) {
                agree(determiner.equals("an") == Lexicon.startsWithVowel(after));
            }
            return noun;
        }

        private static Form<Transitive> transitiveOrNull(String word) {
            return word == null ? null : Lexicon.transitive(word);
        }

        private static boolean takes(Transitive verb, Form<Noun> subject, Form<Noun> object) {
            return verb.subjects().contains(subject.entry().singular())
                    && verb.objects().contains(object.entry().singular());
        }

        private void agree(boolean agrees) {
            wrongAgreement |= !agrees;
        }

        private void fit(boolean fits) {
            wrongMeaning |= !fits;
        }

        private String peek() {
            return at < words.length ? words[at] : null;
        }

        private String next() {
            return at < words.length ? words[at++] : null;
        }
    }
}
