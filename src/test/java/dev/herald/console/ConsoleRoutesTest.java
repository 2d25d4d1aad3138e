package dev.herald.console;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.nullValue;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Management;
import io.quarkus.test.junit.QuarkusTest;

/** The console is served by Herald itself, each file with its Content-Security-Policy. */
@QuarkusTest
class ConsoleRoutesTest {

    @Test
    void theConsoleIsServedWithItsPolicy() {
        given().get("/console/").then().statusCode(200)
                .contentType(containsString("text/html"))
                .header("Content-Security-Policy", ConsoleRoutes.CONTENT_SECURITY_POLICY)
                .header("X-Content-Type-Options", "nosniff")
                .body(containsString("<title>Herald console</title>"));
        given().get("/console/js/app.js").then().statusCode(200)
                .contentType(containsString("javascript"))
                .header("Content-Security-Policy", ConsoleRoutes.CONTENT_SECURITY_POLICY);
    }

    @Test
    void theBarePathAndTheRootLeadToTheConsole() {
        given().redirects().follow(false).get("/console").then().statusCode(302)
                .header("Location", endsWith("/console/"));
        given().redirects().follow(false).get("/").then().statusCode(302)
                .header("Location", endsWith("/console/"));
    }

    @Test
    void otherPathsKeepTheirOwnHeaders() {
        given().get("/v1/events").then().header("Content-Security-Policy", nullValue());
    }

    /** Metrics and health are on the management port only (quarkus.management.*): not served to the public. */
    @Test
    void metricsAndHealthAreNotOnThePublicPort() {
        given().get("/q/metrics").then().statusCode(404);
        given().get("/q/health/ready").then().statusCode(404);
        given().get(Management.url("/q/health/live")).then().statusCode(200);
    }
}
