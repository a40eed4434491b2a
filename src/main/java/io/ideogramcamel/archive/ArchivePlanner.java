package io.ideogramcamel.archive;

import java.util.ArrayList;
import java.util.List;

import io.ideogramcamel.GenerationExchange;
import org.apache.camel.Exchange;

/**
 * Turns a claim into the list of images still to do (an earlier, interrupted attempt may have
 * recorded some), and sets up each loop turn of archive-generation.camel.yaml with one of them.
 * Unsafe images and images on hosts not allowed are refused here, before any request is made.
 */
public class ArchivePlanner {

    public static final String CLAIM = "archiveClaim";
    public static final String PLAN = "archivePlan";
    public static final String IMAGE_ENTRY = "imageEntry";
    /** Which entry of the plan this turn archives; set by the outer loop of archive-generation. */
    public static final String PLAN_INDEX = "archivePlanIndex";
    /** The image host policy of the claimed generation's provider, for its redirects too. */
    public static final String HOST_POLICY = "imageHostPolicy";

    private ImageHostPolicies hostPolicies;

    /** Each provider's image hosts; the generation's key says whose images these are. */
    public void setHostPolicies(ImageHostPolicies hostPolicies) {
        this.hostPolicies = hostPolicies;
    }

    /** Sets {@link #PLAN} to the images not yet recorded, and returns how many there are. */
    public int plan(Exchange exchange) {
        ArchiveClaim claim = exchange.getProperty(CLAIM, ArchiveClaim.class);
        List<ImageEntry> pending = new ArrayList<>();
        for (ImageEntry entry : ImageEntries.parse(claim.images())) {
            if (!claim.isRecorded(entry.index())) {
                pending.add(entry);
            }
        }
        exchange.setProperty(GenerationExchange.GENERATION_ID, claim.generationId());
        exchange.setProperty(HOST_POLICY, hostPolicies.forGeneration(claim.generationId()));
        exchange.setProperty(PLAN, pending);
        return pending.size();
    }

    /** Prepares the turn {@link #PLAN_INDEX} names: the image's index and its first URL. */
    @SuppressWarnings("unchecked")
    public void selectImage(Exchange exchange) {
        List<ImageEntry> plan = exchange.getProperty(PLAN, List.class);
        ImageEntry entry = plan.get(exchange.getProperty(PLAN_INDEX, Integer.class));
        exchange.setProperty(IMAGE_ENTRY, entry);
        exchange.setProperty(ImageResponseHandler.IMAGE_INDEX, entry.index());
        exchange.setProperty(ImageResponseHandler.IMAGE_REDIRECTS, 0);
        exchange.setProperty(ImageResponseHandler.IMAGE_FETCHED, false);
        exchange.removeProperty(ImageResponseHandler.IMAGE_URL);
        if (!entry.safe()) {
            // billed, but Ideogram flagged it: never fetched, even when a URL is present
            throw new ImageRefusedException("unsafe");
        }
        ImageHostPolicy hostPolicy = exchange.getProperty(HOST_POLICY, ImageHostPolicy.class);
        exchange.setProperty(ImageResponseHandler.IMAGE_URL, hostPolicy.check(entry.url()).toString());
    }
}
