package dev.herald.webhook;

import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

/** A request header a webhook's owner wants on every attempt. */
@Input("HeaderInput")
public class HeaderInput {

    @NonNull
    public String name;

    @NonNull
    public String value;
}
