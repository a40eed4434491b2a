package io.ideogramcamel;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Pattern;

import io.ideogramcamel.edge.EndpointSummary;
import io.ideogramcamel.edge.PortCheck;
import io.ideogramcamel.settings.StartupSettings;
import org.apache.camel.main.Main;

/**
 * Starts the bundle with camel-main. Its only job is to read the settings from the working
 * directory first, so users change them without rebuilding; everything else (routes, beans) comes
 * from routes/*.camel.yaml on disk, as it would under Camel JBang or Camel K.
 *
 * <p>A profile ({@code CAMEL_MAIN_PROFILE=demo}, or {@code -Dcamel.main.profile=demo}) puts
 * {@code application-demo.properties} in front of {@code application.properties}: the settings that
 * depend on where the bundle runs live in the profile (or the environment), the shared file stays
 * the same everywhere. camel-main alone would look for a profile file on the classpath only.
 */
public final class IdeogramCamelMain {

    /** First location wins: the file beside the user beats the copy inside the jar. */
    public static final String PROPERTY_LOCATIONS
            = "file:application.properties;optional=true,classpath:application.properties;optional=true";

    private static final Pattern PROFILE = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    private IdeogramCamelMain() {
    }

    /** Applies the store's pending schema migrations and exits, starting nothing else. */
    public static final String MIGRATE_ONLY = "--migrate-only";

    public static void main(String[] args) throws Exception {
        String profile = profile();
        String locations = propertyLocations(profile);
        if (!StartupSettings.check(Path.of(""), profile, System.getenv())) {
            exitAfterTheLog(1);
        }
        if (Arrays.asList(args).contains(MIGRATE_ONLY)) {
            exitAfterTheLog(MigrateOnly.run(locations, null));
        }
        Main main = new Main();
        main.setDefaultPropertyPlaceholderLocation(locations);
        main.addMainListener(new PortCheck());
        main.addMainListener(new EndpointSummary());
        try {
            main.run(args);
        } catch (PortCheck.PortInUseException alreadyLogged) {
            exitAfterTheLog(1);
        }
    }

    /*
     * The lines that say why the process stops went through the async appender a moment ago: stop
     * logging (which drains and flushes it) before the exit, rather than leave the draining to a
     * shutdown hook racing the exit (a FailFastIT run once found the log of a refused start empty).
     */
    private static void exitAfterTheLog(int status) {
        try {
            org.apache.logging.log4j.LogManager.shutdown();
        } catch (LinkageError otherLoggingBackend) {
            // not Log4j (Camel JBang brings its own logging): its own hooks flush
        }
        System.exit(status);
    }

    /** The locations to read, the profile's file first when a profile is chosen. */
    static String propertyLocations(String profile) {
        if (profile == null || profile.isBlank()) {
            return PROPERTY_LOCATIONS;
        }
        if (!PROFILE.matcher(profile).matches()) {
            throw new IllegalArgumentException("camel.main.profile must be lower-case letters, digits and '-'");
        }
        return "file:application-" + profile + ".properties," + PROPERTY_LOCATIONS;
    }

    private static String profile() {
        String profile = System.getProperty("camel.main.profile");
        return profile != null ? profile : System.getenv("CAMEL_MAIN_PROFILE");
    }
}
