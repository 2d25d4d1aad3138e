package dev.herald.tenancy;

import dev.herald.api.Forbidden;

/**
 * Who is calling: the admin, one application (its API key), or the holder of a portal token ({@code portal}), who is
 * not the application: only the operations that check a portal scope ({@code portal.ScopeCheck}) serve it.
 */
public record Caller(boolean admin, Integer applicationId, PortalScope portal) {

    static Caller administrator() {
        return new Caller(true, null, null);
    }

    static Caller application(int applicationId) {
        return new Caller(false, applicationId, null);
    }

    static Caller portal(PortalScope scope) {
        return new Caller(false, null, scope);
    }

    public void requireAdmin() {
        if (!admin) {
            throw new Forbidden("this operation needs the admin key");
        }
    }

    /** The caller's application id; the admin key is not an application and owns no providers or webhooks. */
    public int requireApplication() {
        if (portal != null) {
            throw new Forbidden("a portal token cannot do this: it reads or manages only the webhooks it names");
        }
        if (applicationId == null) {
            throw new Forbidden("this operation needs an application's API key, not the admin key");
        }
        return applicationId;
    }
}
