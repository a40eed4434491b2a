package io.ideogramcamel.archive;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * A RECEIVED generation claimed for archiving by one worker: what the archive route needs to do the
 * work, and the lease token it must pass back with every later call of the {@link ArchiveLedger}.
 * Times are epoch milliseconds.
 *
 * @param generationId    Ideogram's id
 * @param leaseOwner      this claim's token, unique to it; every lease-guarded call of the ledger
 *                        takes it, and answers false once another worker has taken the lease over
 * @param leaseUntil      the lease lapses at this time unless renewed (each recorded image renews it)
 * @param source          {@code webhook} or {@code poll}, for the manifest
 * @param created         Ideogram's created value as sent (may be null), for the manifest
 * @param images          the delivery's data[] as compact JSON text
 * @param attempts        earlier archive attempts released for retry (0 on the first)
 * @param receivedAt      when the delivery was accepted; the result links expire relative to it
 * @param recordedIndexes indexes already recorded by an earlier attempt, stored or refused, in
 *                        ascending order: skip them
 * @param costMicros      Ideogram's usage_cost_usd_micros, for the manifest; null when unknown
 * @param metadata        the metadata its submission carried (a JSON object's text), for the manifest;
 *                        null when none, or when it came without a submission
 */
public record ArchiveClaim(
        String generationId,
        String leaseOwner,
        long leaseUntil,
        String source,
        String created,
        String images,
        int attempts,
        long receivedAt,
        Set<Integer> recordedIndexes,
        Long costMicros,
        String metadata) {

    /** A claim whose cost is not known. */
    public ArchiveClaim(String generationId, String leaseOwner, long leaseUntil, String source, String created,
            String images, int attempts, long receivedAt, Set<Integer> recordedIndexes) {
        this(generationId, leaseOwner, leaseUntil, source, created, images, attempts, receivedAt, recordedIndexes, null);
    }

    /** A claim on a generation that came without a submission's metadata. */
    public ArchiveClaim(String generationId, String leaseOwner, long leaseUntil, String source, String created,
            String images, int attempts, long receivedAt, Set<Integer> recordedIndexes, Long costMicros) {
        this(generationId, leaseOwner, leaseUntil, source, created, images, attempts, receivedAt, recordedIndexes,
                costMicros, null);
    }

    public ArchiveClaim {
        // sorted, so logs and simple-language output list them in index order
        recordedIndexes = Collections.unmodifiableSortedSet(new TreeSet<>(recordedIndexes));
    }

    /**
     * Whether an earlier attempt recorded every image: it may have died after the manifest was put
     * and before the generation was marked archived, so the manifest may be stored already.
     */
    public boolean everyImageRecorded() {
        return recordedIndexes.size() >= ImageEntries.parse(images).size();
    }

    /** Whether an earlier attempt already recorded this image (so it is neither fetched nor written again). */
    public boolean isRecorded(int index) {
        return recordedIndexes.contains(index);
    }
}
