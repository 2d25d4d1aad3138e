package dev.herald.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The GraphQL schema that tenants' tools generate clients from is kept in the repository ({@code docs/schema.graphql})
 * and fails this test when it drifts from the schema Herald serves at {@code /graphql/schema.graphql}: a change to
 * the API shows in review as a diff of that file.
 */
@QuarkusTest
class GraphQLSchemaFileTest {

    static final Path KEPT = Path.of("docs", "schema.graphql");
    static final Path SERVED_COPY = Path.of("target", "schema.graphql");

    @Test
    void theKeptSchemaIsTheServedOne() throws IOException {
        String served = given().get("/graphql/schema.graphql").then().statusCode(200).extract().asString();
        String kept = Files.exists(KEPT) ? Files.readString(KEPT) : "";
        if (!kept.equals(served)) {
            Files.writeString(SERVED_COPY, served);
        }
        assertEquals(kept, served, "docs/schema.graphql is not the schema Herald serves; if the change is meant, copy "
                + SERVED_COPY + " over it");
    }
}
