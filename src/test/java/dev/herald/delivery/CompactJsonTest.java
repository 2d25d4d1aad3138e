package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Every expected value below was produced by Node 20's {@code JSON.stringify(JSON.parse(input))} (v20.20.2) and
 * hard-coded, so the test needs no node; the refused inputs are ones on which that JSON.parse throws a SyntaxError.
 */
class CompactJsonTest {

    @Test
    void compactsAnIndentedNotificationAndSignsWhatTheReceiverSigns() {
        String indented = """
                {
                  "id": 1,
                  "channelType": 1,
                  "deliveryStatus": 5,
                  "data": {"to": "a@b.c", "subject": "H\u00e9llo \\u2028 / \\/", "attachments": [], "meta": {}},
                  "result": null,
                  "retryCount": 0,
                  "price": 12.50,
                  "createdOn": "2024-06-01T10:00:00.000Z"
                }
                """;
        String compact = CompactJson.stringify(indented);
        assertEquals("{\"id\":1,\"channelType\":1,\"deliveryStatus\":5,\"data\":{\"to\":\"a@b.c\","
                + "\"subject\":\"H\u00e9llo \u2028 / /\",\"attachments\":[],\"meta\":{}},\"result\":null,\"retryCount\":0,"
                + "\"price\":12.5,\"createdOn\":\"2024-06-01T10:00:00.000Z\"}", compact);
        // node: crypto.createHmac("sha512", "legacy-secret").update(JSON.stringify(JSON.parse(indented))).digest("hex")
        assertEquals("6265bfa6346fad933775f1ca16585885e2320c784343c484a214f9d8bdb899db30d6dfd32180aa8a514d30c90b405f57"
                + "ddea08706dc43b1e0ac102f32fd0731f", Signatures.legacyHex(
                        "legacy-secret".getBytes(StandardCharsets.UTF_8), compact.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void numbersPrintAsJavaScriptPrintsTheirDouble() {
        assertCompacts(new String[][] {
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
            {"0.1", "0.1"},
            {"0.30000000000000004", "0.30000000000000004"},
            {"12345678901234567890", "12345678901234567000"},
            {"2.5E+3", "2500"},
            {"1e400", "null"},
            {"-1e400", "null"},
            {"1e-400", "0"},
            {"2e-324", "0"},
            {"3e-324", "5e-324"},
            {"123e-20", "1.23e-18"},
            {"1.5e300", "1.5e+300"},
            {"-1.5e-300", "-1.5e-300"},
            {"1.5e-7", "1.5e-7"},
            {"-12.50", "-12.5"},
            {"0.00001234", "0.00001234"},
            {"1.23e-6", "0.00000123"},
            {"999999999999999999999", "1e+21"},
            {"9.999999999999999e20", "999999999999999900000"},
            {"100", "100"},
            {"-5", "-5"},
            {"0e10", "0"},
            {"1E2", "100"},
            {"9007199254740993", "9007199254740992"},
            {"4.35", "4.35"},
            {"0.1e1", "1"},
            {"10.50", "10.5"},
            {"3.14159265358979323846", "3.141592653589793"},
            {"0.30000000000000001", "0.3"},
            {"7.7296876163398605E18", "7729687616339860000"},
            {"1.07242987484654938E18", "1072429874846549400"},
            {"5.9604644775390625e-8", "5.960464477539063e-8"},
            {"618970019642690137449562112", "6.189700196426902e+26"},
            {"2.2250738585072014e-308", "2.2250738585072014e-308"},
            {"2.225073858507201e-308", "2.225073858507201e-308"},
            {"4.9406564584124654e-324", "5e-324"},
            {"1000000000000000000000000000000e-30", "1"},
            {"0.0000000000000000000000000000001e30", "0.1"},
        });
    }

    @Test
    void stringsKeepOnlyTheEscapesJsonStringifyWrites() {
        assertCompacts(new String[][] {
            {"\"\\u00e9\"", "\"\u00e9\""},
            {"\"\u00e9\"", "\"\u00e9\""},
            {"\"\\/\"", "\"/\""},
            {"\"/\"", "\"/\""},
            {"\"\\ud83d\\ude00\"", "\"\ud83d\ude00\""},
            {"\"\ud83d\ude00\"", "\"\ud83d\ude00\""},
            {"\"\\ud83d\"", "\"\\ud83d\""},
            {"\"\\ude00\"", "\"\\ude00\""},
            {"\"\\uDE00\\uD83D\"", "\"\\ude00\\ud83d\""},
            {"\"\\uD83D\\u0041\"", "\"\\ud83dA\""},
            {"\"x\\ud800\"", "\"x\\ud800\""},
            {"\"\\ud83d\\ude00 \\ud800 x \\udc00\"", "\"\ud83d\ude00 \\ud800 x \\udc00\""},
            {"\"\\ud800\"", "\"\\ud800\""},
            {"\"a\\u0000b\\u001fc\\u007f\"", "\"a\\u0000b\\u001fc\u007f\""},
            {"\"\\b\\f\\n\\r\\t\\\"\\\\\"", "\"\\b\\f\\n\\r\\t\\\"\\\\\""},
            {"\"\\u0008\\u000C\\u000a\\u000D\\u0009\\u0022\\u005C\"", "\"\\b\\f\\n\\r\\t\\\"\\\\\""},
            {"\"\\u2028\\u2029\"", "\"\u2028\u2029\""},
            {"\"\u2028\u2029\"", "\"\u2028\u2029\""},
            {"\"\\u000B\\u001B\"", "\"\\u000b\\u001b\""},
            {"\"\u007f\u0080\u00ff\uffff\"", "\"\u007f\u0080\u00ff\uffff\""},
            {"\"\\u0041\\u00DF\\u4E2D\"", "\"A\u00df\u4e2d\""},
            {"\"\"", "\"\""},
            {"\"tab\\tquote\\\"back\\\\slash\"", "\"tab\\tquote\\\"back\\\\slash\""},
        });
    }

    @Test
    void keysFollowJavaScriptPropertyOrder() {
        // array indices ("0" to "4294967294", canonical) first and ascending, then the rest in first-insertion order;
        // a duplicate keeps its first position and its last value; "__proto__" is an ordinary key in JSON.parse
        assertCompacts(new String[][] {
            {"{\"a\":1,\"b\":2,\"a\":3}", "{\"a\":3,\"b\":2}"},
            {"{\"a\":1,\"b\":2,\"a\":3,\"c\":4,\"b\":5}", "{\"a\":3,\"b\":5,\"c\":4}"},
            {"{\"a\":{\"b\":1},\"c\":2,\"a\":[3]}", "{\"a\":[3],\"c\":2}"},
            {"{\"b\":1,\"10\":2,\"2\":3,\"01\":4,\"-1\":5,\"4294967295\":6,\"4294967294\":7,\"1.0\":8,\"a\":9,\"0\":10}", "{\"0\":10,\"2\":3,\"10\":2,\"4294967294\":7,\"b\":1,\"01\":4,\"-1\":5,\"4294967295\":6,\"1.0\":8,\"a\":9}"},
            {"{\"b\":1,\"1\":2,\"b\":3,\"1\":4}", "{\"1\":4,\"b\":3}"},
            {"{\"1\":1,\"0\":{\"1\":2,\"0\":3}}", "{\"0\":{\"0\":3,\"1\":2},\"1\":1}"},
            {"{\"00\":1,\"0\":2}", "{\"0\":2,\"00\":1}"},
            {"{\"4294967296\":1,\"4294967295\":2,\"4294967294\":3,\"1\":4}", "{\"1\":4,\"4294967294\":3,\"4294967296\":1,\"4294967295\":2}"},
            {"{\"__proto__\":1,\"a\":2}", "{\"__proto__\":1,\"a\":2}"},
            {"{\"__proto__\":{\"x\":1},\"constructor\":2,\"toString\":3}", "{\"__proto__\":{\"x\":1},\"constructor\":2,\"toString\":3}"},
            {"{\"\":1,\" \":2,\"1 \":3,\" 1\":4,\"+1\":5,\"1e3\":6}", "{\"\":1,\" \":2,\"1 \":3,\" 1\":4,\"+1\":5,\"1e3\":6}"},
            {"{\"\\u0031\":\"escaped one\",\"0\":\"zero\"}", "{\"0\":\"zero\",\"1\":\"escaped one\"}"},
            {"{\"\\ud800\":1,\"k\\n\":2,\"\\u00e9\":3}", "{\"\\ud800\":1,\"k\\n\":2,\"\u00e9\":3}"},
        });
    }

    @Test
    void literalsContainersAndWhitespace() {
        assertCompacts(new String[][] {
            {"true", "true"},
            {"false", "false"},
            {"null", "null"},
            {"\"x\"", "\"x\""},
            {"5", "5"},
            {"[]", "[]"},
            {"{}", "{}"},
            {"[[]]", "[[]]"},
            {"[{}]", "[{}]"},
            {"{\"a\":{}}", "{\"a\":{}}"},
            {" \t\r\n1 \t\r\n", "1"},
            {" [ 1 , { \"a\" : [ ] } , \"x\" , null , true , false ] ", "[1,{\"a\":[]},\"x\",null,true,false]"},
            {"{\r\n\t\"a\" : [1,\n2]\r\n}", "{\"a\":[1,2]}"},
            {"[\"a\",\n  [\"b\", [\"c\", {\"d\": [null]}]]]", "[\"a\",[\"b\",[\"c\",{\"d\":[null]}]]]"},
        });
    }

    @Test
    void refusesWhatJsonParseRefuses() {
        String[] refused = {
                "[1,]",
                "{\"a\":1,}",
                "[,1]",
                "{,}",
                "'a'",
                "{'a':1}",
                "[1]//c",
                "{\"a\":1} // c",
                "{\"a\":1} x",
                "/*c*/1",
                "NaN",
                "Infinity",
                "-Infinity",
                "01",
                "-01",
                "00",
                "+1",
                "1.",
                ".5",
                "1.e5",
                "1e",
                "1e+",
                "-",
                "-a",
                "0x10",
                "1 2",
                "[1 2]",
                "{\"a\" 1}",
                "{a:1}",
                "{\"a\":1 \"b\":2}",
                "{\"a\"}",
                "{1:2}",
                "",
                "  ",
                "\ufeff1",
                "\ufeff{}",
                "1\ufeff",
                "\u00a01",
                "\u000b1",
                "\f1",
                "\"\t\"",
                "\"\n\"",
                "\"\u0000\"",
                "\"\u001f\"",
                "\"a\u0001b\"",
                "\"\\x41\"",
                "\"\\u12\"",
                "\"\\u12g4\"",
                "\"\\U0041\"",
                "\"\\a\"",
                "\"\\'\"",
                "\"abc",
                "\"abc\\",
                "[",
                "]",
                "{",
                "}",
                "[1",
                "{\"a\":1",
                "tru",
                "nul",
                "True",
                "NULL",
                "undefined",
                "[1]]",
                "{}}",
                "\"a\"\"b\"",
        };
        for (String input : refused) {
            assertThrows(IllegalArgumentException.class, () -> CompactJson.stringify(input), () -> "accepted " + input);
        }
        assertThrows(IllegalArgumentException.class, () -> CompactJson.stringify(null)); // Java's null, no JS value
    }

    @Test
    void deepNestingNeedsNoDeepStack() {
        // node gives back the compact form of these 2,000 + 2,000 levels
        int depth = 2000;
        String spaced = "[".repeat(depth) + " {\"a\" : " + "[ ".repeat(depth) + "1" + " ]".repeat(depth) + "}" + "]".repeat(depth);
        String compact = "[".repeat(depth) + "{\"a\":" + "[".repeat(depth) + "1" + "]".repeat(depth) + "}" + "]".repeat(depth);
        assertEquals(compact, CompactJson.stringify(spaced));
        // past about 4,170 levels node's own JSON.stringify overflows its stack; here nothing does
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertEquals(deep, CompactJson.stringify(deep));
        assertThrows(IllegalArgumentException.class, () -> CompactJson.stringify(deep.substring(1)));
    }

    @Test
    void randomDoublesRoundTripInNoMoreDigitsThanTheJdkPrints() {
        Random random = new Random(20240601);
        for (int i = 0; i < 3_000; i++) {
            double value = Double.longBitsToDouble(random.nextLong());
            if (Double.isNaN(value) || Double.isInfinite(value)) {
                continue;
            }
            String jdk = Double.toString(value);
            String printed = CompactJson.stringify(jdk);
            assertEquals(value == 0 ? 0d : value, Double.parseDouble(printed), jdk);
            assertEquals(printed, CompactJson.stringify(printed), jdk);
            assertTrue(significantDigits(printed) <= significantDigits(jdk), () -> jdk + " printed as " + printed);
        }
    }

    private static int significantDigits(String number) {
        String mantissa = number.replaceFirst("[eE].*", "").replace("-", "").replace(".", "");
        return Math.max(1, mantissa.replaceFirst("^0+", "").replaceFirst("0+$", "").length());
    }

    private static void assertCompacts(String[][] pairs) {
        for (String[] pair : pairs) {
            assertEquals(pair[1], CompactJson.stringify(pair[0]), () -> "input " + pair[0]);
        }
    }
}
