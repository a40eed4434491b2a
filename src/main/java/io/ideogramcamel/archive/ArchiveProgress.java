package io.ideogramcamel.archive;

import io.ideogramcamel.GenerationExchange;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * Writes each step of one archive attempt to the ledger, from the exchange, under the claim's
 * lease. The ledger answering false means another worker has the generation now: the attempt
 * stops without touching anything else.
 */
public class ArchiveProgress {

    private ArchiveLedger ledger;

    public void setLedger(ArchiveLedger ledger) {
        this.ledger = ledger;
    }

    /**
     * Right after the claim: the ledger's heartbeat renews its lease while this exchange runs, also
     * in the middle of one slow image; when the exchange ends, however it ends, renewals stop and
     * whatever was not finished lapses after one lease.
     */
    public void keepAlive(Exchange exchange) {
        ArchiveClaim claim = claim(exchange);
        ledger.keepAlive(claim.generationId(), claim.leaseOwner());
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                ledger.stopKeepingAlive(claim.leaseOwner());
            }
        });
    }

    /** Before each image and the manifest: a lost lease is noticed before more work is done. */
    public void renewLease(Exchange exchange) {
        ArchiveClaim claim = claim(exchange);
        requireLease(ledger.renewLease(claim.generationId(), claim.leaseOwner()));
    }

    /** After the image's object was written: its key, type, size and sha256 (read on the way). */
    public void recordStored(Exchange exchange) {
        ArchiveClaim claim = claim(exchange);
        MeteredInputStream image = exchange.getProperty(ImageResponseHandler.IMAGE_STREAM, MeteredInputStream.class);
        boolean recorded = ledger.recordImage(claim.generationId(), claim.leaseOwner(),
                exchange.getProperty(ImageResponseHandler.IMAGE_INDEX, Integer.class),
                exchange.getProperty(ImageResponseHandler.OBJECT_KEY, String.class),
                exchange.getProperty(ImageResponseHandler.IMAGE_CONTENT_TYPE, String.class),
                image.size(), image.sha256Hex());
        requireLease(recorded);
    }

    /** The exchange property holding the fixed token of the last refused image. */
    public static final String REFUSED_REASON = "imageRefusedReason";

    /** An image deliberately not archived; the reason is the refusal's fixed token. */
    public void recordRefused(Exchange exchange) {
        ArchiveClaim claim = claim(exchange);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = cause instanceof ImageRefusedException refused ? refused.getReason()
                : tooLarge(cause) ? "image_too_large" : "refused";
        // for the "image refused" log line of archive-errors
        exchange.setProperty(REFUSED_REASON, reason);
        requireLease(ledger.recordRefusedImage(claim.generationId(), claim.leaseOwner(),
                exchange.getProperty(ImageResponseHandler.IMAGE_INDEX, Integer.class), reason));
    }

    /** After the manifest was stored: ARCHIVED, and its generation.completed event made from that manifest. */
    public void archived(Exchange exchange) {
        ArchiveClaim claim = claim(exchange);
        WrittenManifest manifest = exchange.getProperty(GenerationExchange.MANIFEST, WrittenManifest.class);
        if (manifest == null) {
            throw new IllegalStateException("no manifest was written on this exchange");
        }
        requireLease(ledger.markArchived(claim.generationId(), claim.leaseOwner(), manifest.key(), manifest.content()));
    }

    /** Retrying will not help: FAILED with the fixed reason, keeping what was stored. */
    public void failed(Exchange exchange) {
        ArchiveClaim claim = claim(exchange);
        if (claim != null) {
            ledger.markFailed(claim.generationId(), claim.leaseOwner(), reasonOf(exchange, "archive_failed"));
        }
    }

    /** Redeliveries are spent: give the claim back with a backoff; the re-drive timer tries again. */
    public void retryLater(Exchange exchange) {
        ArchiveClaim claim = claim(exchange);
        if (claim != null) {
            ledger.releaseForRetry(claim.generationId(), claim.leaseOwner(), reasonOf(exchange, "archive_error"));
        }
    }

    private static String reasonOf(Exchange exchange, String fallback) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (cause instanceof ArchiveFailedException failed) {
            return failed.getReason();
        }
        if (cause instanceof ImageFetchRetryableException || cause instanceof ImageRefusedException) {
            return cause.getMessage();
        }
        // never the exception text: it can carry a signed URL or an account detail
        return cause == null ? fallback : fallback + ":" + cause.getClass().getSimpleName();
    }

    /** The size limit trips inside whichever stream reader hit it (the S3 client, the file writer). */
    private static boolean tooLarge(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof MeteredInputStream.ImageTooLargeException) {
                return true;
            }
        }
        return false;
    }

    private static ArchiveClaim claim(Exchange exchange) {
        return exchange.getProperty(ArchivePlanner.CLAIM, ArchiveClaim.class);
    }

    private static void requireLease(boolean stillOurs) {
        if (!stillOurs) {
            throw new LeaseLostException();
        }
    }
}
