package dev.herald.api;

import jakarta.json.Json;
import jakarta.json.JsonValue;

import io.smallrye.graphql.api.ErrorExtensionProvider;

/** Replaces SmallRye's generic {@code DataFetchingException} classification with Herald's own. */
public class ClassificationExtension implements ErrorExtensionProvider {

    @Override
    public String getKey() {
        return "classification";
    }

    @Override
    public JsonValue mapValueFrom(Throwable exception) {
        return exception instanceof ApiException api ? Json.createValue(api.classification()) : null;
    }
}
