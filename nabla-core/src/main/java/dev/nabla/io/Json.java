package dev.nabla.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON that Nabla's files need (safetensors headers, training histories), as plain Java values on Jackson's
 * streaming parser and generator (jackson-core only, about 0.6 MB, instead of the 2.3 MB of jackson-databind): objects
 * are {@code LinkedHashMap<String, Object>} in file order, arrays {@code List<Object>}, integers {@code Long} (or
 * {@code BigInteger} when too large), other numbers {@code Double}, then {@code String}, {@code Boolean} and
 * {@link #NULL}. Parsing is strict: one value and nothing after it, no key twice in an object.
 */
public final class Json {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** JSON's null (a value, so that maps and lists can hold it). */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private Json() {}

    /**
     * Parses one JSON value from text. Errors are Jackson's {@link JsonProcessingException}, whose location gives the
     * character offset of the problem.
     */
    public static Object parse(String text) throws JsonProcessingException {
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) throw new com.fasterxml.jackson.core.JsonParseException(p, "no JSON value");
            Object v = value(p, t);
            if (p.nextToken() != null)
                throw new com.fasterxml.jackson.core.JsonParseException(
                        p, "more content after the JSON value", p.currentTokenLocation());
            return v;
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException(e); // reading a String does no I/O
        }
    }

    private static Object value(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    String name = p.currentName();
                    m.put(name, value(p, p.nextToken()));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) l.add(value(p, e));
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        ? p.getBigIntegerValue()
                        : (Object) p.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return NULL;
            }
            default -> throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected " + t);
        }
    }

    /** Writes a value built of maps, lists, strings, numbers, booleans and {@link #NULL}; non-finite doubles as "NaN" strings. */
    public static String write(Object value, boolean pretty) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            if (pretty) g.useDefaultPrettyPrinter();
            write(g, value);
        } catch (IOException e) {
            throw new IllegalStateException(e); // writing a String does no I/O
        }
        return w.toString();
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        switch (v) {
            case null -> g.writeNull();
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (var e : m.entrySet()) {
                    g.writeFieldName(String.valueOf(e.getKey()));
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case List<?> l -> {
                g.writeStartArray();
                for (Object e : l) write(g, e);
                g.writeEndArray();
            }
            case String s -> g.writeString(s);
            case Boolean b -> g.writeBoolean(b);
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case BigInteger b -> g.writeNumber(b);
            case Double d when !Double.isFinite(d) -> g.writeString(d.toString());
            case Float f when !Float.isFinite(f) -> g.writeString(f.toString());
            case Number n -> g.writeNumber(n.doubleValue());
            default -> {
                if (v == NULL) g.writeNull();
                else
                    throw new IllegalArgumentException(
                            "Json.write: cannot write a " + v.getClass().getName());
            }
        }
    }

    /** A short description of a value for error messages: its JSON text (cut at 40 characters) and its kind. */
    public static String describe(Object v) {
        if (v == null) return "nothing";
        String s = write(v, false);
        String kind = switch (v) {
            case Map<?, ?> m -> "object";
            case List<?> l -> "array";
            case String t -> "string";
            case Boolean b -> "boolean";
            case Number n -> "number";
            default -> "null";
        };
        return (s.length() > 40 ? s.substring(0, 40) + "..." : s) + " (" + kind.toLowerCase(Locale.ROOT) + ")";
    }
}
