package io.ideogramcamel.archive;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One web-ready size of every stored image, as configured: {@code variants.<name>.width|height|format|quality}.
 * The image is resized to cover width x height and centre-cropped to exactly that.
 *
 * @param name    the name in variants.names, also the last part of the object key
 * @param width   pixels
 * @param height  pixels
 * @param format  {@code webp}, {@code png} or {@code jpeg}
 * @param quality 0..100, for the lossy formats (webp, jpeg); png ignores it
 */
public record VariantSpec(String name, int width, int height, String format, int quality) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    /** Larger would be a poster, not a web variant, and would bound the memory of one encode badly. */
    public static final int MAX_SIDE = 8192;

    public VariantSpec {
        requireName(name);
        if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
            throw new IllegalArgumentException("variants." + name + ".width/height must be 1 to " + MAX_SIDE);
        }
        format = format == null ? "" : format.trim().toLowerCase(Locale.ROOT);
        if (format.equals("jpg")) {
            format = "jpeg";
        }
        if (!format.equals("webp") && !format.equals("png") && !format.equals("jpeg")) {
            throw new IllegalArgumentException("variants." + name + ".format must be webp, png or jpeg");
        }
        if (quality < 0 || quality > 100) {
            throw new IllegalArgumentException("variants." + name + ".quality must be 0 to 100");
        }
    }

    /** A name is a key part and an object key part: lower-case letters, digits, _ and -. */
    static void requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("variant name must be 1 to 64 of a-z 0-9 _ - (got '" + name + "')");
        }
    }

    public String extension() {
        return format.equals("jpeg") ? "jpg" : format;
    }

    public String contentType() {
        return "image/" + format;
    }

    /** Whether a variant recorded with these values was made to this spec (else it is due again). */
    public boolean sameAs(int recordedWidth, int recordedHeight, String recordedFormat, int recordedQuality) {
        return width == recordedWidth && height == recordedHeight && format.equals(recordedFormat)
                && (format.equals("png") || quality == recordedQuality);
    }
}
