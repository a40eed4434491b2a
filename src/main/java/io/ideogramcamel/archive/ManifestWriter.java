package io.ideogramcamel.archive;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.GenerationKey;
import org.apache.camel.Exchange;

/**
 * Builds manifest.json, the last object of a generation: its presence means complete. It lists
 * every image of the delivery, stored ones with key, size and sha256, refused ones with the reason,
 * Ideogram's {@code usage_cost_usd_micros} when known, and the metadata the caller attached to its
 * submission ({} when none). The manifest as written is kept on the exchange
 * ({@link GenerationExchange#MANIFEST}): the generation.completed event carries its images[].
 */
public class ManifestWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ArchiveLedger ledger;
    private ObjectKeys objectKeys;
    private VariantLedger variantLedger;
    private VariantSpecs variantSpecs;

    public void setLedger(ArchiveLedger ledger) {
        this.ledger = ledger;
    }

    public void setObjectKeys(ObjectKeys objectKeys) {
        this.objectKeys = objectKeys;
    }

    /** Where each image's variants[] comes from; without it (or with none recorded) variants[] is empty. */
    public void setVariantLedger(VariantLedger variantLedger) {
        this.variantLedger = variantLedger;
    }

    /** Which names variants[] may list: those in variants.names now; without it, every recorded one. */
    public void setVariantSpecs(VariantSpecs variantSpecs) {
        this.variantSpecs = variantSpecs;
    }

    /** Sets the body to the manifest's bytes and the object key to the manifest's key. */
    public void write(Exchange exchange) throws IOException {
        ArchiveClaim claim = exchange.getProperty(ArchivePlanner.CLAIM, ArchiveClaim.class);
        Map<Integer, GenerationImage> recorded = new HashMap<>();
        for (GenerationImage image : ledger.listImages(claim.generationId())) {
            recorded.put(image.index(), image);
        }
        // the provider's own id: the key's provider part is said separately
        ObjectNode manifest = JSON.createObjectNode()
                .put("provider", GenerationKey.providerOf(claim.generationId()))
                .put("generation_id", GenerationKey.idOf(claim.generationId()))
                .put("created", claim.created())
                .put("source", claim.source());
        if (claim.costMicros() != null) {
            // what Ideogram charged, when it said so; absent when unknown
            manifest.put("usage_cost_usd_micros", claim.costMicros().longValue());
        }
        // the caller's own strings, validated at POST /generations; {} for a webhook-only generation
        manifest.set("metadata", claim.metadata() == null ? JSON.createObjectNode() : JSON.readTree(claim.metadata()));
        List<GenerationVariant> variants = configured(variantLedger == null ? List.of()
                : variantLedger.listVariants(claim.generationId()));
        ArrayNode images = manifest.putArray("images");
        List<ImageEntry> entries = ImageEntries.parse(claim.images());
        for (ImageEntry entry : entries) {
            GenerationImage image = recorded.get(entry.index());
            if (image == null) {
                // every image is recorded before the manifest; a gap means the attempt must not finish
                throw new IllegalStateException("image " + entry.index() + " has no outcome");
            }
            ObjectNode node = images.addObject()
                    .put("index", entry.index())
                    .put("key", image.objectKey())
                    .put("prompt", entry.prompt())
                    .put("resolution", entry.resolution())
                    .put("is_image_safe", entry.safe())
                    .put("content_type", image.contentType())
                    .put("size", image.sizeBytes())
                    .put("sha256", image.sha256());
            if (entry.seed() == null) {
                node.putNull("seed");
            } else {
                node.put("seed", entry.seed());
            }
            if (!image.isStored()) {
                node.put("refused", image.refusedReason());
            }
            addVariants(node.putArray("variants"), variants, entry.index());
        }
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
        String key = objectKeys.manifestKey(claim.generationId());
        exchange.setProperty(ImageResponseHandler.OBJECT_KEY, key);
        exchange.setProperty(GenerationExchange.MANIFEST, new WrittenManifest(key, manifest));
        exchange.getMessage().removeHeaders("*", ObjectStoreHeaders.KEEP_REDELIVERY_STATE);
        exchange.getMessage().setHeader(ObjectStoreHeaders.CONTENT_LENGTH, (long) bytes.length);
        exchange.getMessage().setHeader(ObjectStoreHeaders.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(bytes);
    }

    /**
     * Only the names in variants.names: a name taken off the list keeps its rows and its objects
     * (nothing deletes them), but the manifest lists what is configured, so its readers see one
     * set of sizes per image. Put back on the list, the name is listed again.
     */
    private List<GenerationVariant> configured(List<GenerationVariant> recorded) {
        if (variantSpecs == null) {
            return recorded;
        }
        Set<String> names = new HashSet<>();
        variantSpecs.specs().forEach(spec -> names.add(spec.name()));
        return recorded.stream().filter(variant -> names.contains(variant.variant())).toList();
    }

    /** Stored variants with where and what they are; failed ones with the fixed reason only. */
    private static void addVariants(ArrayNode into, List<GenerationVariant> variants, int index) {
        for (GenerationVariant variant : variants) {
            if (variant.index() != index) {
                continue;
            }
            ObjectNode node = into.addObject().put("name", variant.variant());
            if (variant.isStored()) {
                node.put("key", variant.objectKey())
                        .put("width", variant.width())
                        .put("height", variant.height())
                        .put("size", variant.sizeBytes())
                        .put("sha256", variant.sha256())
                        .put("content_type", variant.contentType());
            } else {
                node.put("error", variant.failureReason());
            }
        }
    }
}
