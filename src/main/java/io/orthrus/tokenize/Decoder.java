package io.orthrus.tokenize;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A {@code tokenizer.json} decoder, as the {@code tokenizers} library runs it: the tokens of the ids (as
 * the vocabulary writes them) become the pieces of text that, joined, are the decoded text. SentencePiece
 * models use {@code Replace}, {@code ByteFallback}, {@code Fuse}, {@code Strip} and {@code Metaspace}.
 */
@FunctionalInterface
interface Decoder {
    /** The pieces of text of {@code tokens}, in order. */
    List<String> decode(List<String> tokens);

    /** The text of {@code tokens} under {@code decoder}; with none, the tokens joined by spaces, as {@code tokenizers} does. */
    static String text(Decoder decoder, List<String> tokens) {
        return decoder == null ? String.join(" ", tokens) : String.join("", decoder.decode(tokens));
    }

    /** The text of {@code ids}, whose tokens {@code tokenizer} gives, under {@code decoder}. */
    static String text(Decoder decoder, Tokenizer tokenizer, int[] ids) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            tokens.add(tokenizer.token(id));
        }
        return text(decoder, tokens);
    }

    /**
     * The decoder {@code element} describes ({@code where} names it in messages), or null for JSON null;
     * a kind not listed above, or a field of the wrong kind, is refused naming {@code file} and the field.
     */
    static Decoder read(Path file, String where, JsonElement element) {
        if (element == null || element.isJsonNull()) {
            return null;
        }
        if (!element.isJsonObject()) {
            throw new IllegalArgumentException(file + ": " + where + " is not an object");
        }
        JsonObject d = element.getAsJsonObject();
        String type = d.has("type") ? d.get("type").getAsString() : "";
        switch (type) {
            case "Sequence": {
                JsonElement list = d.get("decoders");
                if (list == null || !list.isJsonArray()) {
                    throw new IllegalArgumentException(file + ": " + where + ".decoders is not an array");
                }
                List<Decoder> steps = new ArrayList<>();
                for (int i = 0; i < list.getAsJsonArray().size(); i++) {
                    steps.add(read(file, where + ".decoders[" + i + "]", list.getAsJsonArray().get(i)));
                }
                return tokens -> {
                    for (Decoder step : steps) {
                        tokens = step == null ? tokens : step.decode(tokens);
                    }
                    return tokens;
                };
            }
            case "Replace":
                return each(replacement(file, where, d));
            case "ByteFallback":
                return Decoder::byteFallback;
            case "Fuse":
                return tokens -> List.of(String.join("", tokens));
            case "Strip": {
                String content = d.has("content") ? d.get("content").getAsString() : " ";
                if (content.codePointCount(0, content.length()) != 1) {
                    throw new IllegalArgumentException(file + ": " + where + ".content must be one character, got '"
                            + content + "'");
                }
                int start = count(file, where, d, "start"), stop = count(file, where, d, "stop");
                return each(token -> strip(token, content, start, stop));
            }
            case "Metaspace": {
                String replacement = d.has("replacement") ? d.get("replacement").getAsString() : "\u2581";
                String scheme = d.has("prepend_scheme") ? d.get("prepend_scheme").getAsString()
                        : !d.has("add_prefix_space") || d.get("add_prefix_space").getAsBoolean() ? "always" : "never";
                boolean dropInFirst = !scheme.equals("never");
                return tokens -> {
                    List<String> out = new ArrayList<>(tokens.size());
                    for (int i = 0; i < tokens.size(); i++) {
                        // tokenizers drops every replacement character of the first token, not only a leading one.
                        out.add(tokens.get(i).replace(replacement, i == 0 && dropInFirst ? "" : " "));
                    }
                    return out;
                };
            }
            default:
                throw new IllegalArgumentException(file + ": " + where + " of type '" + type + "' is not supported"
                        + " (Sequence, Replace, ByteFallback, Fuse, Strip, Metaspace)");
        }
    }

    /**
     * A {@code Replace} normalizer's or decoder's rule: {@code pattern} ({@code {"String": …}} or
     * {@code {"Regex": …}}) replaced by {@code content} wherever it occurs.
     */
    static java.util.function.UnaryOperator<String> replacement(Path file, String where, JsonObject json) {
        JsonObject pattern = json.has("pattern") && json.get("pattern").isJsonObject() ? json.getAsJsonObject("pattern") : null;
        JsonElement content = json.get("content");
        if (pattern == null || content == null || !content.isJsonPrimitive()) {
            throw new IllegalArgumentException(file + ": " + where + " needs a pattern and a content");
        }
        String with = content.getAsString();
        if (pattern.has("String")) {
            String literal = pattern.get("String").getAsString();
            return text -> literal.isEmpty() ? text : text.replace(literal, with);
        }
        if (pattern.has("Regex")) {
            Pattern regex;
            try {
                regex = Pattern.compile(pattern.get("Regex").getAsString());
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(file + ": " + where + ".pattern.Regex is not a regular expression"
                        + " Orthrus reads: " + e.getDescription());
            }
            String replacement = Matcher.quoteReplacement(with);
            return text -> regex.matcher(text).replaceAll(replacement);
        }
        throw new IllegalArgumentException(file + ": " + where + ".pattern must be {\"String\": …} or {\"Regex\": …}");
    }

    private static Decoder each(java.util.function.UnaryOperator<String> f) {
        return tokens -> tokens.stream().map(f).toList();
    }

    private static int count(Path file, String where, JsonObject d, String field) {
        JsonElement e = d.get(field);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() || e.getAsInt() < 0) {
            throw new IllegalArgumentException(file + ": " + where + "." + field + " must be a count, got " + e);
        }
        return e.getAsInt();
    }

    /** {@code token} without up to {@code start} copies of {@code content} at its start and {@code stop} at its end. */
    private static String strip(String token, String content, int start, int stop) {
        int from = 0, to = token.length();
        for (int k = 0; k < start && token.startsWith(content, from); k++) {
            from += content.length();
        }
        for (int k = 0; k < stop && to - content.length() >= from && token.startsWith(content, to - content.length()); k++) {
            to -= content.length();
        }
        return token.substring(from, to);
    }

    /**
     * Runs of byte tokens ({@code <0x41>}) become the text of their bytes; a run that is not valid UTF-8
     * as a whole becomes one U+FFFD per byte, as {@code tokenizers}' ByteFallback does.
     */
    private static List<String> byteFallback(List<String> tokens) {
        List<String> out = new ArrayList<>(tokens.size());
        java.io.ByteArrayOutputStream run = new java.io.ByteArrayOutputStream();
        for (String token : tokens) {
            int b = byteOf(token);
            if (b >= 0) {
                run.write(b);
                continue;
            }
            flush(run, out);
            out.add(token);
        }
        flush(run, out);
        return out;
    }

    private static void flush(java.io.ByteArrayOutputStream run, List<String> out) {
        if (run.size() == 0) {
            return;
        }
        try {
            out.add(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(run.toByteArray()))
                    .toString());
        } catch (CharacterCodingException e) {
            out.add("\uFFFD".repeat(run.size()));
        }
        run.reset();
    }

    /** The byte a token {@code <0xHH>} stands for, or -1 for any other token. */
    static int byteOf(String token) {
        if (token.length() != 6 || !token.startsWith("<0x") || token.charAt(5) != '>') {
            return -1;
        }
        int hi = token.charAt(3) == '+' ? 0 : hex(token.charAt(3)), lo = hex(token.charAt(4)); // Rust's parse takes a '+'
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    private static int hex(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    /** The token that stands for byte {@code b} under byte fallback: {@code <0x0A>}. */
    static String byteToken(int b) {
        return String.format(java.util.Locale.ROOT, "<0x%02X>", b);
    }
}
