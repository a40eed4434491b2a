package io.ideogramcamel.settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Names every setting under the bundle's own prefixes that nothing reads: a key set in a settings
 * file, or an environment variable, that is not a key of the application.properties shipped in
 * the jar. Such a key is a typo (or a setting of another release) and changes nothing.
 */
public final class UnknownSettings {

    /** The bundle's own key prefixes (camel.* is Camel's, which checks its own). */
    public static final List<String> PREFIXES = List.of("ideogram.", "store.", "archive.", "storage.", "api.", "http.",
            "logging.", "metrics.", "providers.", "events.", "campaigns.", "variants.");

    /** The fields of a variant named in variants.names: variants.<name>.<field> is known for any listed name. */
    private static final List<String> VARIANT_FIELDS = List.of("width", "height", "format", "quality");

    /** Variables of other programs that happen to share a prefix. */
    private static final Set<String> FOREIGN_VARIABLES = Set.of("HTTP_PROXY", "HTTP_PROXY_HOST", "HTTP_PROXY_PORT");

    private final Set<String> known;
    private final Map<String, String> knownByVariable = new TreeMap<>();

    /** @param known the keys of the shipped application.properties */
    public UnknownSettings(Set<String> known) {
        this.known = new TreeSet<>(known);
        for (String key : this.known) {
            knownByVariable.put(variableName(key), key);
        }
    }

    /**
     * Adds the keys of the variants a user listed (variants.names=og,banner makes variants.banner.width
     * and the other fields known), so a variant of their own is not reported as a typo.
     *
     * @param variantNames the value of variants.names as it takes effect (comma-separated)
     * @return this
     */
    public UnknownSettings withVariantNames(String variantNames) {
        if (variantNames != null) {
            for (String name : variantNames.split(",")) {
                if (name.isBlank()) {
                    continue;
                }
                for (String field : VARIANT_FIELDS) {
                    String key = "variants." + name.trim() + "." + field;
                    known.add(key);
                    knownByVariable.put(variableName(key), key);
                }
            }
        }
        return this;
    }

    /**
     * One warning per unknown key.
     *
     * @param keysByFile  the keys each settings file sets, by the file's name
     * @param environment the process environment
     * @param referenced  variables a settings file reads itself ({@code {{env:NAME}}})
     */
    public List<String> warnings(Map<String, Set<String>> keysByFile, Map<String, String> environment,
            Set<String> referenced) {
        List<String> warnings = new ArrayList<>();
        keysByFile.forEach((file, keys) -> new TreeSet<>(keys).stream()
                .filter(key -> ours(key) && !known.contains(key))
                .forEach(key -> warnings.add(warning(key, file, EditDistance.closest(key, known)))));
        new TreeSet<>(environment.keySet()).stream()
                .filter(name -> ours(name.toLowerCase(Locale.ROOT).replace('_', '.')))
                .filter(name -> !knownByVariable.containsKey(name) && !referenced.contains(name)
                        && !FOREIGN_VARIABLES.contains(name))
                .forEach(name -> warnings.add(warning(name, "the environment",
                        knownByVariable.get(EditDistance.closest(name, knownByVariable.keySet())))));
        return warnings;
    }

    /** Camel's rule: upper case, '.' and '-' become '_' (ideogram.api-key <- IDEOGRAM_API_KEY). */
    static String variableName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static boolean ours(String key) {
        return PREFIXES.stream().anyMatch(key::startsWith);
    }

    private static String warning(String key, String where, String closest) {
        return "Unknown setting " + key + " (in " + where + ") is ignored: nothing reads it"
                + (closest == null ? "" : "; did you mean " + closest + " (" + variableName(closest) + ")?");
    }
}
