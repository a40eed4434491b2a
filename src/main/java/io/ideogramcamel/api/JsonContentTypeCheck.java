package io.ideogramcamel.api;

import java.util.Locale;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * POST /generations takes JSON only: {@code application/json}, optionally with
 * {@code charset=utf-8} (JSON is UTF-8 by definition, RFC 8259). Anything else, a missing type
 * included, is refused with 415 before the body is parsed, stored or sent: a form post from a
 * browser page (which needs no CORS preflight) can then never start a billed generation.
 */
public class JsonContentTypeCheck implements Processor {

    private static final Pattern JSON = Pattern.compile(
            "application/json\\s*(;\\s*charset\\s*=\\s*(\"utf-8\"|utf-8)\\s*)?");

    @Override
    public void process(Exchange exchange) {
        String type = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        if (!isJson(type)) {
            throw new ApiRejectedException(415, "unsupported_media_type");
        }
    }

    static boolean isJson(String contentType) {
        return contentType != null && contentType.length() <= 100
                && JSON.matcher(contentType.trim().toLowerCase(Locale.ROOT)).matches();
    }
}
