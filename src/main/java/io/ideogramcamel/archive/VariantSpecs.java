package io.ideogramcamel.archive;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;

/**
 * The configured variants (variants.names, then variants.<name>.* for each), read once at start.
 * The per-name keys are read from Camel's properties here rather than as YAML placeholders because
 * a user may add names of their own (variants.names=og,banner and variants.banner.*).
 *
 * <p>A webp variant needs the native encoder; if it cannot load on this machine the start fails
 * ({@link #init}) with a message saying so and naming the png/jpeg fallback setting. Failing the
 * start rather than recording every variant FAILED: the operator chose webp, and a setting that
 * silently cannot work would only show up as FAILED rows nobody reads.
 */
public class VariantSpecs implements CamelContextAware {

    private CamelContext camelContext;
    private boolean enabled = true;
    private String names = "og,thumb,social";
    private long maxSourcePixels = 16_777_216L;
    private long maxDecodeBytes = 67_108_864L;
    private List<VariantSpec> specs;

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public void setNames(String names) {
        this.names = names == null ? "" : names;
    }

    /** Sources with more pixels than this are not decoded: their variants are FAILED too_large. */
    public void setMaxSourcePixels(long maxSourcePixels) {
        if (maxSourcePixels < 1) {
            throw new IllegalArgumentException("variants.max-source-pixels must be at least 1");
        }
        this.maxSourcePixels = maxSourcePixels;
    }

    public long getMaxSourcePixels() {
        return maxSourcePixels;
    }

    /**
     * Sources whose decoded raster would take more heap than this are not decoded either (too_large):
     * the pixel limit alone lets a 16-bit source take twice the heap of an 8-bit one.
     */
    public void setMaxDecodeBytes(long maxDecodeBytes) {
        if (maxDecodeBytes < 1) {
            throw new IllegalArgumentException("variants.max-decode-bytes must be at least 1");
        }
        this.maxDecodeBytes = maxDecodeBytes;
    }

    public long getMaxDecodeBytes() {
        return maxDecodeBytes;
    }

    public boolean isEnabled() {
        return enabled && !specs().isEmpty();
    }

    /** Reads the specs and proves the encoders work; the bean's init method. */
    public void init() {
        specs = parse();
        ImagePlugins.registerFromBundle();
        if (enabled) {
            for (VariantSpec spec : specs) {
                requireEncoder(spec);
            }
        }
    }

    public List<VariantSpec> specs() {
        if (specs == null) {
            specs = parse();
        }
        return specs;
    }

    private List<VariantSpec> parse() {
        Set<String> listed = new LinkedHashSet<>();
        for (String name : names.split(",")) {
            if (!name.isBlank()) {
                listed.add(name.trim());
            }
        }
        List<VariantSpec> parsed = new ArrayList<>();
        for (String name : listed) {
            VariantSpec.requireName(name);
            parsed.add(new VariantSpec(name, intSetting(name, "width", null), intSetting(name, "height", null),
                    setting(name, "format").orElse("webp"), intSetting(name, "quality", 85)));
        }
        return List.copyOf(parsed);
    }

    private int intSetting(String name, String field, Integer fallback) {
        Optional<String> value = setting(name, field);
        if (value.isEmpty()) {
            if (fallback == null) {
                throw new IllegalArgumentException("variants." + name + "." + field + " is not set, and variants.names lists "
                        + name);
            }
            return fallback;
        }
        try {
            return Integer.parseInt(value.get().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("variants." + name + "." + field + " must be a whole number");
        }
    }

    private Optional<String> setting(String name, String field) {
        if (camelContext == null) {
            return Optional.empty();
        }
        return camelContext.getPropertiesComponent().resolveProperty("variants." + name + "." + field)
                .filter(value -> !value.isBlank());
    }

    private static void requireEncoder(VariantSpec spec) {
        try {
            byte[] encoded = VariantRenderer.encode(new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB), spec);
            if (encoded.length == 0) {
                throw new IOException("empty output");
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            throw new IllegalStateException("variants." + spec.name() + ".format=" + spec.format() + " cannot be encoded "
                    + "on this machine (" + e.getClass().getSimpleName() + "): the " + spec.format() + " encoder did not "
                    + "load. Set variants." + spec.name() + ".format=png or jpeg (plain Java), or variants.enabled=false",
                    e);
        }
    }
}
