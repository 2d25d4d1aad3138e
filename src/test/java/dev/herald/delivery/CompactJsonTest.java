package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * {@link CompactJson} against Node: every expected value below was produced by Node 20's
 * {@code JSON.stringify(JSON.parse(input))}, and every refused input is one its JSON.parse throws on.
 */
class CompactJsonTest {

    private static final String[][] AS_NODE_WRITES = {
            {"{\n  \"id\": 1,\n  \"channelType\": 1,\n  \"deliveryStatus\": 5,\n  \"data\": {\"to\": \"a@b.c\", \"subject\": \"H\\u00e9llo \u2028 / \\/\"},\n  \"createdOn\": \"2024-06-01T10:00:00.000Z\"\n}", "{\"id\":1,\"channelType\":1,\"deliveryStatus\":5,\"data\":{\"to\":\"a@b.c\",\"subject\":\"H\u00e9llo \u2028 / /\"},\"createdOn\":\"2024-06-01T10:00:00.000Z\"}"},
            {"1.0", "1"},
            {"1e21", "1e+21"},
            {"1e20", "100000000000000000000"},
            {"123456789012345678901234", "1.2345678901234569e+23"},
            {"0.000001", "0.000001"},
            {"0.0000001", "1e-7"},
            {"-0", "0"},
            {"-0.0", "0"},
            {"5e-324", "5e-324"},
            {"1.7976931348623157e308", "1.7976931348623157e+308"},
            {"1e400", "null"},
            {"-1e400", "null"},
            {"0.1", "0.1"},
            {"0.30000000000000004", "0.30000000000000004"},
            {"12345678901234567890", "12345678901234567000"},
            {"2.5E+3", "2500"},
            {"1.5e-7", "1.5e-7"},
            {"100", "100"},
            {"-12.50", "-12.5"},
            {"9007199254740993", "9007199254740992"},
            {"0.1e1", "1"},
            {"1E2", "100"},
            {"\"\\u0000\\u001f\\b\\f\\n\\r\\t\\\"\\\\\\/\"", "\"\\u0000\\u001f\\b\\f\\n\\r\\t\\\"\\\\/\""},
            {"\"\\ud83d\\ude00 \\ud800 x \\udc00\"", "\"\ud83d\ude00 \\ud800 x \\udc00\""},
            {"\"caf\u00e9 \u2028\u2029 \u007f\"", "\"caf\u00e9 \u2028\u2029 \u007f\""},
            {"\"\\u00E9\\u2028\"", "\"\u00e9\u2028\""},
            {"true", "true"},
            {"false", "false"},
            {"null", "null"},
            {" \t\r\n {} \n", "{}"},
            {"[]", "[]"},
            {"[ [ ], { } ]", "[[],{}]"},
            {"{\"b\":1,\"2\":2,\"1\":3,\"a\":4}", "{\"1\":3,\"2\":2,\"b\":1,\"a\":4}"},
            {"{\"a\":1,\"b\":2,\"a\":3}", "{\"a\":3,\"b\":2}"},
            {"{\"01\":1,\"1\":2,\"-1\":3,\"4294967295\":4,\"4294967294\":5,\"1.0\":6}", "{\"1\":2,\"4294967294\":5,\"01\":1,\"-1\":3,\"4294967295\":4,\"1.0\":6}"},
            {"{\"__proto__\": {\"x\": 1}, \"y\": 2}", "{\"__proto__\":{\"x\":1},\"y\":2}"},
            {"{\"a\": [1, {\"b\": [true, null]}], \"c\": {}}", "{\"a\":[1,{\"b\":[true,null]}],\"c\":{}}"}
    };

    private static final String[] NODE_REFUSES = {
            "",
            " ",
            "{\"a\":1,}",
            "[1,]",
            "{'a':1}",
            "{\"a\":1} // c",
            "NaN",
            "01",
            "+1",
            "{\"a\":1} x",
            "\"a\u0001b\"",
            "\ufeff{}",
            "[1 2]",
            "{\"a\" 1}",
            ".5",
            "1.",
            "\"\\x41\"",
            "\"\\u12\"",
            "tru",
            "[",
            "{\"a\":1"
    };

    @Test
    void writesWhatJavaScriptsJsonStringifyWrites() {
        for (String[] c : AS_NODE_WRITES) {
            assertEquals(c[1], CompactJson.stringify(c[0]), c[0]);
        }
    }

    @Test
    void refusesWhatJavaScriptsJsonParseRefuses() {
        for (String input : NODE_REFUSES) {
            assertThrows(IllegalArgumentException.class, () -> CompactJson.stringify(input), input);
        }
    }

    @Test
    void deepNestingIsNoStackOverflow() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertEquals(deep, CompactJson.stringify(deep.replace("[", "[ ")));
    }
}
