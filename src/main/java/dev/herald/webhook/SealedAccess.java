package dev.herald.webhook;

import io.vertx.mutiny.sqlclient.Row;

/**
 * A webhook's receiver access as stored, each part sealed ({@link StoredAccess}) or null: its own proxy, its TLS
 * client certificate, its OAuth2 client.
 */
public record SealedAccess(String proxy, String clientCertificate, String oauth2) {

    public static final SealedAccess NONE = new SealedAccess(null, null, null);

    /** The three columns ({@code proxy}, {@code client_certificate}, {@code oauth2}) of a row that has them. */
    public static SealedAccess of(Row row) {
        return new SealedAccess(row.getString("proxy"), row.getString("client_certificate"), row.getString("oauth2"));
    }

    public boolean none() {
        return proxy == null && clientCertificate == null && oauth2 == null;
    }
}
