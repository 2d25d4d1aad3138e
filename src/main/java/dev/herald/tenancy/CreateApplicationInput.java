package dev.herald.tenancy;

import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

@Input("CreateApplicationInput")
public class CreateApplicationInput {

    @NonNull
    public String name;
}
