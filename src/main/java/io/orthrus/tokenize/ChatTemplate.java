package io.orthrus.tokenize;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import io.orthrus.files.JsonFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A chat model's prompt format: the Jinja template of its {@code tokenizer_config.json} (or
 * {@code chat_template.jinja}) that turns a conversation into the text the model was tuned on, as
 * transformers' {@code apply_chat_template(messages, tokenize=False)} renders it. The template sees
 * {@code messages}, {@code add_generation_prompt}, {@code bos_token}, {@code eos_token} and any further
 * variables given (such as {@code tools} or {@code date_string}), and transformers' helpers
 * {@code raise_exception}, {@code strftime_now} and {@code tojson} (Python's {@code json.dumps} layout).
 * Rendering runs on HubSpot's Jinjava with Jinja's settings as transformers sets them (blocks trimmed
 * and left-stripped, {@code {{-}}/{@code -}}} whitespace control, message text never read as template).
 * Thread-safe.
 *
 * <pre>{@code
 * ChatTemplate chat = ChatTemplate.load(Path.of("SmolLM2-135M-Instruct"));
 * String prompt = chat.apply(List.of(ChatTemplate.Message.user("Hi!")), true);
 * int[] ids = tokenizer.encode(prompt); // the template wrote the special tokens itself
 * }</pre>
 */
public final class ChatTemplate {
    /** The file transformers 5 saves the template in, beside {@code tokenizer_config.json}. */
    public static final String JINJA_FILE = "chat_template.jinja";


    /**
     * One message of a conversation.
     *
     * @param role    who speaks: {@code system}, {@code user}, {@code assistant} (or a role the template knows)
     * @param content what is said
     */
    public record Message(String role, String content) {
        /** Checks that neither is null. */
        public Message {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(content, "content");
        }

        /** A system message. */
        public static Message system(String content) {
            return new Message("system", content);
        }

        /** A user message. */
        public static Message user(String content) {
            return new Message("user", content);
        }

        /** An assistant message. */
        public static Message assistant(String content) {
            return new Message("assistant", content);
        }
    }

    private final String template;
    private final String bosToken;
    private final String eosToken;

    private ChatTemplate(String template, String bosToken, String eosToken) {
        this.template = Objects.requireNonNull(template, "template");
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
    }

    /** The Jinja {@code template}, with the texts of the model's beginning and end tokens (null for none). */
    public static ChatTemplate of(String template, String bosToken, String eosToken) {
        return new ChatTemplate(template, bosToken, eosToken);
    }

    /**
     * The chat template of a Hugging Face folder: {@code chat_template.jinja} when there is one, else
     * {@code tokenizer_config.json}'s {@code chat_template} (a string, or a list of named templates of
     * which {@code default} is taken); the beginning and end tokens from {@code tokenizer_config.json}.
     * A folder without one is refused in one line.
     */
    public static ChatTemplate load(Path folder) throws IOException {
        Path config = folder.resolve("tokenizer_config.json"), jinja = folder.resolve(JINJA_FILE);
        JsonObject json = Files.isRegularFile(config) ? JsonFiles.readObject(config) : new JsonObject();
        String template;
        if (Files.isRegularFile(jinja)) {
            template = Files.readString(jinja, StandardCharsets.UTF_8);
        } else {
            template = templateOf(config, json.get("chat_template"));
            if (template == null) {
                throw new IllegalArgumentException(folder + ": no chat template (neither " + JINJA_FILE
                        + " nor a chat_template in tokenizer_config.json); the model may not be a chat model");
            }
        }
        return new ChatTemplate(template, tokenText(config, json, "bos_token"), tokenText(config, json, "eos_token"));
    }

    private static String templateOf(Path config, JsonElement element) {
        if (element == null || element.isJsonNull()) {
            return null;
        }
        if (element.isJsonPrimitive()) {
            return element.getAsString();
        }
        if (element.isJsonArray()) { // [{"name": "default", "template": "…"}, {"name": "tool_use", …}]
            for (JsonElement named : element.getAsJsonArray()) {
                if (named.isJsonObject() && named.getAsJsonObject().has("name")
                        && named.getAsJsonObject().get("name").getAsString().equals("default")
                        && named.getAsJsonObject().has("template")) {
                    return named.getAsJsonObject().get("template").getAsString();
                }
            }
        }
        throw new IllegalArgumentException(config + ": chat_template must be a string or a list of {name, template} with"
                + " a \"default\" one, got " + (element.isJsonArray() ? "a list without it" : element.toString()));
    }

    /** A special token's text in tokenizer_config.json: a string, or an added token {"content": …}, or absent. */
    private static String tokenText(Path config, JsonObject json, String field) {
        JsonElement e = json.get(field);
        if (e == null || e.isJsonNull()) {
            return "";
        }
        if (e.isJsonPrimitive()) {
            return e.getAsString();
        }
        if (e.isJsonObject() && e.getAsJsonObject().has("content")) {
            return e.getAsJsonObject().get("content").getAsString();
        }
        throw new IllegalArgumentException(config + ": " + field + " must be a string or {\"content\": …}, got " + e);
    }

    /** The template's source. */
    public String template() {
        return template;
    }

    /** The text {@code bos_token} stands for in the template (empty for none). */
    public String bosToken() {
        return bosToken;
    }

    /** The text {@code eos_token} stands for in the template (empty for none). */
    public String eosToken() {
        return eosToken;
    }

    /**
     * The text of {@code messages} in the model's format; with {@code addGenerationPrompt}, followed by
     * what opens the assistant's reply, so that the model writes it next. A conversation the template
     * refuses (its {@code raise_exception}, such as roles that do not alternate) is an
     * {@link IllegalArgumentException} with the template's message.
     */
    public String apply(List<Message> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> maps = new ArrayList<>(messages.size());
        for (Message m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            maps.add(map);
        }
        return apply(maps, addGenerationPrompt, Map.of());
    }

    /**
     * As {@link #apply(List, boolean)}, for messages with more fields than role and content (an
     * assistant's {@code tool_calls}, a tool's reply) and with further template variables:
     * {@code tools} (a list of JSON-schema function descriptions as maps), {@code date_string}, … Values
     * are strings, numbers, booleans, null, lists and maps of them.
     */
    public String apply(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt, Map<String, ?> variables) {
        Map<String, Object> context = new LinkedHashMap<>(variables);
        context.put("messages", messages);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("bos_token", bosToken);
        context.put("eos_token", eosToken);
        RenderResult result = JinjaEngine.INSTANCE.renderForResult(template, context);
        for (TemplateError error : result.getErrors()) {
            Throwable raised = error.getException();
            while (raised != null && !(raised instanceof Raised)) {
                raised = raised.getCause();
            }
            if (raised != null) {
                throw new IllegalArgumentException("chat template: " + raised.getMessage());
            }
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new IllegalArgumentException("chat template, line " + error.getLineno() + ": " + error.getMessage());
            }
        }
        return result.getOutput();
    }

    /** What the template's {@code raise_exception(message)} throws. */
    static final class Raised extends RuntimeException {
        Raised(String message) {
            super(message, null, false, false);
        }
    }

    /** transformers' {@code raise_exception}: the template refuses the conversation. */
    public static String raiseException(String message) {
        throw new Raised(message);
    }

    /** transformers' {@code strftime_now}: the local time now, in a Python {@code strftime} format. */
    public static String strftimeNow(String format) {
        return Strftime.format(LocalDateTime.now(), format);
    }
}
