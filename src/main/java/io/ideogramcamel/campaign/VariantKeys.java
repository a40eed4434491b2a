package io.ideogramcamel.campaign;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The stored variants of one image, by variant name: an object in the JSON manifest, one cell
 * ("og=key;social=key") in the CSV, since the names are whatever variants.names lists.
 */
public record VariantKeys(SortedMap<String, String> byName) {

    public static VariantKeys none() {
        return new VariantKeys(Collections.emptySortedMap());
    }

    @JsonValue
    public Map<String, String> asMap() {
        return byName;
    }

    @Override
    public String toString() {
        return byName.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(";"));
    }
}
