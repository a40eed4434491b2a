package io.ideogramcamel.archive;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.Sha256;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The steps of make-variants (image-variants.camel.yaml), each on the exchange: which stored images
 * have variants due, where each one's pixels come from, the rendering (one decode per image), and
 * the record of each variant under the lease the exchange holds: the archive's claim, or the
 * re-make's ({@link GenerationExchange#VARIANT_REMAKE}). A lease lost stops the work
 * ({@link LeaseLostException}) like the archive's own steps.
 */
public class VariantWork {

    /** The source image is not in the store any more; its variants are FAILED with this. */
    public static final String SOURCE_MISSING = "source_missing";
    public static final String UNDECODABLE = "undecodable";
    public static final String ENCODE_FAILED = "encode_failed";
    /** Over a limit: variants.max-source-pixels or max-decode-bytes, or ideogram.image.max-bytes on read-back. */
    public static final String TOO_LARGE = "too_large";

    private ArchiveLedger archiveLedger;
    private VariantLedger variantLedger;
    private VariantSpecs specs;
    private ObjectKeys objectKeys;
    private Semaphore decodes = new Semaphore(2);

    public void setArchiveLedger(ArchiveLedger archiveLedger) {
        this.archiveLedger = archiveLedger;
    }

    public void setVariantLedger(VariantLedger variantLedger) {
        this.variantLedger = variantLedger;
    }

    public void setSpecs(VariantSpecs specs) {
        this.specs = specs;
    }

    public void setObjectKeys(ObjectKeys objectKeys) {
        this.objectKeys = objectKeys;
    }

    /**
     * archive.concurrency: how many images are decoded and encoded at once, the archive's and the
     * re-make's consumers together. Each flow has that many consumers of its own, and the heap
     * (variants.max-decode-bytes per decode) was sized for one flow's count, not twice it.
     */
    public void setMaxConcurrentDecodes(int maxConcurrentDecodes) {
        if (maxConcurrentDecodes < 1) {
            throw new IllegalArgumentException("maxConcurrentDecodes must be at least 1");
        }
        this.decodes = new Semaphore(maxConcurrentDecodes);
    }

    /**
     * Sets {@link GenerationExchange#VARIANT_PLAN} to the stored images with variants due and returns
     * how many. The archive makes what is not recorded yet (a re-run skips what an earlier attempt
     * recorded, stored or failed); the re-make also what failed or was made to a spec that has changed.
     * Refused images have no stored original and get none.
     */
    public int plan(Exchange exchange) {
        ArchiveClaim claim = claim(exchange);
        boolean remake = remake(exchange);
        List<GenerationVariant> recorded = variantLedger.listVariants(claim.generationId());
        List<VariantJob> jobs = new ArrayList<>();
        for (GenerationImage image : archiveLedger.listImages(claim.generationId())) {
            if (!image.isStored()) {
                continue;
            }
            List<VariantSpec> due = new ArrayList<>();
            for (VariantSpec spec : specs.specs()) {
                GenerationVariant row = find(recorded, image.index(), spec.name());
                // a re-make also tries a FAILED one again: too_large after the limit was raised,
                // encode_failed after the encoder was fixed, source_missing after a restore
                if (row == null || (remake && (!row.isStored() || !row.matches(spec)))) {
                    due.add(spec);
                }
            }
            if (!due.isEmpty()) {
                jobs.add(new VariantJob(image.index(), image.objectKey(), image.sizeBytes(), due));
            }
        }
        exchange.setProperty(GenerationExchange.GENERATION_ID, claim.generationId());
        exchange.setProperty(GenerationExchange.VARIANT_PLAN, jobs);
        if (exchange.getProperty(GenerationExchange.VARIANTS_RECORDED) == null) {
            exchange.setProperty(GenerationExchange.VARIANTS_RECORDED, 0);
        }
        return jobs.size();
    }

    /**
     * Prepares the turn {@link GenerationExchange#VARIANT_PLAN_INDEX} names: the original's key, and
     * its spooled file when this exchange fetched it (spooled for want of a length, or copied on its
     * way to S3); else it is read back from the store.
     */
    @SuppressWarnings("unchecked")
    public void selectImage(Exchange exchange) {
        List<VariantJob> plan = exchange.getProperty(GenerationExchange.VARIANT_PLAN, List.class);
        VariantJob job = plan.get(exchange.getProperty(GenerationExchange.VARIANT_PLAN_INDEX, Integer.class));
        exchange.setProperty(GenerationExchange.VARIANT_JOB, job);
        exchange.setProperty(ImageResponseHandler.IMAGE_INDEX, job.index());
        exchange.setProperty(ImageResponseHandler.OBJECT_KEY, job.objectKey());
        exchange.setProperty(GenerationExchange.VARIANT_SOURCE_TEMPORARY, false);
        exchange.removeProperty(GenerationExchange.VARIANT_SOURCE_REFUSAL);
        Map<Integer, Path> spooled = exchange.getProperty(GenerationExchange.SPOOLED_IMAGES, Map.class);
        Path file = spooled == null ? null : spooled.get(job.index());
        if (file != null && wholeCopy(file, job.sizeBytes())) {
            exchange.setProperty(GenerationExchange.VARIANT_SOURCE, file);
            // deleted once decoded: a generation of many large images must not keep them all on disk
            exchange.setProperty(GenerationExchange.VARIANT_SOURCE_TEMPORARY, true);
        } else {
            exchange.removeProperty(GenerationExchange.VARIANT_SOURCE);
        }
    }

    /** A spooled copy is used only when it holds every byte that was stored. */
    private static boolean wholeCopy(Path file, long sizeBytes) {
        try {
            return Files.isRegularFile(file) && Files.size(file) == sizeBytes;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Decodes the turn's source once and renders every due spec from it into
     * {@link GenerationExchange#VARIANT_OUTPUTS}; returns how many. A source that will not decode,
     * is over variants.max-source-pixels, or is gone gives a failed output per spec, not an error:
     * the image and the generation are not failed over a variant. A temporary copy is deleted here.
     */
    public int render(Exchange exchange) throws IOException {
        VariantJob job = exchange.getProperty(GenerationExchange.VARIANT_JOB, VariantJob.class);
        Path source = exchange.getProperty(GenerationExchange.VARIANT_SOURCE, Path.class);
        List<VariantOutput> outputs = new ArrayList<>();
        try {
            if (source == null) {
                String reason = exchange.getProperty(GenerationExchange.VARIANT_SOURCE_REFUSAL, SOURCE_MISSING, String.class);
                job.due().forEach(spec -> outputs.add(VariantOutput.failure(spec, reason)));
            } else {
                renderWithPermit(source, job.due(), outputs);
            }
        } finally {
            if (exchange.getProperty(GenerationExchange.VARIANT_SOURCE_TEMPORARY, false, Boolean.class) && source != null) {
                Files.deleteIfExists(source);
            }
        }
        exchange.setProperty(GenerationExchange.VARIANT_OUTPUTS, outputs);
        return outputs.size();
    }

    private void renderWithPermit(Path source, List<VariantSpec> due, List<VariantOutput> outputs) throws IOException {
        try {
            decodes.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("stopped while waiting to decode");
        }
        try {
            renderFrom(source, due, outputs);
        } finally {
            decodes.release();
        }
    }

    /** How many decodes may start now; for tests. */
    int availableDecodes() {
        return decodes.availablePermits();
    }

    private void renderFrom(Path source, List<VariantSpec> due, List<VariantOutput> outputs) throws IOException {
        BufferedImage decoded;
        try {
            decoded = VariantRenderer.decode(source, due, specs.getMaxSourcePixels(), specs.getMaxDecodeBytes());
        } catch (VariantRenderer.SourceRefusedException refused) {
            due.forEach(spec -> outputs.add(VariantOutput.failure(spec, refused.reason())));
            return;
        }
        for (VariantSpec spec : due) {
            try {
                outputs.add(VariantOutput.of(spec, VariantRenderer.encode(VariantRenderer.cover(decoded, spec), spec)));
            } catch (IOException | RuntimeException e) {
                // the encoder refused this image (its colour model, a native error): this variant only
                outputs.add(VariantOutput.failure(spec, ENCODE_FAILED));
            }
        }
    }

    /**
     * Prepares the inner turn {@link GenerationExchange#VARIANT_OUTPUT_INDEX} names; for a made
     * variant the message is set up for direct:store-object (key, bytes, type, length).
     */
    @SuppressWarnings("unchecked")
    public void selectOutput(Exchange exchange) {
        List<VariantOutput> outputs = exchange.getProperty(GenerationExchange.VARIANT_OUTPUTS, List.class);
        VariantOutput output = outputs.get(exchange.getProperty(GenerationExchange.VARIANT_OUTPUT_INDEX, Integer.class));
        exchange.setProperty(GenerationExchange.VARIANT_OUTPUT, output);
        if (!output.isMade()) {
            return;
        }
        VariantJob job = exchange.getProperty(GenerationExchange.VARIANT_JOB, VariantJob.class);
        exchange.setProperty(ImageResponseHandler.OBJECT_KEY, objectKeys.variantKey(claim(exchange).generationId(),
                job.index(), output.spec().name(), output.spec().extension()));
        Message message = exchange.getMessage();
        message.removeHeaders("*", ObjectStoreHeaders.KEEP_REDELIVERY_STATE);
        message.setHeader(ObjectStoreHeaders.CONTENT_LENGTH, (long) output.bytes().length);
        message.setHeader(ObjectStoreHeaders.CONTENT_TYPE, output.spec().contentType());
        message.setBody(output.bytes());
    }

    /**
     * After the variant's object was written: its row, STORED. When a re-make replaced a stored
     * variant whose key differs (webp -> png), that key goes into
     * {@link GenerationExchange#VARIANT_SUPERSEDED_KEY} for make-variants to delete: after the new
     * row, so the row never names a deleted object (a crash in between leaves the old one behind).
     */
    public void recordStored(Exchange exchange) {
        VariantOutput output = exchange.getProperty(GenerationExchange.VARIANT_OUTPUT, VariantOutput.class);
        VariantJob job = exchange.getProperty(GenerationExchange.VARIANT_JOB, VariantJob.class);
        ArchiveClaim claim = claim(exchange);
        String key = exchange.getProperty(ImageResponseHandler.OBJECT_KEY, String.class);
        exchange.removeProperty(GenerationExchange.VARIANT_SUPERSEDED_KEY);
        GenerationVariant previous = remake(exchange)
                ? find(variantLedger.listVariants(claim.generationId()), job.index(), output.spec().name()) : null;
        record(exchange, GenerationVariant.stored(claim.generationId(), job.index(), output.spec(), key,
                output.bytes().length, Sha256.hex(output.bytes())));
        if (previous != null && previous.isStored() && !key.equals(previous.objectKey())) {
            exchange.setProperty(GenerationExchange.VARIANT_SUPERSEDED_KEY, previous.objectKey());
        }
        // the bytes are not needed any more; a generation of many images should not keep them all
        exchange.getMessage().setBody(null);
    }

    /**
     * A variant that could not be made: its row, FAILED with the reason, so a re-run skips it. A
     * re-make that failed again the same way leaves the row as it was and counts nothing, so a
     * second call with nothing changed does not rewrite the manifest.
     */
    public void recordFailed(Exchange exchange) {
        VariantOutput output = exchange.getProperty(GenerationExchange.VARIANT_OUTPUT, VariantOutput.class);
        VariantJob job = exchange.getProperty(GenerationExchange.VARIANT_JOB, VariantJob.class);
        GenerationVariant failed = GenerationVariant.failed(claim(exchange).generationId(), job.index(), output.spec(),
                output.failureReason());
        if (remake(exchange) && failedAlike(failed, output.spec())) {
            return;
        }
        record(exchange, failed);
    }

    private boolean failedAlike(GenerationVariant failed, VariantSpec spec) {
        GenerationVariant row = find(variantLedger.listVariants(failed.generationId()), failed.index(), failed.variant());
        return row != null && !row.isStored() && row.matches(spec) && failed.failureReason().equals(row.failureReason());
    }

    private void record(Exchange exchange, GenerationVariant variant) {
        if (!variantLedger.record(claim(exchange).leaseOwner(), remake(exchange), variant)) {
            throw new LeaseLostException();
        }
        exchange.setProperty(GenerationExchange.VARIANTS_RECORDED,
                exchange.getProperty(GenerationExchange.VARIANTS_RECORDED, 0, Integer.class) + 1);
    }

    private static GenerationVariant find(List<GenerationVariant> recorded, int index, String name) {
        for (GenerationVariant row : recorded) {
            if (row.index() == index && row.variant().equals(name)) {
                return row;
            }
        }
        return null;
    }

    private static boolean remake(Exchange exchange) {
        return exchange.getProperty(GenerationExchange.VARIANT_REMAKE, false, Boolean.class);
    }

    private static ArchiveClaim claim(Exchange exchange) {
        return exchange.getProperty(ArchivePlanner.CLAIM, ArchiveClaim.class);
    }
}
