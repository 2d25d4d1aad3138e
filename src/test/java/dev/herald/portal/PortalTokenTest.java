package dev.herald.portal;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Portal tokens: minted by an application (or the admin) for a scope, to read or to manage; each operation answers
 * a token within its scope only, refuses the rest (FORBIDDEN, naming why), and a token is not an API key: it cannot
 * mint others, create providers or send events, and ends at its expiry.
 */
@QuarkusTest
class PortalTokenTest {

    @Inject
    Database database;

    @Test
    void aReadTokenOfOneWebhookSeesThatWebhookOnlyAndChangesNothing() {
        String key = GraphQL.newApplication("portal-read");
        int provider = GraphQL.newProvider(key, "smtp");
        String mine = GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "https://example.com/mine",
                  headers: [{name: "X-Api-Key", value: "receiver-credential"}], proxy: "http://u:pw@proxy.example:3128"})
                  { id } }""".formatted(provider)).getString("data.webhook.id");
        String other = GraphQL.newWebhook(key, provider, "https://example.com/other");
        int otherProvider = GraphQL.newProvider(key, "sms");
        Events.post(key, Events.notifications(2, provider));
        String token = mint(key, "webhookId: \"%s\", access: READ, ttl: \"15m\"".formatted(mine))
                .getString("data.createPortalToken.token");
        assertTrue(token.startsWith("hp_"), token);

        JsonPath scope = GraphQL.as(token, "{ portalScope { access providerId webhookId expiresAt } }");
        assertEquals("READ", scope.getString("data.portalScope.access"));
        assertEquals(provider, scope.getInt("data.portalScope.providerId"));
        assertEquals(mine, scope.getString("data.portalScope.webhookId"));
        assertNull(GraphQL.as(key, "{ portalScope { access } }").get("data.portalScope"), "an API key has none");

        JsonPath listed = GraphQL.as(token, "{ webhooks { id headers { name value } access { proxy } } }");
        assertEquals(List.of(mine), listed.getList("data.webhooks.id"));
        // what carries credentials is not for a token that may only read
        assertEquals("(hidden)", listed.getString("data.webhooks[0].headers[0].value"), listed.prettify());
        assertNull(listed.get("data.webhooks[0].access"));
        assertEquals(List.of(provider), GraphQL.as(token, "{ providers { providerId } }")
                .getList("data.providers.providerId"));
        List<String> webhooksOfDeliveries = GraphQL.as(token, "{ deliveries { items { webhookId } } }")
                .getList("data.deliveries.items.webhookId");
        assertTrue(!webhooksOfDeliveries.isEmpty() && webhooksOfDeliveries.stream().allMatch(mine::equals),
                "its webhook's deliveries only: " + webhooksOfDeliveries);

        refused(GraphQL.as(token, "{ deliveries(webhookId: \"%s\") { totalCount } }".formatted(other)),
                "webhook " + other + " is outside this portal token's scope");
        refused(GraphQL.as(token, "{ webhooks(providerId: %d) { id } }".formatted(otherProvider)),
                "provider " + otherProvider + " is outside this portal token's scope");
        refused(GraphQL.as(token, "mutation { updateWebhook(updateWebhookInput: {id: \"%s\", status: 0}) { id } }"
                .formatted(mine)), "this portal token may only read (access READ)");
        refused(GraphQL.as(token, "{ webhookSecret(webhookId: \"%s\") { secret } }".formatted(mine)),
                "this portal token may only read (access READ)");
        refused(mint(token, "access: MANAGE, ttl: \"1h\""),
                "a portal token cannot do this: it reads or manages only the webhooks it names");
        refused(GraphQL.as(token, "mutation { createProvider(createProviderInput: {name: \"x\", channelType: 1})"
                + " { providerId } }"), "a portal token cannot do this: it reads or manages only the webhooks it names");
        given().header("x-api-key", token).contentType("application/json").body(Events.notification(9, provider))
                .post("/v1/events").then().statusCode(403);
        assertEquals(1, database.count("webhook WHERE id = " + mine + " AND status = 1"), "nothing changed");
    }

    @Test
    void aManageTokenOfOneProviderManagesItsWebhooksAndNoOthers() {
        String key = GraphQL.newApplication("portal-manage");
        int provider = GraphQL.newProvider(key, "smtp");
        int otherProvider = GraphQL.newProvider(key, "sms");
        String mine = GraphQL.newWebhook(key, provider, "https://example.com/mine");
        String other = GraphQL.newWebhook(key, otherProvider, "https://example.com/other");
        String token = mint(key, "providerId: %d, access: MANAGE, ttl: \"1h\"".formatted(provider))
                .getString("data.createPortalToken.token");

        JsonPath registered = GraphQL.as(token, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "https://example.com/new"})
                  { id secret } }""".formatted(provider));
        assertTrue(registered.getString("data.webhook.secret").startsWith("whsec_"), registered.prettify());
        JsonPath updated = GraphQL.as(token, """
                mutation { updateWebhook(updateWebhookInput: {id: "%s", status: 0}) { status } }""".formatted(mine));
        assertEquals(0, updated.getInt("data.updateWebhook.status"), updated.prettify());
        assertEquals(2, GraphQL.as(token, "{ webhooks { id } }").getList("data.webhooks.id").size());

        refused(GraphQL.as(token, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "https://example.com/x"}) { id } }"""
                .formatted(otherProvider)), "provider " + otherProvider + " is outside this portal token's scope");
        refused(GraphQL.as(token, "mutation { deleteWebhook(id: \"%s\") }".formatted(other)),
                "webhook " + other + " is outside this portal token's scope");
        refused(GraphQL.as(token, "mutation { sendTestEvent(webhookId: \"%s\") { statusCode } }".formatted(other)),
                "webhook " + other + " is outside this portal token's scope");
        assertEquals(1, database.count("webhook WHERE id = " + other + " AND status = 1"), "the other is untouched");
    }

    @Test
    void mintingIsTheApplicationsOrTheAdminsAndBounded() {
        String key = GraphQL.newApplication("portal-mint");
        int provider = GraphQL.newProvider(key, "smtp");
        int applicationId = database.query("SELECT application_id FROM provider WHERE id = " + provider).iterator()
                .next().getInteger(0);
        String otherKey = GraphQL.newApplication("portal-mint-other");
        int otherProvider = GraphQL.newProvider(otherKey, "smtp");
        String otherWebhook = GraphQL.newWebhook(otherKey, otherProvider, "https://example.com/theirs");

        JsonPath byAdmin = mint(GraphQL.ADMIN_KEY, "applicationId: %d, access: READ, ttl: \"24h\"".formatted(applicationId));
        assertEquals(applicationId, byAdmin.getInt("data.createPortalToken.applicationId"), byAdmin.prettify());
        String token = byAdmin.getString("data.createPortalToken.token");
        assertEquals(0, database.count("portal_token WHERE token_hash = '" + token + "'"), "stored as a hash only");
        assertEquals(1, database.count("portal_token WHERE application_id = " + applicationId));

        refused(mint(otherKey, "applicationId: %d, access: READ, ttl: \"1h\"".formatted(applicationId)),
                "an application mints and lists portal tokens for itself only");
        invalid(mint(key, "access: READ, ttl: \"25h\""), "ttl: must be from 1m to 24h (got 25h)");
        invalid(mint(GraphQL.ADMIN_KEY, "access: READ, ttl: \"1h\""), "applicationId: the admin key must name the application");
        JsonPath theirs = mint(key, "webhookId: \"%s\", access: READ, ttl: \"1h\"".formatted(otherWebhook));
        assertEquals("NOT_FOUND", GraphQL.errorClassification(theirs), theirs.prettify());
    }

    @Test
    void aTokenEndsAtItsExpiry() {
        String key = GraphQL.newApplication("portal-expiry");
        GraphQL.newProvider(key, "smtp");
        String token = mint(key, "access: READ, ttl: \"1m\"").getString("data.createPortalToken.token");
        assertEquals(1, GraphQL.as(token, "{ providers { providerId } }").getList("data.providers").size());
        // its minute passed: set by the database's clock, as the check reads it
        database.query("UPDATE portal_token SET expires_at = clock_timestamp() - interval '1 second'"
                + " WHERE token_hash = encode(sha256(convert_to('" + token + "', 'UTF8')), 'hex')");
        JsonPath expired = GraphQL.as(token, "{ providers { providerId } }");
        assertEquals("UNAUTHORIZED", GraphQL.errorClassification(expired), expired.prettify());
        assertEquals("unknown or expired portal token", expired.getString("errors[0].message"));
    }

    @Test
    void aRevokedTokenIsRefusedAtOnceAndOnlyItsApplicationOrTheAdminRevokesIt() {
        String key = GraphQL.newApplication("portal-revoke");
        GraphQL.newProvider(key, "smtp");
        String otherKey = GraphQL.newApplication("portal-revoke-other");
        JsonPath minted = mint(key, "access: READ, ttl: \"1h\"");
        String token = minted.getString("data.createPortalToken.token");
        String id = minted.getString("data.createPortalToken.id");
        assertEquals(1, GraphQL.as(token, "{ providers { providerId } }").getList("data.providers").size());

        JsonPath theirs = GraphQL.as(otherKey, "mutation { revokePortalToken(id: \"%s\") }".formatted(id));
        assertEquals("NOT_FOUND", GraphQL.errorClassification(theirs), theirs.prettify());
        refused(GraphQL.as(token, "mutation { revokePortalToken(id: \"%s\") }".formatted(id)),
                "a portal token cannot do this: it reads or manages only the webhooks it names");
        assertTrue(GraphQL.as(key, "mutation { revokePortalToken(id: \"%s\") }".formatted(id))
                .getBoolean("data.revokePortalToken"));
        JsonPath revoked = GraphQL.as(token, "{ providers { providerId } }");
        assertEquals("UNAUTHORIZED", GraphQL.errorClassification(revoked), revoked.prettify());

        String another = mint(key, "access: READ, ttl: \"1h\"").getString("data.createPortalToken.id");
        assertTrue(GraphQL.as(GraphQL.ADMIN_KEY, "mutation { revokePortalToken(id: \"%s\") }".formatted(another))
                .getBoolean("data.revokePortalToken"), "the admin revokes any");
    }

    @Test
    void anApplicationListsTheTokensItHandedOutAndNeverTheirValues() {
        String key = GraphQL.newApplication("portal-list");
        int provider = GraphQL.newProvider(key, "smtp");
        String webhook = GraphQL.newWebhook(key, provider, "https://example.com/listed");
        int applicationId = database.query("SELECT application_id FROM provider WHERE id = " + provider).iterator()
                .next().getInteger(0);
        String otherKey = GraphQL.newApplication("portal-list-other");
        String theirs = mint(otherKey, "access: READ, ttl: \"1h\"").getString("data.createPortalToken.id");

        JsonPath later = mint(key, "access: MANAGE, ttl: \"2h\"");
        JsonPath sooner = mint(key, "webhookId: \"%s\", access: READ, ttl: \"1h\"".formatted(webhook));
        String revoked = mint(key, "providerId: %d, access: READ, ttl: \"3h\"".formatted(provider))
                .getString("data.createPortalToken.id");
        GraphQL.as(key, "mutation { revokePortalToken(id: \"%s\") }".formatted(revoked));
        String expired = mint(key, "access: READ, ttl: \"1m\"").getString("data.createPortalToken.id");
        database.query("UPDATE portal_token SET expires_at = clock_timestamp() - interval '1 second' WHERE id = "
                + expired);

        String fields = "{ id token applicationId providerId webhookId access expiresAt }";
        JsonPath listed = GraphQL.as(key, "{ portalTokens " + fields + " }");
        String laterId = later.getString("data.createPortalToken.id");
        String soonerId = sooner.getString("data.createPortalToken.id");
        assertEquals(List.of(laterId, soonerId), listed.getList("data.portalTokens.id"),
                "in force, in the order they were minted: " + listed.prettify());
        assertEquals(Arrays.asList(null, null), listed.getList("data.portalTokens.token"), "never the token");
        assertEquals(List.of("MANAGE", "READ"), listed.getList("data.portalTokens.access"));
        assertEquals(Arrays.asList(null, webhook), listed.getList("data.portalTokens.webhookId"));
        assertEquals(Arrays.asList(null, provider), listed.getList("data.portalTokens.providerId"));
        assertEquals(sooner.getString("data.createPortalToken.expiresAt"),
                listed.getString("data.portalTokens[1].expiresAt"));
        assertFalse(listed.getList("data.portalTokens.id").contains(theirs), "another application's");
        // a page at a time
        assertEquals(List.of(laterId), GraphQL.as(key, "{ portalTokens(limit: 1) { id } }")
                .getList("data.portalTokens.id"));
        assertEquals(List.of(soonerId), GraphQL.as(key, "{ portalTokens(limit: 1, after: \"%s\") { id } }"
                .formatted(laterId)).getList("data.portalTokens.id"));
        invalid(GraphQL.as(key, "{ portalTokens(limit: 1001) { id } }"), "limit: must be between 1 and 1000");

        JsonPath byAdmin = GraphQL.as(GraphQL.ADMIN_KEY, "{ portalTokens(applicationId: %d) { id } }"
                .formatted(applicationId));
        assertEquals(listed.getList("data.portalTokens.id"), byAdmin.getList("data.portalTokens.id"));
        invalid(GraphQL.as(GraphQL.ADMIN_KEY, "{ portalTokens { id } }"),
                "applicationId: the admin key must name the application");
        invalid(GraphQL.as(GraphQL.ADMIN_KEY, "{ portalTokens(applicationId: 2147483647) { id } }"),
                "applicationId: there is no application 2147483647");
        refused(GraphQL.as(otherKey, "{ portalTokens(applicationId: %d) { id } }".formatted(applicationId)),
                "an application mints and lists portal tokens for itself only");
        refused(GraphQL.as(later.getString("data.createPortalToken.token"), "{ portalTokens { id } }"),
                "a portal token cannot do this: it reads or manages only the webhooks it names");
    }

    private static JsonPath mint(String key, String arguments) {
        return GraphQL.as(key, ("mutation { createPortalToken(%s) { id token applicationId providerId webhookId access"
                + " expiresAt } }").formatted(arguments));
    }

    private static void refused(JsonPath answer, String message) {
        assertEquals("FORBIDDEN", GraphQL.errorClassification(answer), answer.prettify());
        assertEquals(message, answer.getString("errors[0].message"));
    }

    private static void invalid(JsonPath answer, String message) {
        assertEquals("BAD_REQUEST", GraphQL.errorClassification(answer), answer.prettify());
        assertEquals(message, answer.getString("errors[0].message"));
    }
}
