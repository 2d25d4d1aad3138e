package dev.herald.webhook;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** The curl of the OsmoX webhook documentation, byte for byte, against Herald's demo application. */
@QuarkusTest
class OsmoxSeedCompatibilityTest {

    /** The --data of the documented curl, unchanged (trailing comma in the input object included). */
    private static final String SEED_BODY = "{\"query\":\"mutation RegisterWebhook {\\n    webhook(createWebhookInput: {\\n"
            + "        providerId: 10,\\n        webhookUrl: \\\"http://localhost:4200/webhook\\\",\\n    }) {\\n"
            + "        webhookUrl\\n        providerId\\n        createdOn\\n        updatedOn\\n        status\\n"
            + "    }\\n}\",\"variables\":{}}";

    private static final Pattern SEED_ANSWER = Pattern.compile("\\{\"data\":\\{\"webhook\":\\{"
            + "\"webhookUrl\":\"http://localhost:4200/webhook\","
            + "\"providerId\":10,"
            + "\"createdOn\":\"(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z)\","
            + "\"updatedOn\":\"(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z)\","
            + "\"status\":1\\}\\}\\}");

    @Test
    void theDocumentedCurlRegistersAWebhookAndAnswersInTheDocumentedShape() {
        String answer = given()
                .header("Content-Type", "application/json")
                .header("x-api-key", "OsmoX-test-key")
                .header("Authorization", "Bearer OsmoX-test-key")
                .body(SEED_BODY)
                .post("/graphql")
                .then().statusCode(200)
                .extract().asString();

        var match = SEED_ANSWER.matcher(answer);
        assertTrue(match.matches(), "answer not in the OsmoX shape: " + answer);
        assertEquals(match.group(1), match.group(2), "a new webhook's createdOn and updatedOn are the same instant");
    }
}
