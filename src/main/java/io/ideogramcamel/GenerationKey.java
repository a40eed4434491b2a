package io.ideogramcamel;

import java.util.regex.Pattern;

/**
 * A generation is identified by its provider and that provider's id. The store, the archive and
 * the API use one text key for the pair: Ideogram's id alone (so every generation, object key and
 * URL made before other providers existed stays as it was), {@code provider/id} for any other
 * provider. The key doubles as the storage path under the prefix: {@code {prefix}{provider}/{id}/}.
 */
public final class GenerationKey {

    public static final String IDEOGRAM = "ideogram";

    /** Longest provider id: the key (provider, '/', id) stays within the store's 256 characters. */
    public static final int MAX_ID_LENGTH = 200;

    private static final Pattern PROVIDER = Pattern.compile("[a-z][a-z0-9]{0,31}");

    private GenerationKey() {
    }

    /**
     * The key of a provider's generation.
     *
     * @throws IllegalArgumentException when the provider name or the id has another shape
     */
    public static String of(String provider, String id) {
        if (provider == null || !PROVIDER.matcher(provider).matches()) {
            throw new IllegalArgumentException("provider must be 1 to 32 lower-case letters or digits");
        }
        if (!isValidId(id)) {
            throw new IllegalArgumentException("a provider's id must be 1 to " + MAX_ID_LENGTH
                    + " letters, digits, '-', '_' or '.', not starting with '.'");
        }
        return IDEOGRAM.equals(provider) ? id : provider + "/" + id;
    }

    /**
     * Whether a provider's id can be part of a key and an object path: letters, digits, '-', '_'
     * and '.', not starting with '.' (so never "." or ".."), at most {@value #MAX_ID_LENGTH}.
     * UUIDs, Replicate's and fal's ids and Ideogram's URL-safe base64 all pass.
     */
    public static boolean isValidId(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH || id.charAt(0) == '.') {
            return false;
        }
        // '=' only as URL-safe base64 padding at the end (Ideogram's ids may carry up to two)
        int end = id.length();
        while (end > 1 && id.length() - end < 2 && id.charAt(end - 1) == '=') {
            end--;
        }
        for (int i = 0; i < end; i++) {
            char c = id.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    /** Whether this is a provider name a key can carry. */
    public static boolean isValidProvider(String provider) {
        return provider != null && PROVIDER.matcher(provider).matches();
    }

    /** The provider of a key: the part before '/', or Ideogram for a plain id. */
    public static String providerOf(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? IDEOGRAM : key.substring(0, slash);
    }

    /** The provider's own id in a key. */
    public static String idOf(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? key : key.substring(slash + 1);
    }
}
