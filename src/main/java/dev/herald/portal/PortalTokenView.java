package dev.herald.portal;

import java.time.Instant;

import org.eclipse.microprofile.graphql.DateFormat;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import dev.herald.api.Timestamps;
import dev.herald.tenancy.PortalAccess;
import dev.herald.tenancy.PortalScope;

@Type("PortalToken")
@Description("What a portal token names, and until when.")
public record PortalTokenView(
        @Description("Its id, to revoke it (revokePortalToken); null in portalScope") @Id String id,
        @Description("The token (hp_...): shown in the answer that mints it only; null elsewhere") String token,
        int applicationId,
        @Description("The provider it is limited to (also a webhook's token's); null: the whole application")
        Integer providerId,
        @Description("The one webhook it is limited to; null: every webhook of its provider or application")
        @Id String webhookId,
        @NonNull PortalAccess access,
        @NonNull @DateFormat(Timestamps.JSON_FORMAT) Instant expiresAt) {

    static PortalTokenView of(Long id, String token, PortalScope scope) {
        return new PortalTokenView(id == null ? null : id.toString(), token, scope.applicationId(), scope.providerId(),
                scope.webhookId() == null ? null : scope.webhookId().toString(), scope.access(), scope.expiresAt());
    }
}
