package io.ideogramcamel.events;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * Callback answers are judged by their status and Retry-After only, so their bodies are never read.
 * HttpClient would otherwise read a body to its end before it lets the connection go (to reuse it),
 * and a receiver that sends its body a byte at a time, each within the read timeout, would hold a
 * dispatch consumer for as long as it likes. Here closing an answer's body drops the connection
 * instead: the attempt ends as soon as the status is known.
 */
public class UnreadResponseBodies implements HttpClientConfigurer {

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.addResponseInterceptorLast(UnreadResponseBodies::dropBody);
    }

    static void dropBody(HttpResponse response, EntityDetails details, HttpContext context) {
        if (response instanceof ClassicHttpResponse classic && classic.getEntity() != null) {
            classic.setEntity(new Unread(classic.getEntity()));
        }
    }

    /* A body whose stream, when closed, refuses to be read to its end: HttpClient then discards the connection. */
    private static final class Unread extends HttpEntityWrapper {

        Unread(HttpEntity entity) {
            super(entity);
        }

        @Override
        public InputStream getContent() throws IOException {
            return new FilterInputStream(super.getContent()) {
                @Override
                public void close() throws IOException {
                    throw new IOException("callback answer body not read: connection dropped");
                }
            };
        }

        @Override
        public void close() throws IOException {
            // nothing to drain: the connection is discarded, not kept for reuse
        }
    }
}
