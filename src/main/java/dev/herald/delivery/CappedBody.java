package dev.herald.delivery;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;

/** Reads at most a given number of bytes of an answer's body, for the answers of receivers and token endpoints. */
final class CappedBody {

    private CappedBody() {
    }

    /**
     * The body, or its first {@code max} bytes: once they are read the request is reset, so that a huge answer never
     * holds its request (or the memory) any longer.
     */
    static Future<Buffer> read(HttpClientResponse response, int max) {
        Promise<Buffer> body = Promise.promise();
        Buffer read = Buffer.buffer();
        response.handler(chunk -> {
            int room = max - read.length();
            if (room > 0) {
                read.appendBuffer(chunk, 0, Math.min(room, chunk.length()));
            }
            if (read.length() >= max && body.tryComplete(read)) {
                response.request().reset(); // enough
            }
        });
        response.exceptionHandler(body::tryFail);
        response.endHandler(done -> body.tryComplete(read));
        return body.future();
    }
}
