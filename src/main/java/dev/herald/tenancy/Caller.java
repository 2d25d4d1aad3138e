package dev.herald.tenancy;

import dev.herald.api.Forbidden;

/** Who is calling: the admin, or one application. */
public record Caller(boolean admin, Integer applicationId) {

    static Caller administrator() {
        return new Caller(true, null);
    }

    static Caller application(int applicationId) {
        return new Caller(false, applicationId);
    }

    public void requireAdmin() {
        if (!admin) {
            throw new Forbidden("this operation needs the admin key");
        }
    }

    /** The caller's application id; the admin key is not an application and owns no providers or webhooks. */
    public int requireApplication() {
        if (applicationId == null) {
            throw new Forbidden("this operation needs an application's API key, not the admin key");
        }
        return applicationId;
    }
}
