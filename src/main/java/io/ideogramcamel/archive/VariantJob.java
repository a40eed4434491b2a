package io.ideogramcamel.archive;

import java.util.List;

/**
 * One stored image whose variants are due: made never, or made to a spec that has changed since.
 *
 * @param index     the image's index
 * @param objectKey the stored original's key, read back when it is not spooled on this exchange
 * @param sizeBytes the stored original's size: a spooled copy of another size is not used
 * @param due       the specs to make, in variants.names order
 */
public record VariantJob(int index, String objectKey, long sizeBytes, List<VariantSpec> due) {

    public VariantJob {
        due = List.copyOf(due);
    }
}
