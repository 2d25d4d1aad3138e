package dev.herald.tenancy;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Enum;

/** What a portal token lets its holder do within its scope. */
@Enum("PortalAccess")
@Description("READ: see the webhooks, their health and deliveries; MANAGE: also register, change, switch off, delete,"
        + " test and replay, and read signing secrets")
public enum PortalAccess {
    READ(1), MANAGE(2);

    private final int code;

    PortalAccess(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    static PortalAccess of(int code) {
        return code == MANAGE.code ? MANAGE : READ;
    }
}
