package io.orthrus.tokenize;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import io.orthrus.files.JsonFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads Hugging Face's single-file {@code tokenizer.json} for the families Orthrus has: a BPE model with
 * the ByteLevel pre-tokenizer (GPT-2, RoBERTa) becomes a {@link ByteLevelBpe}; a WordPiece model with
 * the BertNormalizer and BertPreTokenizer (BERT) a {@link WordPiece}; a Unigram model with its
 * normalizer (SentencePiece's Precompiled rules, Strip, Replace, …) and Metaspace (XLM-RoBERTa) a
 * {@link Unigram}. A BPE or Unigram model whose post-processor is RoBERTa's template
 * ({@code RobertaProcessing}, or a {@code TemplateProcessing} {@code <s> $A </s>}) comes inside a
 * {@link TemplateTokenizer}; other post-processors change no id and are not needed to encode. Any other
 * component, or an option those classes do not implement, is refused by name.
 */
final class HuggingFaceTokenizerJson {
    private HuggingFaceTokenizerJson() {}

    static Tokenizer load(Path file) throws IOException {
        return read(file, JsonFiles.readObject(file));
    }

    /** The tokenizer {@code json} (the content of {@code file}) describes. */
    static Tokenizer read(Path file, JsonObject json) {
        JsonObject model = object(file, json, "model");
        String type = model.has("type") ? model.get("type").getAsString() : "";
        return switch (type) {
            case "BPE" -> isCharacterLevel(json, model) ? characters(file, model)
                    : withTemplate(file, json, isByteLevel(json) ? bpe(file, json, model) : sentencePieceBpe(file, json, model));
            case "WordPiece" -> wordPiece(file, json, model);
            case "Unigram" -> withTemplate(file, json, unigram(file, json, model));
            default -> throw new IllegalArgumentException(file + ": model type '" + type
                    + "' is not supported (BPE, WordPiece with BertNormalizer, Unigram with Metaspace)");
        };
    }

    /** Whether a BPE's pre-tokenizer is ByteLevel, alone or last in a Sequence (GPT-2, Llama 3, Qwen2). */
    private static boolean isByteLevel(JsonObject json) {
        JsonElement pre = json.get("pre_tokenizer");
        if (pre == null || !pre.isJsonObject()) {
            return false;
        }
        JsonObject p = pre.getAsJsonObject();
        if (p.has("type") && p.get("type").getAsString().equals("Sequence") && p.get("pretokenizers") != null
                && p.get("pretokenizers").isJsonArray() && !p.getAsJsonArray("pretokenizers").isEmpty()) {
            JsonArray steps = p.getAsJsonArray("pretokenizers");
            p = steps.get(steps.size() - 1).isJsonObject() ? steps.get(steps.size() - 1).getAsJsonObject() : new JsonObject();
        }
        return p.has("type") && p.get("type").getAsString().equals("ByteLevel");
    }

    /**
     * A BPE without merges, normalizer or pre-tokenizer whose tokens are all single characters:
     * how a {@link CharTokenizer} is written, one token per code point.
     */
    private static boolean isCharacterLevel(JsonObject json, JsonObject model) {
        JsonElement merges = model.get("merges"), vocab = model.get("vocab");
        boolean bare = (json.get("pre_tokenizer") == null || json.get("pre_tokenizer").isJsonNull())
                && (json.get("normalizer") == null || json.get("normalizer").isJsonNull());
        boolean noAdded = json.get("added_tokens") == null || !json.get("added_tokens").isJsonArray()
                || json.get("added_tokens").getAsJsonArray().isEmpty();
        return bare && noAdded && merges != null && merges.isJsonArray() && merges.getAsJsonArray().isEmpty() && vocab != null
                && vocab.isJsonObject() && vocab.getAsJsonObject().keySet().stream()
                .allMatch(t -> !t.isEmpty() && t.codePointCount(0, t.length()) == 1);
    }

    private static CharTokenizer characters(Path file, JsonObject model) {
        Map<String, Integer> vocab = vocabulary(file, model);
        int[] codePoints = new int[vocab.size()];
        boolean[] seen = new boolean[vocab.size()];
        vocab.forEach((token, id) -> {
            if (id < 0 || id >= codePoints.length || seen[id]) {
                throw new IllegalArgumentException(file + ": token ids must be 0.." + (codePoints.length - 1)
                        + " with no repeats; '" + token + "' has id " + id);
            }
            seen[id] = true;
            codePoints[id] = token.codePointAt(0);
        });
        return CharTokenizer.withIds(codePoints);
    }

    /**
     * Hugging Face's {@code tokenizer.json} for {@code tokenizer}, which {@code tokenizers}'
     * {@code Tokenizer.from_file} reads into a tokenizer giving the same ids (special tokens not
     * added) and {@link #read} back into an equal one: a {@link ByteLevelBpe} as GPT-2's, a
     * {@link WordPiece} as BERT's (with its [CLS]/[SEP] post-processor), a {@link CharTokenizer} as a
     * BPE without merges whose tokens are the characters.
     */
    static String write(Tokenizer tokenizer) {
        JsonObject json = new JsonObject();
        json.addProperty("version", "1.0");
        json.add("truncation", JsonNull.INSTANCE);
        json.add("padding", JsonNull.INSTANCE);
        JsonArray added = new JsonArray();
        JsonObject model = new JsonObject();
        JsonObject vocab = new JsonObject();
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            vocab.addProperty(tokenizer.token(id), id);
        }
        if (tokenizer instanceof WordPiece wp) {
            wp.addedTokens().tokens().forEach(a -> added.add(addedToken(a)));
            JsonObject normalizer = new JsonObject();
            normalizer.addProperty("type", "BertNormalizer");
            normalizer.addProperty("clean_text", true);
            normalizer.addProperty("handle_chinese_chars", true);
            normalizer.addProperty("strip_accents", wp.stripAccents());
            normalizer.addProperty("lowercase", wp.lowerCase());
            json.add("added_tokens", added);
            json.add("normalizer", normalizer);
            json.add("pre_tokenizer", typed("BertPreTokenizer"));
            json.add("post_processor", bertTemplate(wp));
            JsonObject decoder = typed("WordPiece");
            decoder.addProperty("prefix", WordPiece.CONTINUATION);
            decoder.addProperty("cleanup", true);
            json.add("decoder", decoder);
            model.addProperty("type", "WordPiece");
            model.addProperty("unk_token", WordPiece.UNK);
            model.addProperty("continuing_subword_prefix", WordPiece.CONTINUATION);
            model.addProperty("max_input_chars_per_word", WordPiece.MAX_WORD_CHARS);
            model.add("vocab", vocab);
        } else if (tokenizer instanceof TemplateTokenizer t && t.base() instanceof ByteLevelBpe) {
            JsonObject written = com.google.gson.JsonParser.parseString(write(t.base())).getAsJsonObject();
            JsonObject roberta = typed("RobertaProcessing");
            roberta.add("sep", special(t, t.eosId()));
            roberta.add("cls", special(t, t.bosId()));
            roberta.addProperty("trim_offsets", true);
            roberta.addProperty("add_prefix_space", false);
            written.add("post_processor", roberta);
            return written.toString();
        } else if (tokenizer instanceof TemplateTokenizer t && t.base() instanceof Unigram u) {
            JsonObject written = u.source();
            JsonObject template = typed("TemplateProcessing");
            String bos = t.token(t.bosId()), eos = t.token(t.eosId());
            template.add("single", pieces(new String[] {"S" + bos, "A", "S" + eos}, new int[3]));
            template.add("pair", pieces(new String[] {"S" + bos, "A", "S" + eos, "S" + eos, "B", "S" + eos}, new int[6]));
            template.add("special_tokens", specialTokens(t, t.bosId(), t.eosId()));
            written.add("post_processor", template);
            return written.toString();
        } else if (tokenizer instanceof Unigram u) {
            return u.source().toString();
        } else if (tokenizer instanceof SentencePieceBpe b) {
            return b.source().toString();
        } else if (tokenizer instanceof PrefixedTokenizer t) {
            JsonObject written = com.google.gson.JsonParser.parseString(write(t.base())).getAsJsonObject();
            int[] prefix = t.prefix();
            String[] single = new String[prefix.length + 1], pair = new String[2 * prefix.length + 2];
            int[] singleTypes = new int[single.length], pairTypes = new int[pair.length];
            for (int i = 0; i < prefix.length; i++) {
                single[i] = pair[i] = pair[prefix.length + 1 + i] = "S" + t.token(prefix[i]);
            }
            single[prefix.length] = pair[prefix.length] = "A";
            pair[pair.length - 1] = "B";
            java.util.Arrays.fill(pairTypes, prefix.length + 1, pair.length, 1); // Llama 2's: <s>:1 $B:1
            JsonObject template = typed("TemplateProcessing");
            template.add("single", pieces(single, singleTypes));
            template.add("pair", pieces(pair, pairTypes));
            template.add("special_tokens", specialTokens(t, java.util.Arrays.stream(prefix).distinct().toArray()));
            written.add("post_processor", template);
            return written.toString();
        } else if (tokenizer instanceof ByteLevelBpe || tokenizer instanceof CharTokenizer) {
            boolean byteLevel = tokenizer instanceof ByteLevelBpe;
            if (tokenizer instanceof ByteLevelBpe b) {
                b.addedTokens().tokens().forEach(a -> added.add(addedToken(a)));
                if (b.hasSpecial(ByteLevelBpe.END_OF_TEXT) && b.addedTokens().byId(b.specialId(ByteLevelBpe.END_OF_TEXT)) == null) {
                    added.add(addedToken(AddedTokens.Added.special(b.specialId(ByteLevelBpe.END_OF_TEXT),
                            ByteLevelBpe.END_OF_TEXT)));
                }
            }
            ByteLevelBpe.Options options = byteLevel ? ((ByteLevelBpe) tokenizer).options() : ByteLevelBpe.Options.GPT2;
            json.add("added_tokens", added);
            json.add("normalizer", options.nfc() ? typed("NFC") : JsonNull.INSTANCE);
            json.add("pre_tokenizer", !byteLevel ? JsonNull.INSTANCE
                    : options.splitRegex() == null ? byteLevel() : splitThenByteLevel(options.splitRegex()));
            json.add("post_processor", byteLevel ? byteLevel() : JsonNull.INSTANCE);
            json.add("decoder", byteLevel ? byteLevel() : typed("Fuse"));
            model.addProperty("type", "BPE");
            for (String absent : new String[] {"dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix"}) {
                model.add(absent, JsonNull.INSTANCE);
            }
            for (String off : new String[] {"fuse_unk", "byte_fallback"}) {
                model.addProperty(off, false);
            }
            model.addProperty("ignore_merges", options.ignoreMerges());
            model.add("vocab", vocab);
            JsonArray merges = new JsonArray();
            if (byteLevel) {
                for (String merge : ((ByteLevelBpe) tokenizer).merges()) {
                    JsonArray pair = new JsonArray(2);
                    int space = merge.indexOf(' ');
                    pair.add(merge.substring(0, space));
                    pair.add(merge.substring(space + 1));
                    merges.add(pair);
                }
            }
            model.add("merges", merges);
        } else {
            throw new IllegalArgumentException("HuggingFaceTokenizerJson: no tokenizer.json form for " + tokenizer);
        }
        json.add("model", model);
        return json.toString();
    }

    private static JsonArray special(Tokenizer t, int id) {
        JsonArray pair = new JsonArray(2);
        pair.add(t.token(id));
        pair.add(id);
        return pair;
    }

    private static JsonObject typed(String type) {
        JsonObject o = new JsonObject();
        o.addProperty("type", type);
        return o;
    }

    /** Llama 3's and Qwen2's pre-tokenizer: the Split regex (isolated matches), then ByteLevel without its own regex. */
    private static JsonObject splitThenByteLevel(String regex) {
        JsonObject split = typed("Split");
        JsonObject pattern = new JsonObject();
        pattern.addProperty("Regex", regex);
        split.add("pattern", pattern);
        split.addProperty("behavior", "Isolated");
        split.addProperty("invert", false);
        JsonObject byteLevel = byteLevel();
        byteLevel.addProperty("use_regex", false);
        JsonArray steps = new JsonArray();
        steps.add(split);
        steps.add(byteLevel);
        JsonObject sequence = typed("Sequence");
        sequence.add("pretokenizers", steps);
        return sequence;
    }

    private static JsonObject byteLevel() {
        JsonObject o = typed("ByteLevel");
        o.addProperty("add_prefix_space", false);
        o.addProperty("trim_offsets", true);
        o.addProperty("use_regex", true);
        return o;
    }

    private static JsonObject addedToken(AddedTokens.Added a) {
        JsonObject t = new JsonObject();
        t.addProperty("id", a.id());
        t.addProperty("content", a.content());
        t.addProperty("single_word", a.singleWord());
        t.addProperty("lstrip", a.lstrip());
        t.addProperty("rstrip", a.rstrip());
        t.addProperty("normalized", a.normalized());
        t.addProperty("special", a.special());
        return t;
    }

    /** BERT's post-processor: {@code [CLS] A [SEP]} and {@code [CLS] A [SEP] B [SEP]} with segment ids 0 and 1. */
    private static JsonObject bertTemplate(WordPiece wp) {
        JsonObject template = typed("TemplateProcessing");
        template.add("single", pieces(new String[] {"S" + WordPiece.CLS, "A", "S" + WordPiece.SEP}, new int[] {0, 0, 0}));
        template.add("pair", pieces(new String[] {"S" + WordPiece.CLS, "A", "S" + WordPiece.SEP, "B", "S" + WordPiece.SEP},
                new int[] {0, 0, 0, 1, 1}));
        template.add("special_tokens", specialTokens(wp, wp.clsId(), wp.sepId()));
        return template;
    }

    /** A TemplateProcessing's {@code special_tokens}: each of {@code ids} as a one-token entry named by its text. */
    private static JsonObject specialTokens(Tokenizer tokenizer, int... ids) {
        JsonObject specials = new JsonObject();
        for (int id : ids) {
            String token = tokenizer.token(id);
            JsonObject special = new JsonObject();
            special.addProperty("id", token);
            JsonArray idList = new JsonArray(), tokens = new JsonArray();
            idList.add(id);
            tokens.add(token);
            special.add("ids", idList);
            special.add("tokens", tokens);
            specials.add(token, special);
        }
        return specials;
    }

    /** Template pieces: "Sx" a special token x, else a sequence id ("A", "B"). */
    private static JsonArray pieces(String[] names, int[] typeIds) {
        JsonArray out = new JsonArray();
        for (int i = 0; i < names.length; i++) {
            JsonObject inner = new JsonObject();
            boolean special = names[i].startsWith("S");
            inner.addProperty("id", special ? names[i].substring(1) : names[i]);
            inner.addProperty("type_id", typeIds[i]);
            JsonObject piece = new JsonObject();
            piece.add(special ? "SpecialToken" : "Sequence", inner);
            out.add(piece);
        }
        return out;
    }

    /**
     * {@code base} in RoBERTa's template when the post-processor is RobertaProcessing, or a
     * TemplateProcessing of the same form ({@code <s> $A </s>}, {@code <s> $A </s> </s> $B </s>}, all
     * type ids 0); else {@code base} (post-processors that only adjust offsets change no id).
     */
    static Tokenizer withTemplate(Path file, JsonObject json, Tokenizer base) {
        JsonElement element = json.get("post_processor");
        if (element == null || !element.isJsonObject()) {
            return base;
        }
        JsonObject post = element.getAsJsonObject();
        String type = post.has("type") ? post.get("type").getAsString() : "";
        if (type.equals("Sequence")) { // Llama 3: ByteLevel (offsets only), then the template
            JsonElement steps = post.get("processors");
            JsonObject template = null;
            for (JsonElement step : steps != null && steps.isJsonArray() ? steps.getAsJsonArray() : new JsonArray()) {
                String stepType = step.isJsonObject() && step.getAsJsonObject().has("type")
                        ? step.getAsJsonObject().get("type").getAsString() : "?";
                if (stepType.equals("TemplateProcessing") && template == null) {
                    template = step.getAsJsonObject();
                } else if (!stepType.equals("ByteLevel")) {
                    throw new IllegalArgumentException(file + ": post_processor Sequence step '" + stepType
                            + "' is not supported (ByteLevel, one TemplateProcessing)");
                }
            }
            if (template == null) {
                return base;
            }
            post = template;
            type = "TemplateProcessing";
        }
        int bos, eos;
        if (type.equals("RobertaProcessing")) {
            bos = specialId(file, post, "cls", base);
            eos = specialId(file, post, "sep", base);
        } else if (type.equals("TemplateProcessing") && robertaShaped(post)) {
            bos = templateId(file, post, post.getAsJsonArray("single").get(0), base);
            eos = templateId(file, post, post.getAsJsonArray("single").get(2), base);
        } else if (type.equals("TemplateProcessing")) {
            JsonElement single = post.get("single");
            String shape = single != null && single.isJsonArray() ? shape(single.getAsJsonArray()) : "?";
            if (shape.equals("A")) {
                return base;
            }
            if (!shape.matches("S+A")) {
                throw new IllegalArgumentException(file + ": post_processor TemplateProcessing single " + single
                        + " is not supported (special tokens then $A, or RoBERTa's <s> $A </s>)");
            }
            int[] prefix = new int[shape.length() - 1];
            for (int i = 0; i < prefix.length; i++) {
                prefix[i] = templateId(file, post, single.getAsJsonArray().get(i), base);
            }
            return new PrefixedTokenizer(base, prefix);
        } else {
            return base;
        }
        int pad = base instanceof ByteLevelBpe bpe && bpe.hasSpecial("<pad>") ? bpe.specialId("<pad>")
                : base instanceof Unigram u && u.id("<pad>") >= 0 ? u.id("<pad>") : padOf(json, eos);
        return new TemplateTokenizer(base, bos, eos, pad);
    }

    /** A RobertaProcessing's {@code cls} or {@code sep}: {@code ["<s>", 0]}, checked against the vocabulary. */
    private static int specialId(Path file, JsonObject post, String field, Tokenizer base) {
        JsonElement e = post.get(field);
        if (e == null || !e.isJsonArray() || e.getAsJsonArray().size() != 2) {
            throw new IllegalArgumentException(file + ": post_processor." + field + " must be [token, id], got " + e);
        }
        int id = e.getAsJsonArray().get(1).getAsInt();
        if (id < 0 || id >= base.vocabSize() || !base.token(id).equals(e.getAsJsonArray().get(0).getAsString())) {
            throw new IllegalArgumentException(file + ": post_processor." + field + " " + e + " does not match the vocabulary");
        }
        return id;
    }

    /** Whether a TemplateProcessing is RoBERTa's: S A S and S A S S B S, one token each, all type ids 0. */
    private static boolean robertaShaped(JsonObject post) {
        JsonElement single = post.get("single"), pair = post.get("pair");
        if (single == null || pair == null || !single.isJsonArray() || !pair.isJsonArray()) {
            return false;
        }
        String shape = shape(single.getAsJsonArray()) + "|" + shape(pair.getAsJsonArray());
        if (!shape.equals("SAS|SASSBS")) {
            return false;
        }
        String s = piece(single.getAsJsonArray(), 0), e = piece(single.getAsJsonArray(), 2);
        return s != null && e != null && s.equals(piece(pair.getAsJsonArray(), 0))
                && e.equals(piece(pair.getAsJsonArray(), 2)) && e.equals(piece(pair.getAsJsonArray(), 3))
                && e.equals(piece(pair.getAsJsonArray(), 5));
    }

    /** "S" for a special token, the sequence id for a sequence, "?" for a non-zero type id or anything else. */
    private static String shape(JsonArray pieces) {
        StringBuilder out = new StringBuilder();
        for (JsonElement p : pieces) {
            JsonObject o = p.isJsonObject() ? p.getAsJsonObject() : new JsonObject();
            JsonObject inner = o.has("SpecialToken") ? o.getAsJsonObject("SpecialToken")
                    : o.has("Sequence") ? o.getAsJsonObject("Sequence") : null;
            if (inner == null || !inner.has("type_id") || inner.get("type_id").getAsInt() != 0) {
                out.append('?');
            } else {
                out.append(o.has("SpecialToken") ? "S" : inner.get("id").getAsString());
            }
        }
        return out.toString();
    }

    private static String piece(JsonArray pieces, int index) {
        JsonObject o = pieces.get(index).getAsJsonObject();
        return o.has("SpecialToken") ? o.getAsJsonObject("SpecialToken").get("id").getAsString() : null;
    }

    /** The id of a template's special token, from its {@code special_tokens} entry (one id). */
    private static int templateId(Path file, JsonObject post, JsonElement piece, Tokenizer base) {
        String name = piece.getAsJsonObject().getAsJsonObject("SpecialToken").get("id").getAsString();
        JsonElement specials = post.get("special_tokens");
        JsonElement entry = specials != null && specials.isJsonObject() ? specials.getAsJsonObject().get(name) : null;
        if (entry == null || !entry.isJsonObject() || !entry.getAsJsonObject().has("ids")
                || entry.getAsJsonObject().getAsJsonArray("ids").size() != 1) {
            throw new IllegalArgumentException(file + ": post_processor.special_tokens has no single id for '" + name + "'");
        }
        int id = entry.getAsJsonObject().getAsJsonArray("ids").get(0).getAsInt();
        if (id < 0 || id >= base.vocabSize()) {
            throw new IllegalArgumentException(file + ": post_processor.special_tokens gives '" + name + "' id " + id
                    + ", outside the vocabulary");
        }
        return id;
    }

    /** The file's padding id ({@code padding.pad_id}), else {@code fallback}. */
    private static int padOf(JsonObject json, int fallback) {
        JsonElement padding = json.get("padding");
        if (padding != null && padding.isJsonObject() && padding.getAsJsonObject().has("pad_id")) {
            return padding.getAsJsonObject().get("pad_id").getAsInt();
        }
        return fallback;
    }

    /** A Unigram model with its normalizer and Metaspace pre-tokenizer (SentencePiece's configuration). */
    private static Unigram unigram(Path file, JsonObject json, JsonObject model) {
        require(file, "model.byte_fallback", model.has("byte_fallback") ? model.get("byte_fallback") : null, false);
        JsonElement vocab = model.get("vocab");
        if (vocab == null || !vocab.isJsonArray() || vocab.getAsJsonArray().isEmpty()) {
            throw new IllegalArgumentException(file + ": model.vocab must be a non-empty array of [piece, score]");
        }
        List<String> pieces = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        for (JsonElement e : vocab.getAsJsonArray()) {
            if (!e.isJsonArray() || e.getAsJsonArray().size() != 2 || !e.getAsJsonArray().get(0).isJsonPrimitive()
                    || !e.getAsJsonArray().get(1).isJsonPrimitive() || !e.getAsJsonArray().get(1).getAsJsonPrimitive().isNumber()) {
                throw new IllegalArgumentException(file + ": model.vocab entry " + pieces.size() + " is not [piece, score]: " + e);
            }
            pieces.add(e.getAsJsonArray().get(0).getAsString());
            scores.add(e.getAsJsonArray().get(1).getAsDouble());
        }
        JsonElement unk = model.get("unk_id");
        if (unk == null || unk.isJsonNull() || !unk.isJsonPrimitive() || !unk.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException(file + ": model.unk_id must be a number (a Unigram without an unknown"
                    + " piece is not supported)");
        }
        JsonElement normalizer = json.get("normalizer");
        java.util.function.UnaryOperator<String> normalize = normalizer == null || normalizer.isJsonNull()
                ? java.util.function.UnaryOperator.identity() : normalizer(file, "normalizer", normalizer);
        Metaspace metaspace = metaspace(file, json.get("pre_tokenizer"));
        JsonObject source = json.deepCopy();
        source.add("post_processor", JsonNull.INSTANCE);
        try {
            return new Unigram(pieces, scores, unk.getAsInt(), normalize, metaspace,
                    Decoder.read(file, "decoder", json.get("decoder")), addedTokens(file, json), source);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** A normalizer of the kinds SentencePiece models use: Precompiled, Prepend, Strip, Replace, NFKC/NFC/NFKD/NFD, Lowercase, Sequence. */
    private static java.util.function.UnaryOperator<String> normalizer(Path file, String where, JsonElement element) {
        if (!element.isJsonObject()) {
            throw new IllegalArgumentException(file + ": " + where + " is not an object");
        }
        JsonObject n = element.getAsJsonObject();
        String type = n.has("type") ? n.get("type").getAsString() : "";
        switch (type) {
            case "Sequence": {
                JsonElement list = n.get("normalizers");
                if (list == null || !list.isJsonArray()) {
                    throw new IllegalArgumentException(file + ": " + where + ".normalizers is not an array");
                }
                List<java.util.function.UnaryOperator<String>> steps = new ArrayList<>();
                for (int i = 0; i < list.getAsJsonArray().size(); i++) {
                    steps.add(normalizer(file, where + ".normalizers[" + i + "]", list.getAsJsonArray().get(i)));
                }
                return text -> {
                    for (java.util.function.UnaryOperator<String> step : steps) {
                        text = step.apply(text);
                    }
                    return text;
                };
            }
            case "Precompiled": {
                JsonElement map = n.get("precompiled_charsmap");
                if (map == null || map.isJsonNull() || map.getAsString().isEmpty()) {
                    return java.util.function.UnaryOperator.identity();
                }
                Precompiled rules = Precompiled.parse(map.getAsString(), file + ": " + where + ".precompiled_charsmap");
                return rules::normalize;
            }
            case "Prepend": {
                JsonElement prepend = n.get("prepend");
                if (prepend == null || !prepend.isJsonPrimitive()) {
                    throw new IllegalArgumentException(file + ": " + where + ".prepend must be a string");
                }
                String first = prepend.getAsString();
                return text -> text.isEmpty() ? text : first + text;
            }
            case "Strip": {
                boolean left = flag(file, n, "strip_left", true), right = flag(file, n, "strip_right", true);
                return text -> strip(text, left, right);
            }
            case "Replace":
                return Decoder.replacement(file, where, n);
            case "NFKC": return text -> java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFKC);
            case "NFC": return text -> java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFC);
            case "NFKD": return text -> java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFKD);
            case "NFD": return text -> java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFD);
            case "Lowercase": return text -> text.toLowerCase(java.util.Locale.ROOT);
            default: throw new IllegalArgumentException(file + ": " + where + " of type '" + type + "' is not supported"
                    + " with a SentencePiece model (Precompiled, Prepend, Strip, Replace, NFKC, NFC, NFKD, NFD, Lowercase,"
                    + " Sequence)");
        }
    }

    /** Unicode White_Space, which {@code tokenizers}' Strip removes. */
    private static boolean isWhiteSpace(int cp) {
        return (cp >= 9 && cp <= 13) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    private static String strip(String text, boolean left, boolean right) {
        int start = 0, end = text.length();
        while (left && start < end && isWhiteSpace(text.codePointAt(start))) {
            start += Character.charCount(text.codePointAt(start));
        }
        while (right && end > start && isWhiteSpace(text.codePointBefore(end))) {
            end -= Character.charCount(text.codePointBefore(end));
        }
        return text.substring(start, end);
    }

    /** Metaspace, alone or after WhitespaceSplit in a Sequence. */
    private static Metaspace metaspace(Path file, JsonElement element) {
        if (element == null || !element.isJsonObject()) {
            throw new IllegalArgumentException(file + ": a SentencePiece model needs a Metaspace pre_tokenizer, found "
                    + element);
        }
        JsonObject pre = element.getAsJsonObject();
        String type = pre.has("type") ? pre.get("type").getAsString() : "";
        boolean whitespaceFirst = false;
        if (type.equals("Sequence")) {
            JsonElement list = pre.get("pretokenizers");
            List<String> types = new ArrayList<>();
            if (list != null && list.isJsonArray()) {
                list.getAsJsonArray().forEach(p -> types.add(p.isJsonObject() && p.getAsJsonObject().has("type")
                        ? p.getAsJsonObject().get("type").getAsString() : "?"));
            }
            if (!types.equals(List.of("WhitespaceSplit", "Metaspace")) && !types.equals(List.of("Metaspace"))) {
                throw new IllegalArgumentException(file + ": pre_tokenizer Sequence " + types + " is not supported with a"
                        + " SentencePiece model (Metaspace, or WhitespaceSplit then Metaspace)");
            }
            whitespaceFirst = types.size() == 2;
            pre = list.getAsJsonArray().get(types.size() - 1).getAsJsonObject();
        } else if (!type.equals("Metaspace")) {
            throw new IllegalArgumentException(file + ": pre_tokenizer type '" + type + "' is not supported with a"
                    + " SentencePiece model (Metaspace; ByteLevel for byte-level BPE)");
        }
        String replacement = pre.has("replacement") ? pre.get("replacement").getAsString() : "\u2581";
        if (replacement.length() != 1) {
            throw new IllegalArgumentException(file + ": pre_tokenizer.replacement must be one character, got '"
                    + replacement + "'");
        }
        String scheme = pre.has("prepend_scheme") ? pre.get("prepend_scheme").getAsString()
                : flag(file, pre, "add_prefix_space", true) ? "always" : "never";
        if (!List.of("always", "first", "never").contains(scheme)) {
            throw new IllegalArgumentException(file + ": pre_tokenizer.prepend_scheme '" + scheme + "' is not always, first"
                    + " or never");
        }
        return new Metaspace(replacement.charAt(0), scheme, flag(file, pre, "split", true), whitespaceFirst);
    }

    /**
     * A BPE with byte fallback and SentencePiece's spaces (Llama 2, Mistral, TinyLlama): a normalizer that
     * puts {@code ▁} first and for spaces and no pre-tokenizer, or a Metaspace pre-tokenizer.
     */
    private static SentencePieceBpe sentencePieceBpe(Path file, JsonObject json, JsonObject model) {
        JsonElement normalizer = json.get("normalizer");
        java.util.function.UnaryOperator<String> normalize = normalizer == null || normalizer.isJsonNull()
                ? java.util.function.UnaryOperator.identity() : normalizer(file, "normalizer", normalizer);
        JsonElement pre = json.get("pre_tokenizer");
        Metaspace metaspace = pre == null || pre.isJsonNull() ? null : metaspace(file, pre);
        for (String option : new String[] {"dropout", "continuing_subword_prefix", "end_of_word_suffix"}) {
            JsonElement e = model.get(option);
            if (e != null && !e.isJsonNull() && !(e.isJsonPrimitive() && e.getAsString().isEmpty())) {
                throw new IllegalArgumentException(file + ": BPE option model." + option + " = " + e + " is not supported");
            }
        }
        JsonElement unk = model.get("unk_token");
        if (unk != null && !unk.isJsonNull() && !(unk.isJsonPrimitive() && unk.getAsJsonPrimitive().isString())) {
            throw new IllegalArgumentException(file + ": model.unk_token must be a string or null, got " + unk);
        }
        List<AddedTokens.Added> added = addedTokens(file, json);
        String[] byId = tokensById(file, vocabulary(file, model), added);
        SentencePieceBpe.Parts parts = new SentencePieceBpe.Parts(unk == null || unk.isJsonNull() ? null : unk.getAsString(),
                flag(file, model, "fuse_unk", false), flag(file, model, "byte_fallback", false),
                flag(file, model, "ignore_merges", false), normalize, metaspace,
                Decoder.read(file, "decoder", json.get("decoder")));
        JsonObject source = json.deepCopy();
        source.add("post_processor", JsonNull.INSTANCE);
        return new SentencePieceBpe(byId, mergePairs(file, model), added, parts, source, file.toString());
    }

    /** A BPE's {@code model.merges}: {@code ["left", "right"]} (newer files) or {@code "left right"} (older ones). */
    private static List<String[]> mergePairs(Path file, JsonObject model) {
        JsonElement array = model.get("merges");
        if (array == null || !array.isJsonArray()) {
            throw new IllegalArgumentException(file + ": model.merges is missing or not an array");
        }
        List<String[]> merges = new ArrayList<>();
        for (JsonElement m : array.getAsJsonArray()) {
            if (m.isJsonArray() && m.getAsJsonArray().size() == 2) {
                merges.add(new String[] {m.getAsJsonArray().get(0).getAsString(), m.getAsJsonArray().get(1).getAsString()});
            } else if (m.isJsonPrimitive() && m.getAsString().indexOf(' ') > 0
                    && m.getAsString().indexOf(' ') == m.getAsString().lastIndexOf(' ')) {
                int space = m.getAsString().indexOf(' ');
                merges.add(new String[] {m.getAsString().substring(0, space), m.getAsString().substring(space + 1)});
            } else {
                throw new IllegalArgumentException(file + ": merge " + (merges.size() + 1) + " " + m
                        + " is neither \"left right\" nor [left, right]");
            }
        }
        return merges;
    }

    private static ByteLevelBpe bpe(Path file, JsonObject json, JsonObject model) {
        boolean nfc = false;
        JsonElement normalizer = json.get("normalizer");
        if (normalizer != null && !normalizer.isJsonNull()) {
            require(file, "normalizer.type", object(file, json, "normalizer").get("type"), "NFC");
            nfc = true;
        }
        JsonObject pre = object(file, json, "pre_tokenizer");
        String splitRegex = null;
        if (pre.has("type") && pre.get("type").getAsString().equals("Sequence")) { // Llama 3, Qwen2: Split, then ByteLevel
            JsonArray steps = pre.getAsJsonArray("pretokenizers");
            if (steps == null || steps.size() != 2 || !steps.get(0).isJsonObject() || !steps.get(1).isJsonObject()) {
                throw new IllegalArgumentException(file + ": pre_tokenizer Sequence " + steps + " is not supported (a Split,"
                        + " then ByteLevel)");
            }
            JsonObject split = steps.get(0).getAsJsonObject();
            require(file, "pre_tokenizer.pretokenizers[0].type", split.get("type"), "Split");
            require(file, "pre_tokenizer.pretokenizers[0].behavior", split.get("behavior"), "Isolated");
            require(file, "pre_tokenizer.pretokenizers[0].invert", split.get("invert"), false);
            JsonElement pattern = split.get("pattern");
            if (pattern == null || !pattern.isJsonObject() || !pattern.getAsJsonObject().has("Regex")) {
                throw new IllegalArgumentException(file + ": pre_tokenizer.pretokenizers[0].pattern " + pattern
                        + " is not supported (a Regex)");
            }
            splitRegex = pattern.getAsJsonObject().get("Regex").getAsString();
            pre = steps.get(1).getAsJsonObject();
            require(file, "pre_tokenizer.pretokenizers[1].type", pre.get("type"), "ByteLevel");
            require(file, "pre_tokenizer.pretokenizers[1].add_prefix_space", pre.get("add_prefix_space"), false);
            require(file, "pre_tokenizer.pretokenizers[1].use_regex", pre.get("use_regex"), false);
        } else {
            require(file, "pre_tokenizer.type", pre.get("type"), "ByteLevel");
            require(file, "pre_tokenizer.add_prefix_space", pre.get("add_prefix_space"), false);
            require(file, "pre_tokenizer.use_regex", pre.get("use_regex"), true);
        }
        for (String option : new String[] {"dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix"}) {
            JsonElement e = model.get(option);
            if (e != null && !e.isJsonNull() && !(e.isJsonPrimitive() && e.getAsString().isEmpty())) {
                throw new IllegalArgumentException(file + ": BPE option model." + option + " = " + e + " is not supported");
            }
        }
        for (String flag : new String[] {"fuse_unk", "byte_fallback"}) {
            require(file, "model." + flag, model.has(flag) ? model.get(flag) : null, false);
        }
        boolean ignoreMerges = model.has("ignore_merges") && model.get("ignore_merges").getAsBoolean();
        Map<String, Integer> vocab = vocabulary(file, model);
        List<String> merges = mergePairs(file, model).stream().map(p -> p[0] + " " + p[1]).toList();
        List<AddedTokens.Added> added = addedTokens(file, json);
        String[] byId = tokensById(file, vocab, added);
        Map<String, Integer> all = new LinkedHashMap<>();
        for (int id = 0; id < byId.length; id++) {
            all.put(byId[id], id);
        }
        return ByteLevelBpe.of(all, merges, added, file.toString(), new ByteLevelBpe.Options(splitRegex, nfc, ignoreMerges));
    }

    private static WordPiece wordPiece(Path file, JsonObject json, JsonObject model) {
        JsonObject normalizer = object(file, json, "normalizer");
        require(file, "normalizer.type", normalizer.get("type"), "BertNormalizer");
        require(file, "normalizer.clean_text", normalizer.get("clean_text"), true);
        require(file, "normalizer.handle_chinese_chars", normalizer.get("handle_chinese_chars"), true);
        boolean lowerCase = normalizer.has("lowercase") && normalizer.get("lowercase").getAsBoolean();
        JsonElement strip = normalizer.get("strip_accents");
        boolean stripAccents = strip == null || strip.isJsonNull() ? lowerCase : strip.getAsBoolean(); // null: as lowercase
        require(file, "pre_tokenizer.type", object(file, json, "pre_tokenizer").get("type"), "BertPreTokenizer");
        require(file, "model.unk_token", model.get("unk_token"), WordPiece.UNK);
        require(file, "model.continuing_subword_prefix", model.get("continuing_subword_prefix"), WordPiece.CONTINUATION);
        if (model.has("max_input_chars_per_word")) {
            require(file, "model.max_input_chars_per_word", model.get("max_input_chars_per_word"), WordPiece.MAX_WORD_CHARS);
        }
        List<AddedTokens.Added> added = addedTokens(file, json);
        String[] byId = tokensById(file, vocabulary(file, model), added);
        try {
            return WordPiece.withAddedTokens(List.of(byId), lowerCase, stripAccents, added);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** The {@code added_tokens} of the file, each field checked. */
    private static List<AddedTokens.Added> addedTokens(Path file, JsonObject json) {
        List<AddedTokens.Added> out = new ArrayList<>();
        JsonElement array = json.get("added_tokens");
        if (array == null || array.isJsonNull()) {
            return out;
        }
        if (!array.isJsonArray()) {
            throw new IllegalArgumentException(file + ": 'added_tokens' is not an array");
        }
        for (JsonElement e : array.getAsJsonArray()) {
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException(file + ": an added token is not an object: " + e);
            }
            JsonObject t = e.getAsJsonObject();
            JsonElement id = t.get("id"), content = t.get("content");
            if (id == null || !id.isJsonPrimitive() || !id.getAsJsonPrimitive().isNumber() || content == null
                    || !content.isJsonPrimitive() || !content.getAsJsonPrimitive().isString()) {
                throw new IllegalArgumentException(file + ": an added token needs a number 'id' and a string 'content': " + e);
            }
            boolean special = flag(file, t, "special", false);
            out.add(new AddedTokens.Added(id.getAsInt(), content.getAsString(), flag(file, t, "single_word", false),
                    flag(file, t, "lstrip", false), flag(file, t, "rstrip", false), flag(file, t, "normalized", !special),
                    special));
        }
        return out;
    }

    private static boolean flag(Path file, JsonObject object, String field, boolean fallback) {
        return JsonFiles.flag(file, object, field, fallback);
    }

    /**
     * The model's vocabulary by id, with the added tokens the model does not have appended at their
     * ids (which must follow on from the vocabulary's, as {@code tokenizers} numbers them).
     */
    private static String[] tokensById(Path file, Map<String, Integer> vocab, List<AddedTokens.Added> added) {
        int size = vocab.size();
        for (AddedTokens.Added a : added) {
            size = Math.max(size, a.id() + 1);
        }
        String[] byId = new String[size];
        vocab.forEach((token, id) -> {
            if (id < 0 || id >= vocab.size() || byId[id] != null) {
                throw new IllegalArgumentException(file + ": token ids must be 0.." + (vocab.size() - 1)
                        + " with no repeats; '" + token + "' has id " + id);
            }
            byId[id] = token;
        });
        for (AddedTokens.Added a : added) {
            if (a.id() < 0) {
                throw new IllegalArgumentException(file + ": added token '" + a.content() + "' has id " + a.id());
            }
            if (byId[a.id()] == null) {
                byId[a.id()] = a.content();
            } else if (!byId[a.id()].equals(a.content())) {
                throw new IllegalArgumentException(file + ": added token '" + a.content() + "' has id " + a.id()
                        + ", which the model gives to '" + byId[a.id()] + "'");
            }
        }
        for (int id = 0; id < byId.length; id++) {
            if (byId[id] == null) {
                throw new IllegalArgumentException(file + ": no token has id " + id + " (the ids of the model and the"
                        + " added tokens must run from 0 without a gap)");
            }
        }
        return byId;
    }

    private static Map<String, Integer> vocabulary(Path file, JsonObject model) {
        JsonObject vocab = object(file, model, "vocab");
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : vocab.entrySet()) {
            if (!e.getValue().isJsonPrimitive() || !e.getValue().getAsJsonPrimitive().isNumber()) {
                throw new IllegalArgumentException(file + ": the id of '" + e.getKey() + "' is not a number");
            }
            out.put(e.getKey(), e.getValue().getAsInt());
        }
        return out;
    }

    private static JsonObject object(Path file, JsonObject parent, String field) {
        JsonElement e = parent.get(field);
        if (e == null || !e.isJsonObject()) {
            throw new IllegalArgumentException(file + ": '" + field + "' is missing or not an object");
        }
        return e.getAsJsonObject();
    }

    private static void requireNull(Path file, JsonObject json, String field) {
        JsonElement e = json.get(field);
        if (e != null && !e.isJsonNull()) {
            throw new IllegalArgumentException(file + ": " + field + " " + e + " is not supported with a byte-level BPE");
        }
    }

    private static void require(Path file, String field, JsonElement actual, Object expected) {
        Object value = actual == null || actual.isJsonNull() ? null
                : expected instanceof Boolean ? (Object) actual.getAsBoolean()
                : expected instanceof Integer ? (Object) actual.getAsInt() : actual.getAsString();
        if (!Objects.equals(value, expected) && !(value == null && Boolean.FALSE.equals(expected))) {
            throw new IllegalArgumentException(file + ": " + field + " = " + actual + " is not supported (Orthrus reads "
                    + expected + ")");
        }
    }
}
