package io.ideogramcamel;

import org.apache.camel.main.Main;

/**
 * Starts the bundle with camel-main. Its only job is to read application.properties from the
 * working directory first, so users change settings without rebuilding; everything else (routes,
 * beans) comes from routes/*.camel.yaml on disk, as it would under Camel JBang or Camel K.
 */
public final class IdeogramCamelMain {

    /** First location wins: the file beside the user beats the copy inside the jar. */
    public static final String PROPERTY_LOCATIONS
            = "file:application.properties;optional=true,classpath:application.properties;optional=true";

    private IdeogramCamelMain() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main();
        main.setDefaultPropertyPlaceholderLocation(PROPERTY_LOCATIONS);
        main.run(args);
    }
}
