package dev.herald.testing;

import static io.restassured.RestAssured.given;

import java.util.List;
import java.util.StringJoiner;

import io.restassured.http.ContentType;

/** Posts notification events to {@code /v1/events}. */
public final class Events {

    private Events() {
    }

    /** An OsmoX-style notification object for the provider. */
    public static String notification(int id, int providerId) {
        return """
                {"id": %d, "providerId": %d, "channelType": 1, "data": {"to": "a@example.com"}, "deliveryStatus": 5, \
                "result": {"result": {"messages": []}}, "createdOn": "2024-07-12T09:14:26.000Z", \
                "updatedOn": "2024-07-12T09:14:27.000Z", "createdBy": "sampleOsmoXApp", \
                "updatedBy": "sampleOsmoXApp", "status": 1, "applicationId": 1, "retryCount": 0}""".formatted(id, providerId);
    }

    /** A JSON array of {@code count} notifications (ids 0 to count - 1) for one provider: one ingest request. */
    public static String notifications(int count, int providerId) {
        StringJoiner batch = new StringJoiner(",", "[", "]");
        for (int i = 0; i < count; i++) {
            batch.add(notification(i, providerId));
        }
        return batch.toString();
    }

    /** Posts a body with the key and answers the accepted event ids, asserting 202. */
    public static List<Long> post(String key, String body) {
        return given().header("x-api-key", key).contentType(ContentType.JSON).body(body)
                .post("/v1/events")
                .then().statusCode(202)
                .extract().jsonPath().getList("eventIds", Long.class);
    }
}
