package dev.herald.console;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
                .header("Content-Security-Policy", ConsoleRoutes.contentSecurityPolicy(java.util.List.of()))
                .header("X-Content-Type-Options", "nosniff")
                .body(containsString("<title>Herald console</title>"));
        given().get("/console/js/app.js").then().statusCode(200)
                .contentType(containsString("javascript"))
                .header("Content-Security-Policy", ConsoleRoutes.contentSecurityPolicy(java.util.List.of()));
    }

    @Test
    void onlyTheOriginsNamedMayFrameTheConsoleAndAMalformedOneStopsTheReplica() {
        assertTrue(ConsoleRoutes.contentSecurityPolicy(java.util.List.of()).contains(" frame-ancestors 'none';"));
        assertTrue(ConsoleRoutes.contentSecurityPolicy(java.util.List.of("https://portal.example",
                "https://app.example:8443", "http://127.0.0.1:*"))
                .contains(" frame-ancestors https://portal.example https://app.example:8443 http://127.0.0.1:*;"));
        for (String bad : new String[] { "https://portal.example/path", "portal.example", "'self'",
                "https://a.example; script-src *" }) {
            IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> ConsoleRoutes.contentSecurityPolicy(java.util.List.of(bad)));
            assertEquals("herald.console.frame-ancestors: " + bad + " is not an origin; write each as"
                    + " https://host[:port] (a port may be *)", refused.getMessage());
        }
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
