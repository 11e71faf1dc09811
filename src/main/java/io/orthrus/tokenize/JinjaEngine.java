package io.orthrus.tokenize;

import com.google.gson.FormattingStyle;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.tree.TreeStore;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Cache;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.de.odysseus.el.tree.impl.Scanner;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstUnary;
import jinjava.javax.el.ExpressionFactory;

/**
 * Jinjava set up as transformers sets up Jinja for chat templates: blocks trimmed and left-stripped,
 * {@code {{- … -}}} whitespace control, operators with Jinja's precedence, output never read again as a
 * template, and transformers' {@code raise_exception}, {@code strftime_now} and {@code tojson}. Two
 * places where Jinjava differs from Jinja are set right here: {@code not} binds below comparisons and
 * tests ({@code not x is defined} is {@code not (x is defined)}), and a string is iterable.
 */
final class JinjaEngine extends Jinjava {
    static final JinjaEngine INSTANCE = new JinjaEngine();

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    // The features and cache size Jinjava's own factory has (JUEL's JEE6 profile).
    private final ExpressionFactory expressions = new ExpressionFactoryImpl(new TreeStore(
            new Syntax(Builder.Feature.METHOD_INVOCATIONS, Builder.Feature.VARARGS), new Cache(1000)),
            new TruthyTypeConverter());

    private JinjaEngine() {
        super(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withNestedInterpretationEnabled(false) // a message's "{{ … }}" is text, never template
                .withFailOnUnknownTokens(false)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withParseWhitespaceControlStrictly(true)
                        .withUseTrimmingForNotesAndExpressions(true) // {{- … -}} as in Jinja
                        .withUseNaturalOperatorPrecedence(true) // a + b | trim, x % 2 == 0 as in Jinja
                        .withEvaluateMapKeys(true)
                        .withIterateOverMapKeys(true)
                        .withUsePyishObjectMapper(true)
                        .withKeepNullableLoopValues(true)
                        .build())
                .build());
        try {
            getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                    ChatTemplate.class.getMethod("raiseException", String.class)));
            getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now",
                    ChatTemplate.class.getMethod("strftimeNow", String.class)));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
        getGlobalContext().registerFilter(new ToJson());
        getGlobalContext().registerExpTest(new Iterable());
    }

    @Override
    public ExpressionFactory getExpressionFactory() {
        return expressions;
    }

    /** Jinjava's syntax with Jinja's {@code not}. */
    private static final class Syntax extends ExtendedSyntaxBuilder {
        private static final long serialVersionUID = 1L;

        Syntax(Builder.Feature... features) {
            super(features);
        }

        @Override
        protected Parser createParser(String expression) {
            return new ExtendedParser(this, expression) {
                @Override
                protected AstNode unary(boolean required) throws Scanner.ScanException, Parser.ParseException {
                    if (getToken().getSymbol() == Scanner.Symbol.NOT) { // Jinja: not (comparison or test)
                        consumeToken();
                        return createAstUnary(eq(true), AstUnary.NOT);
                    }
                    return super.unary(required);
                }
            };
        }
    }

    /** Jinja's {@code iterable} test: strings, lists, maps and other iterables. */
    private static final class Iterable implements ExpTest {
        @Override
        public String getName() {
            return "iterable";
        }

        @Override
        public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
            return var instanceof CharSequence || var instanceof java.lang.Iterable<?> || var instanceof Map<?, ?>
                    || (var != null && var.getClass().isArray());
        }
    }

    /**
     * transformers' {@code tojson}: Python's {@code json.dumps} with {@code ensure_ascii=False} by default,
     * {@code ", "} and {@code ": "} between items, {@code indent=n} for n spaces a level, {@code sort_keys}.
     */
    private static final class ToJson implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, args, Map.of());
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            for (String key : kwargs.keySet()) {
                if (!List.of("indent", "sort_keys", "ensure_ascii").contains(key)) {
                    throw new IllegalArgumentException("tojson(" + key + "=…) is not supported (indent, sort_keys, ensure_ascii)");
                }
            }
            Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
            boolean sortKeys = truthy(kwargs.get("sort_keys")), ascii = truthy(kwargs.get("ensure_ascii"));
            FormattingStyle style = indent == null ? FormattingStyle.COMPACT.withSpaceAfterSeparators(true)
                    : FormattingStyle.PRETTY.withIndent(" ".repeat(Integer.parseInt(indent.toString())));
            String json = GSON.newBuilder().setFormattingStyle(style).create().toJson(sortKeys ? sorted(var) : var);
            return ascii ? escapeNonAscii(json) : json;
        }

        private static boolean truthy(Object o) {
            return o != null && !o.equals(Boolean.FALSE) && !o.toString().equalsIgnoreCase("false");
        }

        private static Object sorted(Object value) {
            if (value instanceof Map<?, ?> map) {
                Map<String, Object> out = new TreeMap<>();
                map.forEach((k, v) -> out.put(String.valueOf(k), sorted(v)));
                return out;
            }
            if (value instanceof List<?> list) {
                return list.stream().map(ToJson::sorted).toList();
            }
            return value;
        }

        private static String escapeNonAscii(String json) {
            StringBuilder out = new StringBuilder(json.length());
            for (int i = 0; i < json.length(); i++) {
                char c = json.charAt(i);
                out.append(c < 128 ? String.valueOf(c) : String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            }
            return out.toString();
        }
    }
}
