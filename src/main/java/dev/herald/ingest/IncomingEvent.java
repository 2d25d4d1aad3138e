package dev.herald.ingest;

/**
 * One notification object as the producer sent it.
 *
 * @param field the name errors about it use: {@code providerId} for a single object, {@code [2].providerId}
 *              for the third of an array
 * @param json  its exact text, delivered byte for byte
 */
record IncomingEvent(String field, int providerId, String json) {

    /** How errors about the whole event name it: {@code event} for a single object, {@code [2]} in an array. */
    String position() {
        String path = field.substring(0, field.length() - "providerId".length());
        return path.isEmpty() ? "event" : path.substring(0, path.length() - 1);
    }
}
