package io.ideogramcamel.testing;

import java.util.HashMap;
import java.util.Map;

/**
 * Settings a test decides at run time (free ports, temp folders) handed to the bundle as JVM
 * system properties, which Camel's properties component lets override application.properties,
 * just as the environment does in production. Cleared again after the test class.
 */
public final class BundleProperties {

    private final Map<String, String> previous = new HashMap<>();

    public BundleProperties set(String key, String value) {
        previous.putIfAbsent(key, System.getProperty(key));
        System.setProperty(key, value);
        return this;
    }

    public void restore() {
        previous.forEach((key, value) -> {
            if (value == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, value);
            }
        });
        previous.clear();
    }
}
