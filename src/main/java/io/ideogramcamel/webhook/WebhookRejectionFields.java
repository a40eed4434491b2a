package io.ideogramcamel.webhook;

import io.ideogramcamel.GenerationExchange;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.util.ObjectHelper;

/**
 * First step of the refusal handler (error-handling.camel.yaml): puts the caught rejection's status
 * and reason in exchange properties, read there as plain property lookups. {@code ${exception.status}}
 * costs a reflective bean call on a copy of the exchange each time it is read, four such reads per
 * refusal, and under a flood of forged signatures every one of them is paid once per delivery.
 */
public class WebhookRejectionFields implements Processor {

    @Override
    public void process(Exchange exchange) {
        WebhookRejectedException rejected = ObjectHelper.getException(WebhookRejectedException.class,
                exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
        if (rejected == null) {
            // only this handler's exception type reaches here; never guess a status for anything else
            throw new IllegalStateException("no WebhookRejectedException caught");
        }
        exchange.setProperty(GenerationExchange.REJECTION_STATUS, rejected.getStatus());
        exchange.setProperty(GenerationExchange.REJECTION_REASON, rejected.getReason());
    }
}
