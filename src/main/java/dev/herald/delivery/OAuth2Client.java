package dev.herald.delivery;

/**
 * The OAuth2 client credentials Herald uses for a webhook's receiver that requires a bearer token: a token is asked
 * of {@code tokenUrl} with the client credentials grant (RFC 6749, section 4.4; the client authenticates with HTTP
 * Basic), cached until shortly before it expires, and sent as {@code Authorization: Bearer} on every attempt.
 *
 * @param scope the scope asked for, or null for the token endpoint's default
 */
public record OAuth2Client(String tokenUrl, String clientId, String clientSecret, String scope) {

    /** Never the secret: this is what logs and errors show. */
    @Override
    public String toString() {
        return "OAuth2Client[" + clientId + " at " + tokenUrl + "]";
    }
}
