package io.ideogramcamel.archive;

import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.store.StoreSql;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * POST /generations/{id}/variants: what the request may do (its generation's state), and the
 * re-make's lease on the ARCHIVED row, held while the variants are made and the manifest rewritten,
 * given back however the exchange ends.
 */
public class VariantRemake {

    /** The answers of {@link #state}: the route's choice turns them into 404, 409 or 202. */
    public static final String NOT_FOUND = "not_found";

    private VariantLedger ledger;

    public void setLedger(VariantLedger ledger) {
        this.ledger = ledger;
    }

    /** The generation's state, or {@value #NOT_FOUND} for an unknown id or one no generation could have. */
    public String state(String generationId) {
        try {
            StoreSql.requireId(generationId);
        } catch (IllegalArgumentException e) {
            return NOT_FOUND;
        }
        String state = ledger.state(generationId);
        return state == null ? NOT_FOUND : state;
    }

    /**
     * Takes the re-make's lease into {@link ArchivePlanner#CLAIM} (with {@link GenerationExchange#VARIANT_REMAKE}),
     * kept alive until the exchange ends, then given back. Null when another re-make holds it (it
     * makes the same variants) or the row is no longer ARCHIVED.
     */
    public ArchiveClaim claim(Exchange exchange) {
        String generationId = exchange.getMessage().getBody(String.class);
        ArchiveClaim claim = ledger.claimForRemake(generationId);
        if (claim == null) {
            return null;
        }
        exchange.setProperty(GenerationExchange.GENERATION_ID, generationId);
        exchange.setProperty(GenerationExchange.VARIANT_REMAKE, true);
        exchange.setProperty(GenerationExchange.VARIANTS_RECORDED, 0);
        ledger.keepAlive(generationId, claim.leaseOwner());
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                ledger.stopKeepingAlive(claim.leaseOwner());
                ledger.finishRemake(generationId, claim.leaseOwner());
            }
        });
        return claim;
    }
}
