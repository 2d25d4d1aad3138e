package dev.herald.api;

import jakarta.json.Json;
import jakarta.json.JsonValue;

import io.smallrye.graphql.api.ErrorExtensionProvider;

/**
 * Replaces SmallRye's generic {@code DataFetchingException} classification with Herald's own. SmallRye loads this
 * provider once per JVM; tests restart Herald in the same JVM with a new class loader, whose ApiException is another
 * class, so the exception is recognised by its class's name, not by {@code instanceof}.
 */
public class ClassificationExtension implements ErrorExtensionProvider {

    @Override
    public String getKey() {
        return "classification";
    }

    @Override
    public JsonValue mapValueFrom(Throwable exception) {
        if (exception instanceof ApiException api) {
            return Json.createValue(api.classification());
        }
        for (Class<?> type = exception.getClass(); type != null; type = type.getSuperclass()) {
            if (type.getName().equals(ApiException.class.getName())) {
                try {
                    return Json.createValue((String) type.getMethod("classification").invoke(exception));
                } catch (ReflectiveOperationException | ClassCastException unexpected) {
                    return null;
                }
            }
        }
        return null;
    }
}
