package io.ideogramcamel.campaign;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.Sha256;
import io.ideogramcamel.api.ApiRejectedException;
import io.ideogramcamel.submit.GenerateRequestValidator;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Reads a POST /campaigns body and expands it into one generate request per product x format, each
 * checked by the same {@link GenerateRequestValidator} as POST /generations (a format's fields are a
 * request's fields, the prompt comes from prompt_template), before anything is stored. A 400 names
 * where the fault is ({@code formats[1].resolution}, {@code products[0]}, {@code prompt_template}).
 * Sets {@link GenerationExchange#CAMPAIGN_PLAN}.
 */
public class CampaignRequestReader implements Processor {

    /** The metadata keys every request gets; the caller's own metadata may not use them. */
    static final Set<String> RESERVED_METADATA = Set.of("campaign", "campaign_id", "product", "format");

    private static final Set<String> FIELDS = Set.of("name", "products", "formats", "prompt_template", "metadata",
            "callback_url");
    /* What a format may not carry: the prompt is the template's, the attachments the campaign's. */
    private static final Set<String> NOT_IN_FORMAT = Set.of("text_prompt", "json_prompt", "metadata", "callback_url");
    private static final int MAX_NAME_CHARS = 200;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_FORMAT_NAME_CHARS = 64;
    /* Control characters (NUL, TAB, CR...): none belongs in a name, product or format. */
    private static final Pattern CONTROL = Pattern.compile("\\p{Cc}");
    /* Sorts object keys when writing a Map: the fingerprint's canonical form. */
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    private GenerateRequestValidator validator = new GenerateRequestValidator();
    private int maxRequests = 100;
    private String defaultPromptTemplate = "{product}, professional {format} design, high quality";
    private AspectRatios aspectRatios = AspectRatios.parse("");

    /** The checks of one generate request, shared with POST /generations. */
    public void setValidator(GenerateRequestValidator validator) {
        this.validator = validator;
    }

    /** products x formats above this is refused (400 too_many_requests). */
    public void setMaxRequests(int maxRequests) {
        if (maxRequests < 1) {
            throw new IllegalArgumentException("maxRequests must be at least 1");
        }
        this.maxRequests = maxRequests;
    }

    /** The prompt when the body has no prompt_template. */
    public void setDefaultPromptTemplate(String defaultPromptTemplate) {
        if (defaultPromptTemplate == null || defaultPromptTemplate.isBlank()) {
            throw new IllegalArgumentException("the default prompt template must not be blank");
        }
        this.defaultPromptTemplate = defaultPromptTemplate;
    }

    /** The resolution of each aspect_ratio a format may name ("16:9=1280x720,..."). */
    public void setAspectRatioResolutions(String setting) {
        this.aspectRatios = AspectRatios.parse(setting);
    }

    @Override
    public void process(Exchange exchange) {
        GenerateRequestValidator.checkIdempotencyKey(exchange);
        ObjectNode root = GenerateRequestValidator.parseObject(exchange.getMessage().getBody(byte[].class));
        exchange.setProperty(GenerationExchange.CAMPAIGN_PLAN, plan(root));
    }

    CampaignPlan plan(ObjectNode root) {
        refuseUnknownFields(root);
        String name = text(root.get("name"), "name", MAX_NAME_CHARS);
        JsonNode productItems = nonEmptyArray(root.get("products"), "products");
        JsonNode formats = nonEmptyArray(root.get("formats"), "formats");
        // before any item is read: a body of a million products is refused for its size alone
        if ((long) productItems.size() * formats.size() > maxRequests) {
            throw new ApiRejectedException(400, "too_many_requests", "products");
        }
        List<String> products = texts(productItems, "products", MAX_NAME_CHARS);
        Map<String, String> own = ownMetadata(root.get("metadata"));
        String prompt = promptTemplate(root.get("prompt_template"), own);
        List<String> formatNames = formatNames(formats);
        // chosen now, as it is in every request's metadata; a repeated key answers with the first one's
        String campaignId = newCampaignId();
        List<CampaignPlan.Planned> planned = new ArrayList<>();
        for (String product : products) {
            for (int i = 0; i < formats.size(); i++) {
                GenerateRequestValidator.Checked checked = checkRequest(i, (ObjectNode) formats.get(i), prompt, name,
                        campaignId, product, formatNames.get(i), own, root.get("callback_url"));
                planned.add(new CampaignPlan.Planned(product, formatNames.get(i), checked));
            }
        }
        String metadata = own.isEmpty() ? null : root.get("metadata").toString();
        // every request was checked with the same callback_url: the first one's is the campaign's
        String callbackUrl = planned.get(0).checked().callbackUrl();
        return new CampaignPlan(campaignId, name, metadata, callbackUrl, fingerprint(name, own, callbackUrl, planned),
                planned);
    }

    /*
     * The validated, expanded campaign in one canonical form, object keys sorted at every depth: the
     * same campaign sent with its keys in another order is the same campaign. The new campaign id
     * (in every request's metadata) is left out, so a repeat matches the first.
     */
    private static String fingerprint(String name, Map<String, String> own, String callbackUrl,
            List<CampaignPlan.Planned> planned) {
        List<Map<String, Object>> requests = new ArrayList<>();
        for (CampaignPlan.Planned p : planned) {
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("product", p.product());
            request.put("format", p.format());
            request.put("request", tree(p.checked().request()));
            request.put("images", p.checked().imageCount());
            requests.add(request);
        }
        Map<String, Object> campaign = new LinkedHashMap<>();
        campaign.put("name", name);
        campaign.put("metadata", own);
        campaign.put("callback_url", callbackUrl);
        campaign.put("requests", requests);
        try {
            return Sha256.hex(CANONICAL.writeValueAsString(campaign));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("maps of strings and numbers are always JSON", e);
        }
    }

    private static Object tree(String compactJson) {
        try {
            return CANONICAL.readValue(compactJson, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a checked request is JSON", e);
        }
    }

    private static JsonNode nonEmptyArray(JsonNode array, String field) {
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw new ApiRejectedException(400, array == null ? "missing_field" : "invalid_field", field);
        }
        return array;
    }

    private static void refuseUnknownFields(ObjectNode root) {
        Iterator<String> names = root.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                // the caller's own text: echoed only when it is a plausible field name
                throw new ApiRejectedException(400, "unknown_field", name.matches("[a-z][a-z0-9_]{0,63}") ? name : null);
            }
        }
    }

    private String promptTemplate(JsonNode template, Map<String, String> own) {
        if (template != null && !(template.isTextual() && !template.asText().isBlank())) {
            throw new ApiRejectedException(400, "invalid_field", "prompt_template");
        }
        String prompt = template == null ? defaultPromptTemplate : template.asText();
        Set<String> known = new HashSet<>(own.keySet());
        known.addAll(RESERVED_METADATA);
        if (!PromptTemplate.knowsAll(prompt, known)) {
            throw new ApiRejectedException(400, "unknown_placeholder", "prompt_template");
        }
        return prompt;
    }

    private GenerateRequestValidator.Checked checkRequest(int index, ObjectNode format, String template, String name,
            String campaignId, String product, String formatName, Map<String, String> own, JsonNode callbackUrl) {
        String where = "formats[" + index + "]";
        ObjectNode request = format.deepCopy();
        request.remove("name");
        resolveAspectRatio(request, where);
        for (String field : NOT_IN_FORMAT) {
            if (request.has(field)) {
                throw new ApiRejectedException(400, "unknown_field", where + "." + field);
            }
        }
        Map<String, String> values = new LinkedHashMap<>(own);
        values.put("campaign", name);
        values.put("product", product);
        values.put("format", formatName);
        request.put("text_prompt", PromptTemplate.render(template, values));
        ObjectNode metadata = request.putObject("metadata");
        metadata.put("campaign", name);
        metadata.put("campaign_id", campaignId);
        metadata.put("product", product);
        metadata.put("format", formatName);
        own.forEach(metadata::put);
        if (callbackUrl != null) {
            request.set("callback_url", callbackUrl);
        }
        return validator.check(request, field -> switch (field) {
            case "text_prompt" -> "prompt_template";
            case "metadata", "callback_url" -> field;
            default -> where + "." + field;
        });
    }

    /* aspect_ratio is not an Ideogram field: it becomes the resolution the setting names for it. */
    private void resolveAspectRatio(ObjectNode request, String where) {
        JsonNode ratio = request.remove("aspect_ratio");
        if (ratio == null) {
            return;
        }
        if (request.has("resolution") || !ratio.isTextual()) {
            throw new ApiRejectedException(400, "invalid_field", where + ".aspect_ratio");
        }
        String resolution = aspectRatios.resolutionOf(ratio.asText())
                .orElseThrow(() -> new ApiRejectedException(400, "unknown_aspect_ratio", where + ".aspect_ratio"));
        request.put("resolution", resolution);
    }

    private static Map<String, String> ownMetadata(JsonNode metadata) {
        Map<String, String> own = new LinkedHashMap<>();
        if (metadata == null || metadata.isNull()) {
            return own;
        }
        if (!metadata.isObject()) {
            throw new ApiRejectedException(400, "invalid_field", "metadata");
        }
        Iterator<Map.Entry<String, JsonNode>> fields = metadata.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (RESERVED_METADATA.contains(field.getKey())) {
                throw new ApiRejectedException(400, "reserved_metadata_key", "metadata");
            }
            if (!field.getValue().isTextual()) {
                throw new ApiRejectedException(400, "invalid_field", "metadata");
            }
            own.put(field.getKey(), field.getValue().asText());
        }
        return own;
    }

    private static List<String> formatNames(JsonNode formats) {
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < formats.size(); i++) {
            JsonNode format = formats.get(i);
            if (!format.isObject()) {
                throw new ApiRejectedException(400, "invalid_field", "formats[" + i + "]");
            }
            String formatName = text(format.get("name"), "formats[" + i + "].name", MAX_FORMAT_NAME_CHARS);
            if (!seen.add(formatName)) {
                throw new ApiRejectedException(400, "duplicate_format", "formats[" + i + "].name");
            }
            names.add(formatName);
        }
        return names;
    }

    private static List<String> texts(JsonNode array, String field, int maxChars) {
        List<String> values = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            String value = text(array.get(i), field + "[" + i + "]", maxChars);
            if (!seen.add(value)) {
                throw new ApiRejectedException(400, "duplicate_product", field + "[" + i + "]");
            }
            values.add(value);
        }
        return values;
    }

    /* Stored in plain columns and written into CSV cells: PostgreSQL refuses a NUL (it would be a 503). */
    private static String text(JsonNode value, String field, int maxChars) {
        if (value == null || value.isNull()) {
            throw new ApiRejectedException(400, "missing_field", field);
        }
        if (!value.isTextual() || value.asText().isBlank() || value.asText().length() > maxChars
                || CONTROL.matcher(value.asText()).find()) {
            throw new ApiRejectedException(400, "invalid_field", field);
        }
        return value.asText();
    }

    /* 16 random bytes, like a queued id: one caller cannot read another's campaign by counting. */
    private static String newCampaignId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return "c" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
