package io.orthrus.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chat templates of the Llama-family models rendered as transformers' {@code apply_chat_template} renders them
 * ({@code src/test/python/make_chat_template_fixtures.py}): Llama 2, Mistral, TinyLlama, SmolLM2, Qwen2.5 with tools,
 * Llama 3.2 with tools and a date.
 */
class ChatTemplateTest {
    private static List<JsonElement> families() throws Exception {
        Path file = Path.of(ChatTemplateTest.class.getResource("/chat/templates.json").toURI());
        List<JsonElement> out = new ArrayList<>();
        JsonParser.parseString(Files.readString(file)).getAsJsonArray().forEach(out::add);
        return out;
    }

    /** A JSON value as the Java values a caller passes: strings, Long or Double, Boolean, null, List, Map. */
    private static Object value(JsonElement e) {
        if (e.isJsonNull()) {
            return null;
        }
        if (e.isJsonArray()) {
            List<Object> list = new ArrayList<>();
            e.getAsJsonArray().forEach(x -> list.add(value(x)));
            return list;
        }
        if (e.isJsonObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            e.getAsJsonObject().entrySet().forEach(x -> map.put(x.getKey(), value(x.getValue())));
            return map;
        }
        var p = e.getAsJsonPrimitive();
        if (p.isBoolean()) {
            return p.getAsBoolean();
        }
        if (p.isNumber()) {
            double d = p.getAsDouble();
            return d == Math.rint(d) && !p.getAsString().contains(".") ? (Object) p.getAsLong() : (Object) d;
        }
        return p.getAsString();
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyConversationRendersAsTransformersRendersIt() throws Exception {
        int rendered = 0, refused = 0;
        for (JsonElement f : families()) {
            JsonObject family = f.getAsJsonObject();
            String name = family.get("name").getAsString();
            ChatTemplate chat = ChatTemplate.of(family.get("template").getAsString(), family.get("bos_token").getAsString(),
                    family.get("eos_token").getAsString());
            for (JsonElement c : family.getAsJsonArray("cases")) {
                JsonObject conversation = c.getAsJsonObject();
                List<Map<String, Object>> messages = (List<Map<String, Object>>) value(conversation.get("messages"));
                boolean generation = conversation.get("add_generation_prompt").getAsBoolean();
                Map<String, Object> variables = new LinkedHashMap<>();
                variables.put("date_string", "26 Jul 2024");
                if (conversation.has("tools")) {
                    variables.put("tools", value(conversation.get("tools")));
                }
                String what = name + " " + conversation.get("messages") + " generation prompt " + generation;
                if (conversation.has("error")) {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> chat.apply(messages, generation, variables), what);
                    assertEquals("chat template: " + conversation.get("error").getAsString(), e.getMessage(), what);
                    refused++;
                } else {
                    assertEquals(conversation.get("rendered").getAsString(), chat.apply(messages, generation, variables), what);
                    rendered++;
                }
            }
        }
        assertTrue(rendered >= 100 && refused >= 4, rendered + " rendered, " + refused + " refused");
    }

    @Test
    void plainMessagesRenderAsTheirMaps() throws Exception {
        JsonObject smol = families().stream().map(JsonElement::getAsJsonObject)
                .filter(f -> f.get("name").getAsString().equals("smollm2")).findFirst().orElseThrow();
        ChatTemplate chat = ChatTemplate.of(smol.get("template").getAsString(), "<|im_start|>", "<|im_end|>");
        String text = chat.apply(List.of(ChatTemplate.Message.user("Hello!")), true);
        assertEquals("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
                + "<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n", text);
    }

    @Test
    void aFolderGivesItsTemplateFromEitherFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": {\"content\": \"<s>\"}, \"eos_token\": \"</s>\","
                + " \"chat_template\": [{\"name\": \"tool_use\", \"template\": \"no\"},"
                + " {\"name\": \"default\", \"template\": \"{{ bos_token }}{{ messages[0].content }}{{ eos_token }}\"}]}");
        ChatTemplate chat = ChatTemplate.load(dir);
        assertEquals("<s>hi</s>", chat.apply(List.of(ChatTemplate.Message.user("hi")), false));
        Files.writeString(dir.resolve(ChatTemplate.JINJA_FILE), "[{{ messages|length }}]");
        assertEquals("[1]", ChatTemplate.load(dir).apply(List.of(ChatTemplate.Message.user("hi")), false));
        Files.delete(dir.resolve(ChatTemplate.JINJA_FILE));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChatTemplate.load(dir));
        assertTrue(e.getMessage().contains("no chat template"), e.getMessage());
    }

    @Test
    void aBrokenTemplateIsOneLineWithItsLine() {
        ChatTemplate chat = ChatTemplate.of("ok\n{{ messages[0].content | no_such_filter(}}", "", "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> chat.apply(List.of(ChatTemplate.Message.user("x")), false));
        assertTrue(e.getMessage().startsWith("chat template, line 2"), e.getMessage());
    }

    @Test
    void strftimeWritesPythonsDirectives() {
        LocalDateTime t = LocalDateTime.of(2024, 7, 6, 15, 4, 5);
        assertEquals("06 Jul 2024", Strftime.format(t, "%d %b %Y"));
        assertEquals("Saturday 6 July 24, 03:04:05 PM, day 188, 100%", Strftime.format(t, "%A %-d %B %y, %I:%M:%S %p, day %j, 100%%"));
    }
}
