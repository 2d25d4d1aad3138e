package dev.herald.api;

/**
 * The page sizes of every list the GraphQL API answers: the default when a request gives none, and the most one
 * request may ask for. Resolvers take their defaults from here and refuse more than the maximum; the GraphQL cost
 * ({@code dev.herald.api.limits.FieldCosts}) counts each list at the size it may answer.
 */
public final class Pages {

    public static final String APPLICATIONS = "100";
    public static final int MAX_APPLICATIONS = 1_000;

    public static final String PROVIDERS = "100";
    public static final int MAX_PROVIDERS = 1_000;

    public static final String WEBHOOKS = "100";
    public static final int MAX_WEBHOOKS = 500;

    public static final String DELIVERIES = "50";
    public static final int MAX_DELIVERIES = 500;

    /** The newest attempts of each delivery in a page of deliveries. */
    public static final String ATTEMPTS = "20";
    public static final int MAX_ATTEMPTS = 100;

    public static final String FAILING_ENDPOINTS = "10";
    public static final int MAX_FAILING_ENDPOINTS = 100;

    public static final String SET_ASIDE_EVENTS = "50";
    public static final int MAX_SET_ASIDE_EVENTS = 500;

    public static final String PORTAL_TOKENS = "100";
    public static final int MAX_PORTAL_TOKENS = 1_000;

    /** The minutes of a webhook's health: always the last hour. */
    public static final int HEALTH_MINUTES = 60;

    private Pages() {
    }

    /** {@code limit} when it is a page size from 1 to {@code max}; otherwise an {@link InvalidInput} that says so. */
    public static int size(String field, int limit, int max) {
        return InvalidInput.requireBetween(field, limit, 1, max);
    }
}
