package dev.herald.testing;

import static io.restassured.RestAssured.given;

/** This application's Prometheus scrape, as tests read it. */
public final class Metrics {

    private Metrics() {
    }

    /** The value of one series as printed (name with its labels), e.g. {@code herald_outbox_held}; 0 when absent. */
    public static double value(String series) {
        return given().get(Management.url("/q/metrics")).then().statusCode(200).extract().asString().lines()
                .filter(line -> line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1))).findFirst().orElse(0);
    }
}
