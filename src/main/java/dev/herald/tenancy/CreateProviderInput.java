package dev.herald.tenancy;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

@Input("CreateProviderInput")
public class CreateProviderInput {

    @NonNull
    public String name;

    @NonNull
    @Description("OsmoX channel type: 1 SMTP, 2 Mailgun, ...")
    public Integer channelType;
}
