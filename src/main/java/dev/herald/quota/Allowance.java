package dev.herald.quota;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.herald.api.PayloadTooLarge;
import dev.herald.api.TooManyRequests;

/**
 * An application's ingest allowance after one request took from it (or was refused): what the {@code RateLimit-*}
 * headers of the answer say, and whether the request may go on.
 *
 * @param granted     the request's events were taken from the bucket
 * @param perSecond   the application's rate, events a second (the bucket's size)
 * @param perRequest  the most events one request may carry
 * @param remaining   events the bucket holds now
 * @param fullInMs    until the bucket is full again
 * @param retryInMs   until this request would fit (0 when granted)
 * @param events      the events the request carried
 */
public record Allowance(boolean granted, int perSecond, int perRequest, int remaining, long fullInMs, long retryInMs,
        int events) {

    /** The IETF RateLimit headers: the limit per second, what remains, seconds until it is whole again. */
    public Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("RateLimit-Limit", Integer.toString(perSecond));
        headers.put("RateLimit-Remaining", Integer.toString(Math.max(0, remaining)));
        headers.put("RateLimit-Reset", Long.toString((fullInMs + 999) / 1000));
        headers.put("RateLimit-Policy", perSecond + ";w=1");
        return headers;
    }

    /** Throws when the request may not go on, naming the quota it broke. */
    public void require() {
        if (events > perRequest) {
            throw new PayloadTooLarge("body: " + events + " events; at most " + perRequest
                    + " in one request (herald.ingest.max-events-per-request)");
        }
        if (events > perSecond) {
            throw new PayloadTooLarge("body: " + events + " events; at most " + perSecond
                    + " in one request while the application may send " + perSecond
                    + " a second (herald.ingest.max-events-per-second-per-application)");
        }
        if (!granted) {
            throw new TooManyRequests("too many events: this application may send " + perSecond
                    + " a second (herald.ingest.max-events-per-second-per-application); " + remaining
                    + " may be sent now", Duration.ofMillis(retryInMs));
        }
    }
}
