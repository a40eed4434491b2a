package io.ideogramcamel;

import java.util.Locale;

/**
 * Which generation of Ideogram's API the bundle talks to ({@code ideogram.api-version}): it decides
 * the default submit and poll paths, and whether a submission without a webhook_url says
 * {@code "async": true}. An explicit {@code ideogram.submit.path} or {@code ideogram.poll.path}
 * wins over the version's default.
 */
public enum IdeogramApiVersion {

    /** {@code POST /v1/ideogram-v4/async/generate}, {@code GET /v1/generations/{id}}. */
    V1("/v1/ideogram-v4/async/generate", "/v1/generations/"),
    /**
     * {@code POST /v2/image/generate/ideogram-4} (async, or with {@code webhook_url}),
     * {@code GET /v2/generations/{id}} (adds failure_reason and usage_cost_usd_micros).
     */
    V2("/v2/image/generate/ideogram-4", "/v2/generations/");

    /** The setting that names the version. */
    public static final String SETTING = "ideogram.api-version";

    private final String submitPath;
    private final String pollPath;

    IdeogramApiVersion(String submitPath, String pollPath) {
        this.submitPath = submitPath;
        this.pollPath = pollPath;
    }

    public String defaultSubmitPath() {
        return submitPath;
    }

    public String defaultPollPath() {
        return pollPath;
    }

    /** The setting's value: {@code v1} or {@code v2}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param value {@code v1} or {@code v2} (case and surrounding blanks ignored); null or blank: v1
     * @throws IllegalStateException naming the setting and the values it takes; the start stops
     */
    public static IdeogramApiVersion parse(String value) {
        if (value == null || value.isBlank()) {
            return V1;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (IdeogramApiVersion version : values()) {
            if (version.value().equals(v)) {
                return version;
            }
        }
        // the value is the user's own text: shown only while it is short and plain
        String shown = v.length() <= 16 && v.matches("[a-z0-9._-]*") ? v : "(not shown)";
        throw new IllegalStateException(SETTING + " (IDEOGRAM_API_VERSION) is " + shown
                + ": it must be v1 or v2");
    }

    /** The explicit path when one is set, else this version's default. */
    public static String pathOr(String explicit, String versionDefault) {
        return explicit == null || explicit.isBlank() ? versionDefault : explicit.trim();
    }
}
