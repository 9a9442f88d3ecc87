package dev.nabla.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.nabla.train.EpochStats;
import dev.nabla.train.History;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The small JSON layer on jackson-core: values as Java types, strict parsing, and what databind agrees with. */
class JsonTest {
    @Test
    void parsesToPlainJavaValuesInFileOrder() throws Exception {
        Object v = Json.parse("{\"b\": [1, 2.5, \"x\", true, null], \"a\": 18446744073709551616}");
        Map<?, ?> m = assertInstanceOf(Map.class, v);
        assertEquals(List.of("b", "a"), List.copyOf(m.keySet()));
        assertEquals(List.of(1L, 2.5, "x", true, Json.NULL), m.get("b"));
        assertEquals(
                new BigInteger("18446744073709551616"),
                m.get("a"),
                "too large for a long: a BigInteger, not a wrapped long");
    }

    @Test
    void isStrictAboutDuplicatesTrailingContentAndEmptyInput() {
        var dup = assertThrows(JsonProcessingException.class, () -> Json.parse("{\"a\": 1, \"a\": 2}"));
        assertTrue(dup.getOriginalMessage().contains("Duplicate field 'a'"), dup.getOriginalMessage());
        var trailing = assertThrows(JsonProcessingException.class, () -> Json.parse("{} {}"));
        assertEquals(3, trailing.getLocation().getCharOffset(), "the offset of the second value");
        assertThrows(JsonProcessingException.class, () -> Json.parse("   "));
    }

    @Test
    void writesWhatJacksonDatabindReadsBackTheSame() throws Exception {
        var value = new java.util.LinkedHashMap<String, Object>();
        value.put("n", List.of(1L, -2.25, "q\"uote", false, Json.NULL));
        value.put("nan", Double.NaN);
        String text = Json.write(value, false);
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        assertEquals(-2.25, tree.get("n").get(1).asDouble());
        assertEquals("q\"uote", tree.get("n").get(2).asText());
        assertEquals(
                "NaN", tree.get("nan").asText(), "non-finite numbers as strings, as Jackson writes them by default");
        assertEquals(value.get("n"), ((Map<?, ?>) Json.parse(text)).get("n"));
    }

    @Test
    void historyRoundTripsThroughJsonWithItsStepLosses() {
        History h = new History();
        h.add(new EpochStats(1, 0.5, Double.NaN, 0.25, 0.9, 1.5, 1e-3, 2));
        h.addStep(0.75);
        h.addStep(Double.POSITIVE_INFINITY);
        History back = History.fromJson(h.toJson());
        assertEquals(h.epochs(), back.epochs());
        assertEquals(h.stepLosses(), back.stepLosses());
        var e = assertThrows(
                IllegalArgumentException.class, () -> History.fromJson("{\"epochs\": [{\"epoch\": 1.5}]}"));
        assertTrue(
                e.getMessage().contains("\"epoch\" must be a non-negative integer, got 1.5 (number)"), e.getMessage());
    }
}
