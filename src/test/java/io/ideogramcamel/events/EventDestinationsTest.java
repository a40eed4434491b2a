package io.ideogramcamel.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ideogramcamel.events.EventDestinations.Destination;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the settings' lists become destinations, and the names a delivery row keeps. */
class EventDestinationsTest {

    @Test
    void commasInsideOneUriStayAndASchemeAfterACommaStartsTheNext() {
        assertThat(EventDestinations.split("kafka:events?brokers=h1:9092,h2:9092, log:events,"
                + "sql:INSERT INTO e (id, body) VALUES (:#id, :#body),\n file:data/events"))
                .containsExactly("kafka:events?brokers=h1:9092,h2:9092", "log:events",
                        "sql:INSERT INTO e (id, body) VALUES (:#id, :#body)", "file:data/events");
    }

    @Test
    void namesKeepNoSecretAndStayPutWhenAPasswordCamelMasksIsRotated() {
        String before = EventDestinations.endpointName("amqp:queue:events?password=old-secret&username=u");
        String after = EventDestinations.endpointName("amqp:queue:events?password=new-secret&username=u");
        assertThat(before).startsWith("amqp:queue:events#").doesNotContain("secret").isEqualTo(after);
        assertThat(EventDestinations.endpointName("log:events")).isEqualTo("log:events");
        // other options are part of what the destination is
        assertThat(EventDestinations.endpointName("kafka:t?brokers=a:9092"))
                .isNotEqualTo(EventDestinations.endpointName("kafka:t?brokers=b:9092"));

        String slack = EventDestinations.webhookName("https://hooks.slack.com/services/T0/B0/XyzSecret?x=1");
        assertThat(slack).startsWith("https://hooks.slack.com#").doesNotContain("XyzSecret", "services", "x=1");
        assertThat(EventDestinations.webhookName("http://127.0.0.1:9000/a"))
                .startsWith("http://127.0.0.1:9000#")
                .isNotEqualTo(EventDestinations.webhookName("http://127.0.0.1:9000/b"));
    }

    @Test
    void everyDestinationIsKeptInTheOrderConfiguredAndFoundByItsName() {
        EventDestinations destinations = new EventDestinations();
        destinations.setDestinations("log:b, log:a");
        destinations.setWebhookUrls("https://x.example/hook?token=t1,https://x.example/hook?token=t2");

        List<Destination> global = destinations.global();
        assertThat(global).extracting(Destination::name).hasSize(4).startsWith("log:b", "log:a");
        assertThat(global.get(2).target()).isEqualTo("https://x.example/hook?token=t1");
        assertThat(destinations.find(global.get(3).name())).map(Destination::target)
                .contains("https://x.example/hook?token=t2");
        assertThat(destinations.find("log:c")).isEmpty();
    }

    @Test
    void theSameDestinationTwiceIsRefusedNamingNoSecret() {
        EventDestinations destinations = new EventDestinations();
        assertThatThrownBy(() -> destinations.setWebhookUrls("https://x.example/h?t=s3cret,https://x.example/h?t=s3cret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("twice").hasMessageNotContaining("s3cret");
    }
}
