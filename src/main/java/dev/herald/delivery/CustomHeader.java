package dev.herald.delivery;

/** A request header a webhook's owner asked for on every attempt (checked by the webhook's header rules). */
public record CustomHeader(String name, String value) {
}
