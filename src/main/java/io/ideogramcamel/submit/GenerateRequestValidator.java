package io.ideogramcamel.submit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.api.ApiRejectedException;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Checks a POST /generations body against Ideogram 4.0's generate request before anything is stored
 * or sent, so a mistake costs the caller a 400 naming the field, not a billed generation or a
 * queued request that fails minutes later. Sets {@link GenerationExchange#GENERATE_REQUEST} (the
 * request as compact JSON, sent to Ideogram as it is) and {@link GenerationExchange#IMAGE_COUNT}.
 *
 * <p>Unknown fields are refused rather than passed on: a typo ({@code num_image}) would otherwise be
 * ignored by Ideogram and bill a generation the caller did not mean. Fields Ideogram adds later can
 * be let through with {@code ideogram.submit.extra-fields}, without a rebuild.
 *
 * <p>{@code callback_url} and {@code metadata} are the bundle's own fields, not Ideogram's: checked
 * here ({@link CallbackUrlRule}, {@link MetadataRule}), taken out of the request and set as
 * {@link GenerationExchange#CALLBACK_URL} and {@link GenerationExchange#METADATA}.
 */
public class GenerateRequestValidator implements Processor {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private static final Set<String> FIELDS = Set.of("text_prompt", "json_prompt", "resolution", "rendering_speed",
            "seed", "num_images", "custom_model_uri", "enable_copyright_detection");
    private static final Set<String> SPEEDS = Set.of("TURBO", "BALANCED", "DEFAULT", "QUALITY");
    /* Ideogram lists 36 sizes; the form is checked here and Ideogram's own 400 names a size it lacks. */
    private static final Pattern RESOLUTION = Pattern.compile("[1-9][0-9]{2,3}x[1-9][0-9]{2,3}");
    private static final Pattern EXTRA_FIELD = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,256}");
    /** Ideogram's own limit per request. */
    static final int MAX_IMAGES_PER_REQUEST = 8;

    private int maxPromptChars = 10_000;
    private int maxRequestBytes = 65_536;
    private int maxInflightImages = 10;
    private Set<String> extraFields = Set.of();
    private CallbackUrlRule callbackUrlRule = new CallbackUrlRule();

    /** A longer text_prompt is refused (Ideogram's own limit is not documented). */
    public void setMaxPromptChars(int maxPromptChars) {
        this.maxPromptChars = maxPromptChars;
    }

    /**
     * The largest request kept: it is stored with the submission until it is sent (a json_prompt or
     * an extra field could otherwise fill the store and every read of the row).
     */
    public void setMaxRequestBytes(int maxRequestBytes) {
        this.maxRequestBytes = maxRequestBytes;
    }

    /** num_images above the in-flight budget could never be sent, so it is refused up front. */
    public void setMaxInflightImages(int maxInflightImages) {
        this.maxInflightImages = maxInflightImages;
    }

    /** What a callback_url must be (and whether one is taken at all). */
    public void setCallbackUrlRule(CallbackUrlRule callbackUrlRule) {
        this.callbackUrlRule = callbackUrlRule;
    }

    /** Comma-separated top-level fields passed to Ideogram unchecked (lower-case names). */
    public void setExtraFields(String extraFields) {
        Set<String> names = new LinkedHashSet<>();
        for (String name : extraFields == null ? new String[0] : extraFields.split(",")) {
            String n = name.trim();
            if (n.isEmpty()) {
                continue;
            }
            if (!EXTRA_FIELD.matcher(n).matches()) {
                throw new IllegalArgumentException("extra field names are lower-case letters, digits and '_'");
            }
            names.add(n);
        }
        this.extraFields = Set.copyOf(names);
    }

    /** One request's fields after its checks: what is stored with its submission. */
    public record Checked(String request, int imageCount, String callbackUrl, String metadata) {
    }

    @Override
    public void process(Exchange exchange) {
        checkIdempotencyKey(exchange);
        Checked checked = check(parseObject(exchange.getMessage().getBody(byte[].class)), UnaryOperator.identity());
        exchange.setProperty(GenerationExchange.GENERATE_REQUEST, checked.request());
        exchange.setProperty(GenerationExchange.IMAGE_COUNT, checked.imageCount());
        exchange.setProperty(GenerationExchange.CALLBACK_URL, checked.callbackUrl());
        exchange.setProperty(GenerationExchange.METADATA, checked.metadata());
    }

    /** 400 invalid_idempotency_key for a header that is not 1 to 256 visible ASCII characters. */
    public static void checkIdempotencyKey(Exchange exchange) {
        String key = exchange.getMessage().getHeader("Idempotency-Key", String.class);
        if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw new ApiRejectedException(400, "invalid_idempotency_key");
        }
    }

    /**
     * Every check of one generate request, as POST /generations makes them; callback_url and
     * metadata are taken out of {@code root} (it is changed). Used for each request a campaign
     * expands into, so the two endpoints cannot accept different requests.
     *
     * @param fieldName how a field of this request is named in a 400 (a campaign says where it came
     *                  from: {@code formats[1].resolution}); identity for POST /generations
     */
    public Checked check(ObjectNode root, UnaryOperator<String> fieldName) {
        // ours, not Ideogram's: out of the request before its fields are checked and it is kept
        String callbackUrl = callbackUrl(root.remove("callback_url"), fieldName);
        String metadata = metadata(root.remove("metadata"), fieldName);
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            String name = fields.next().getKey();
            if (!FIELDS.contains(name) && !extraFields.contains(name)) {
                // the name is the caller's own text: only echo it when it is a plausible field name
                throw new ApiRejectedException(400, "unknown_field",
                        EXTRA_FIELD.matcher(name).matches() ? fieldName.apply(name) : null);
            }
        }
        checkPrompt(root, fieldName);
        checkString(root, "resolution", v -> RESOLUTION.matcher(v).matches(), fieldName);
        checkString(root, "rendering_speed", SPEEDS::contains, fieldName);
        checkString(root, "custom_model_uri", v -> !v.isBlank() && v.length() <= 2048, fieldName);
        JsonNode seed = root.get("seed");
        if (seed != null && !(seed.canConvertToInt() && seed.isIntegralNumber() && seed.asInt() >= 0)) {
            throw invalid("seed", fieldName);
        }
        JsonNode copyright = root.get("enable_copyright_detection");
        if (copyright != null && !copyright.isBoolean()) {
            throw invalid("enable_copyright_detection", fieldName);
        }
        int images = 1;
        JsonNode count = root.get("num_images");
        if (count != null) {
            if (!count.isIntegralNumber() || !count.canConvertToInt() || count.asInt() < 1
                    || count.asInt() > Math.min(MAX_IMAGES_PER_REQUEST, maxInflightImages)) {
                throw invalid("num_images", fieldName);
            }
            images = count.asInt();
        }
        String compact = root.toString();
        if (compact.getBytes(StandardCharsets.UTF_8).length > maxRequestBytes) {
            throw new ApiRejectedException(400, "request_too_large");
        }
        return new Checked(compact, images, callbackUrl, metadata);
    }

    private String callbackUrl(JsonNode value, UnaryOperator<String> fieldName) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!callbackUrlRule.isEnabled()) {
            // without events.signing-secret the callback would go out unsigned
            throw new ApiRejectedException(400, "callbacks_not_configured", fieldName.apply("callback_url"));
        }
        if (!value.isTextual() || !callbackUrlRule.accepts(value.asText())) {
            throw invalid("callback_url", fieldName);
        }
        return value.asText();
    }

    private static String metadata(JsonNode value, UnaryOperator<String> fieldName) {
        if (value == null || value.isNull()) {
            return null;
        }
        String compact = MetadataRule.compactOrNull(value);
        if (compact == null) {
            throw invalid("metadata", fieldName);
        }
        return compact;
    }

    private void checkPrompt(JsonNode root, UnaryOperator<String> fieldName) {
        JsonNode text = root.get("text_prompt");
        JsonNode structured = root.get("json_prompt");
        boolean hasText = text != null && !text.isNull();
        boolean hasStructured = structured != null && !structured.isNull();
        if (hasText && hasStructured) {
            throw new ApiRejectedException(400, "both_prompts", fieldName.apply("json_prompt"));
        }
        if (!hasText && !hasStructured) {
            throw new ApiRejectedException(400, "missing_prompt", fieldName.apply("text_prompt"));
        }
        if (hasText && (!text.isTextual() || text.asText().isBlank() || text.asText().length() > maxPromptChars)) {
            throw invalid("text_prompt", fieldName);
        }
        if (hasStructured && (!structured.isObject() || structured.isEmpty())) {
            throw invalid("json_prompt", fieldName);
        }
    }

    private static void checkString(JsonNode root, String field, java.util.function.Predicate<String> valid,
            UnaryOperator<String> fieldName) {
        JsonNode value = root.get(field);
        if (value != null && !(value.isTextual() && valid.test(value.asText()))) {
            throw invalid(field, fieldName);
        }
    }

    private static ApiRejectedException invalid(String field, UnaryOperator<String> fieldName) {
        return new ApiRejectedException(400, "invalid_field", fieldName.apply(field.toLowerCase(Locale.ROOT)));
    }

    /** A JSON object body, strictly (no duplicate keys, nothing after it), else 400 invalid_json. */
    public static ObjectNode parseObject(byte[] body) {
        if (body == null || body.length == 0) {
            throw new ApiRejectedException(400, "invalid_json");
        }
        try {
            JsonNode root = JSON.readTree(body);
            if (!(root instanceof ObjectNode object)) {
                throw new ApiRejectedException(400, "invalid_json");
            }
            return object;
        } catch (IOException e) {
            throw new ApiRejectedException(400, "invalid_json");
        }
    }
}
