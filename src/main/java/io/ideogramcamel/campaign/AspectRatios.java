package io.ideogramcamel.campaign;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A campaign format may name an aspect ratio ("16:9") instead of a resolution: marketing briefs speak
 * in ratios, while Ideogram 4.0 takes only a resolution from its own list. The mapping is a setting
 * (campaigns.aspect-ratio-resolutions), so a ratio never becomes a resolution Ideogram refuses
 * unless someone wrote it down.
 */
public final class AspectRatios {

    private static final Pattern RATIO = Pattern.compile("[1-9][0-9]{0,2}:[1-9][0-9]{0,2}");
    private static final Pattern RESOLUTION = Pattern.compile("[1-9][0-9]{2,3}x[1-9][0-9]{2,3}");

    private final Map<String, String> resolutions;

    private AspectRatios(Map<String, String> resolutions) {
        this.resolutions = Map.copyOf(resolutions);
    }

    /** "1:1=1024x1024,16:9=1280x720"; an empty text maps nothing. */
    public static AspectRatios parse(String setting) {
        Map<String, String> resolutions = new LinkedHashMap<>();
        for (String pair : setting == null ? new String[0] : setting.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            String[] parts = pair.trim().split("=", 2);
            if (parts.length != 2 || !RATIO.matcher(parts[0].trim()).matches()
                    || !RESOLUTION.matcher(parts[1].trim()).matches()) {
                throw new IllegalArgumentException("campaigns.aspect-ratio-resolutions: '" + pair.trim()
                        + "' is not <w>:<h>=<width>x<height>");
            }
            resolutions.put(parts[0].trim(), parts[1].trim());
        }
        return new AspectRatios(resolutions);
    }

    /** The resolution written down for this ratio, if any. */
    public Optional<String> resolutionOf(String ratio) {
        return Optional.ofNullable(resolutions.get(ratio));
    }
}
