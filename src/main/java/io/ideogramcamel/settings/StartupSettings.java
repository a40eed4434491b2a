package io.ideogramcamel.settings;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the settings once, in the launcher, before Camel starts (so each line prints once: Camel
 * creates the route files' beans twice). A profile's missing variables stop the start, all named in
 * one line; unknown keys and an empty API key only warn.
 */
public final class StartupSettings {

    /** The jar's own copy of application.properties: the keys that something reads. */
    public static final String SHIPPED = "META-INF/ideogram-camel/application.properties";

    private static final Logger LOG = LoggerFactory.getLogger(StartupSettings.class);
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\{\\{env:([A-Za-z_][A-Za-z0-9_]*)");

    private StartupSettings() {
    }

    /** @return false when the start must stop (the reason is logged, one line) */
    public static boolean check(Path dir, String profile, Map<String, String> environment) throws IOException {
        Path profileFile = profile == null ? null : dir.resolve("application-" + profile + ".properties");
        if (profileFile != null) {
            List<String> missing = RequiredEnvironment.missing(profileFile, environment);
            if (!missing.isEmpty()) {
                LOG.error("Not starting: the {} profile ({}) needs these environment variables, which are not set: {}",
                        profile, profileFile.getFileName(), String.join(", ", missing));
                return false;
            }
        }
        Properties shipped = shipped();
        Map<String, Properties> files = new LinkedHashMap<>();
        if (profileFile != null) {
            files.put(profileFile.getFileName().toString(), load(profileFile));
        }
        files.put("application.properties", load(dir.resolve("application.properties")));
        warnUnknown(shipped, files, environment, dir, profileFile);
        if (!"demo".equals(profile) && apiKey(files, shipped, environment).isBlank()) {
            LOG.warn("ideogram.api-key (IDEOGRAM_API_KEY) is empty: every submission and poll to Ideogram will be "
                    + "refused (401); set it, or start with CAMEL_MAIN_PROFILE=demo against the local stand-in");
        }
        return true;
    }

    private static void warnUnknown(Properties shipped, Map<String, Properties> files, Map<String, String> environment,
            Path dir, Path profileFile) throws IOException {
        Map<String, Set<String>> keysByFile = new LinkedHashMap<>();
        files.forEach((name, properties) -> keysByFile.put(name, properties.stringPropertyNames()));
        Set<String> referenced = new TreeSet<>();
        referenced.addAll(references(dir.resolve("application.properties")));
        if (profileFile != null) {
            referenced.addAll(references(profileFile));
        }
        for (Object value : shipped.values()) {
            referenced.addAll(references(value.toString()));
        }
        new UnknownSettings(shipped.stringPropertyNames())
                .withVariantNames(effective("variants.names", files, shipped, environment))
                .warnings(keysByFile, environment, referenced)
                .forEach(LOG::warn);
    }

    /** The API key as Camel would see it: the environment first, then the files in order. */
    private static String apiKey(Map<String, Properties> files, Properties shipped, Map<String, String> environment) {
        return effective("ideogram.api-key", files, shipped, environment);
    }

    /** A setting as Camel would see it: the environment first, then the files in order, then the jar's. */
    private static String effective(String key, Map<String, Properties> files, Properties shipped,
            Map<String, String> environment) {
        String fromEnvironment = environment.get(UnknownSettings.variableName(key));
        if (fromEnvironment != null) {
            return fromEnvironment;
        }
        for (Properties file : files.values()) {
            if (file.containsKey(key)) {
                return file.getProperty(key);
            }
        }
        return shipped.getProperty(key, "");
    }

    static Properties shipped() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = StartupSettings.class.getClassLoader().getResourceAsStream(SHIPPED)) {
            if (in == null) {
                throw new IllegalStateException(SHIPPED + " is missing from the jar");
            }
            properties.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return properties;
    }

    private static Properties load(Path file) throws IOException {
        Properties properties = new Properties();
        if (Files.isRegularFile(file)) {
            try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            }
        }
        return properties;
    }

    private static Set<String> references(Path file) throws IOException {
        return Files.isRegularFile(file) ? references(Files.readString(file, StandardCharsets.UTF_8)) : Set.of();
    }

    private static Set<String> references(String text) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = ENV_REFERENCE.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }
}
