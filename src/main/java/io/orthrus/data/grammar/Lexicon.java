package io.orthrus.data.grammar;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The words of {@link Grammar}'s language and what each may combine with: nouns with their
 * plural and the intransitive verbs that fit them, transitive verbs with the nouns that may be
 * their subject and object, determiners by number, adjectives, adverbs.
 */
final class Lexicon {
    /** A verb's third-person singular and plural forms ("barks", "bark"). */
    record Verb(String singular, String plural) {
        String form(boolean plural) {
            return plural ? this.plural : singular;
        }
    }

    /** A noun, its plural, and the intransitive verbs whose subject it can be. */
    record Noun(String singular, String plural, List<Verb> intransitives) {
        String form(boolean plural) {
            return plural ? this.plural : singular;
        }
    }

    /** A transitive verb with the nouns (by singular form) it takes as subject and as object. */
    record Transitive(Verb verb, Set<String> subjects, Set<String> objects) {}

    /** A word form found in a sentence, with its number. */
    record Form<T>(T entry, boolean plural) {}

    static final List<String> SINGULAR_DETERMINERS = List.of("the", "a", "an", "one", "every");
    static final List<String> PLURAL_DETERMINERS = List.of("the", "some", "two", "three", "four", "five", "many");
    static final List<String> ADJECTIVES = List.of("big", "small", "old", "young", "happy", "hungry", "angry");
    static final List<String> ADVERBS = List.of("quickly", "loudly", "quietly", "today", "again");
    static final String THAT = "that";
    static final String END = ".";

    private static final Verb BARKS = new Verb("barks", "bark");
    private static final Verb RUNS = new Verb("runs", "run");
    private static final Verb SLEEPS = new Verb("sleeps", "sleep");
    private static final Verb EATS = new Verb("eats", "eat");
    private static final Verb MEOWS = new Verb("meows", "meow");
    private static final Verb HIDES = new Verb("hides", "hide");
    private static final Verb SINGS = new Verb("sings", "sing");
    private static final Verb FLIES = new Verb("flies", "fly");
    private static final Verb PLAYS = new Verb("plays", "play");
    private static final Verb LAUGHS = new Verb("laughs", "laugh");
    private static final Verb WORKS = new Verb("works", "work");
    private static final Verb TALKS = new Verb("talks", "talk");

    static final List<Noun> NOUNS = List.of(
            new Noun("dog", "dogs", List.of(BARKS, RUNS, SLEEPS, EATS)),
            new Noun("cat", "cats", List.of(MEOWS, SLEEPS, HIDES, EATS)),
            new Noun("bird", "birds", List.of(SINGS, FLIES, EATS)),
            new Noun("horse", "horses", List.of(RUNS, SLEEPS, EATS)),
            new Noun("child", "children", List.of(PLAYS, LAUGHS, SLEEPS, RUNS)),
            new Noun("farmer", "farmers", List.of(WORKS, SINGS, EATS)),
            new Noun("teacher", "teachers", List.of(TALKS, WORKS, LAUGHS)));

    private static final Set<String> ANIMALS = Set.of("dog", "cat", "bird", "horse");
    private static final Set<String> PEOPLE = Set.of("child", "farmer", "teacher");
    private static final Set<String> EVERYONE = Set.of("dog", "cat", "bird", "horse", "child", "farmer", "teacher");

    static final List<Transitive> TRANSITIVES = List.of(
            new Transitive(new Verb("sees", "see"), EVERYONE, EVERYONE),
            new Transitive(new Verb("likes", "like"), EVERYONE, EVERYONE),
            new Transitive(new Verb("chases", "chase"), Set.of("dog", "cat", "child"), ANIMALS),
            new Transitive(new Verb("feeds", "feed"), PEOPLE, ANIMALS),
            new Transitive(new Verb("rides", "ride"), Set.of("farmer", "child"), Set.of("horse")),
            new Transitive(new Verb("teaches", "teach"), Set.of("teacher"), Set.of("child")),
            new Transitive(new Verb("helps", "help"), PEOPLE, PEOPLE));

    private static final Map<String, Form<Noun>> NOUN_FORMS = new LinkedHashMap<>();
    private static final Map<String, Form<Verb>> INTRANSITIVE_FORMS = new LinkedHashMap<>();
    private static final Map<String, Form<Transitive>> TRANSITIVE_FORMS = new LinkedHashMap<>();

    static {
        for (Noun noun : NOUNS) {
            NOUN_FORMS.put(noun.singular(), new Form<>(noun, false));
            NOUN_FORMS.put(noun.plural(), new Form<>(noun, true));
            for (Verb verb : noun.intransitives()) {
                INTRANSITIVE_FORMS.put(verb.singular(), new Form<>(verb, false));
                INTRANSITIVE_FORMS.put(verb.plural(), new Form<>(verb, true));
            }
        }
        for (Transitive transitive : TRANSITIVES) {
            TRANSITIVE_FORMS.put(transitive.verb().singular(), new Form<>(transitive, false));
            TRANSITIVE_FORMS.put(transitive.verb().plural(), new Form<>(transitive, true));
        }
    }

    private Lexicon() {}

    static Form<Noun> noun(String word) {
        return NOUN_FORMS.get(word);
    }

    static Form<Verb> intransitive(String word) {
        return INTRANSITIVE_FORMS.get(word);
    }

    static Form<Transitive> transitive(String word) {
        return TRANSITIVE_FORMS.get(word);
    }

    static boolean isDeterminer(String word) {
        return word != null && (SINGULAR_DETERMINERS.contains(word) || PLURAL_DETERMINERS.contains(word));
    }

    static boolean isAdjective(String word) {
        return word != null && ADJECTIVES.contains(word);
    }

    static boolean isAdverb(String word) {
        return word != null && ADVERBS.contains(word);
    }

    /** "a" before a consonant, "an" before a vowel. */
    static boolean startsWithVowel(String word) {
        return "aeiou".indexOf(word.charAt(0)) >= 0;
    }

    /** The transitive verbs whose subject (or object, when {@code asObject}) may be {@code noun}. */
    static List<Transitive> transitivesFor(Noun noun, boolean asObject) {
        List<Transitive> fitting = new ArrayList<>();
        for (Transitive transitive : TRANSITIVES) {
            if ((asObject ? transitive.objects() : transitive.subjects()).contains(noun.singular())) {
                fitting.add(transitive);
            }
        }
        return fitting;
    }

    /** Every word the language uses, sorted. */
    static List<String> words() {
        Set<String> words = new TreeSet<>();
        words.addAll(SINGULAR_DETERMINERS);
        words.addAll(PLURAL_DETERMINERS);
        words.addAll(ADJECTIVES);
        words.addAll(ADVERBS);
        words.addAll(NOUN_FORMS.keySet());
        words.addAll(INTRANSITIVE_FORMS.keySet());
        words.addAll(TRANSITIVE_FORMS.keySet());
        words.add(THAT);
        words.add(END);
        return List.copyOf(words);
    }
}
