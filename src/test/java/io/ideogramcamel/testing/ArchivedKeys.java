package io.ideogramcamel.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * What archiving a generation leaves under its folder with the default settings: each stored image,
 * its three web-ready variants (variants.names = og, thumb, social, WebP) and the manifest. Tests that
 * check "archived once" list exactly these.
 */
public final class ArchivedKeys {

    private static final List<String> DEFAULT_VARIANTS = List.of("og", "thumb", "social");

    private ArchivedKeys() {
    }

    /** The keys under {@code dir} (ending in /) for the stored images of these indexes, PNG originals. */
    public static String[] of(String dir, int... storedImages) {
        List<String> keys = new ArrayList<>(List.of(objects(dir, storedImages)));
        keys.add(dir + "manifest.json");
        return keys.toArray(String[]::new);
    }

    /** The same without the manifest: the images and their variants. */
    private static String[] objects(String dir, int... storedImages) {
        List<String> keys = new ArrayList<>();
        for (int index : storedImages) {
            keys.add(dir + index + ".png");
            DEFAULT_VARIANTS.forEach(v -> keys.add(dir + index + "-" + v + ".webp"));
        }
        return keys.toArray(String[]::new);
    }
}
