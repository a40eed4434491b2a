package io.ideogramcamel.webhook;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.ideogramcamel.GenerationExchange;
import org.apache.camel.Exchange;

/**
 * The accounts whose deliveries we take. A valid signature proves who sent a delivery (Ideogram,
 * fal), not that it is about our account's generation: any customer of theirs can point a webhook
 * at our public URL. With a list set, a verified delivery whose signed user id is not on it is
 * someone else's; the route answers it 200 ignored. An empty list takes every account.
 */
public class AllowedUserIds {

    private volatile Set<String> allowed = Set.of();

    /** Comma-separated user ids, blanks around them ignored; empty: any account. */
    public void setAllowedUserIds(String list) {
        this.allowed = list == null ? Set.of()
                : Stream.of(list.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                        .collect(Collectors.toUnmodifiableSet());
    }

    /** Whether the list is empty or holds the signed user id the verifier set. */
    public boolean isAllowed(Exchange exchange) {
        Set<String> ids = allowed;
        if (ids.isEmpty()) {
            return true;
        }
        String user = exchange.getProperty(GenerationExchange.SIGNED_USER_ID, String.class);
        return user != null && ids.contains(user);
    }
}
