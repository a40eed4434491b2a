package io.ideogramcamel.settings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment variables a settings file takes with no default ({@code {{env:NAME}}}), checked all
 * at once before Camel starts: Camel itself stops at the first missing one, inside a stack trace.
 */
public final class RequiredEnvironment {

    /** {@code {{env:NAME}}} with no {@code :default}; a nested placeholder's default counts as one. */
    private static final Pattern REQUIRED = Pattern.compile("\\{\\{env:([A-Za-z_][A-Za-z0-9_]*)}}");

    private RequiredEnvironment() {
    }

    /** The variables {@code file} requires that {@code environment} does not set, in file order. */
    public static List<String> missing(Path file, Map<String, String> environment) throws IOException {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        Set<String> required = new LinkedHashSet<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.stripLeading().startsWith("#")) {
                continue;
            }
            Matcher matcher = REQUIRED.matcher(line);
            while (matcher.find()) {
                required.add(matcher.group(1));
            }
        }
        List<String> missing = new ArrayList<>();
        for (String name : required) {
            if (environment.get(name) == null) {
                missing.add(name);
            }
        }
        return missing;
    }
}
