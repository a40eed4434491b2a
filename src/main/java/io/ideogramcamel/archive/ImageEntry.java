package io.ideogramcamel.archive;

/**
 * One entry of a delivery's {@code data[]}, as the manifest needs it.
 *
 * @param index position in data[], the image's number in its object key
 * @param url   the signed result link; null or empty for an unsafe image
 * @param safe  Ideogram's is_image_safe (unsafe images are never fetched)
 */
public record ImageEntry(int index, String url, boolean safe, Long seed, String prompt, String resolution) {
}
