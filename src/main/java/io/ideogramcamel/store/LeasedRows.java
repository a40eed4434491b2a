package io.ideogramcamel.store;

/**
 * The SQL of "due work with a lease", written once for every ledger that has some: the archive's
 * RECEIVED generations, the poll's SUBMITTED ones, the events' PENDING deliveries. A table qualifies
 * when it has a key column and the columns {@code lease_owner}, {@code lease_until},
 * {@code next_attempt_at}, {@code attempts} and {@code updated_at}; {@code working} is the guard
 * that says a row is still this ledger's work (such as {@code state = 'RECEIVED'}).
 *
 * <p>Every time comes from the database's clock ({@link StoreSql#NOW}), so instances whose clocks
 * disagree still agree on when a lease lapses and when a row is due. Every statement that ends or
 * postpones work is guarded by the lease owner, so a worker whose lease was taken over changes
 * nothing. Only SQL text built from the constructor's fixed arguments is returned: values are always
 * parameters.
 */
public final class LeasedRows {

    private final String table;
    private final String key;
    private final String working;
    private final String free;

    /**
     * @param table   the table, a fixed name
     * @param key     its key column
     * @param working the guard that keeps a row this ledger's work, a fixed SQL condition
     */
    public LeasedRows(String table, String key, String working) {
        this.table = table;
        this.key = key;
        this.working = working;
        this.free = "(lease_until IS NULL OR lease_until < " + StoreSql.NOW + ")";
    }

    /**
     * Keys due now and free, oldest due first; for a ledger whose {@code working} fixes
     * {@code state} to one value, which every caller's does. Ordered by the whole
     * {@code (state, next_attempt_at)} index rather than by the due time alone: H2 2.3 reads the index
     * in order and stops at the limit only when the ORDER BY names its leading column too. By the due
     * time alone it read every due row and sorted them, 2 s a call at 129,000 received generations.
     * PostgreSQL reads the index in order either way.
     * Parameter: 1 the limit.
     */
    public String findDue() {
        return "SELECT " + key + " FROM " + table + " WHERE " + working + " AND next_attempt_at <= " + StoreSql.NOW
                + " AND " + free + " ORDER BY state, next_attempt_at FETCH FIRST ? ROWS ONLY";
    }

    /**
     * Takes one due, free row. The due-time guard keeps a row released with a backoff from being
     * retried at once by a worker that listed it just before the release.
     * Parameters: 1 lease owner, 2 lease millis, 3 updated_at, 4 key, then those of {@code extraGuard}.
     *
     * @param extraGuard a further fixed condition (" AND ..."), or empty
     */
    public String claim(String extraGuard) {
        return "UPDATE " + table + " SET lease_owner = ?, lease_until = " + StoreSql.NOW + " + ?, updated_at = ? "
                + "WHERE " + key + " = ? AND " + working + " AND " + free
                + " AND (next_attempt_at IS NULL OR next_attempt_at <= " + StoreSql.NOW + ")" + extraGuard;
    }

    /**
     * Renews a held lease. A lapsed lease nobody has taken over yet may still be renewed by its owner:
     * lease_owner alone says who holds the row. On PostgreSQL the UPDATE locks the row, so a competing
     * claim waits and then re-checks lease_until against the renewed value.
     * Parameters: 1 lease millis, 2 updated_at, 3 key, 4 lease owner.
     */
    public String renew() {
        return "UPDATE " + table + " SET lease_until = " + StoreSql.NOW + " + ?, updated_at = ? "
                + "WHERE " + key + " = ? AND " + working + " AND lease_owner = ?";
    }

    /**
     * Ends the work under a held lease: {@code set} (fixed text, may hold parameters) plus the lease
     * and the due time cleared.
     * Parameters: those of {@code set}, then updated_at, key, lease owner.
     */
    public String finish(String set) {
        return "UPDATE " + table + " SET " + set + ", lease_owner = NULL, lease_until = NULL, next_attempt_at = NULL, "
                + "updated_at = ? WHERE " + key + " = ? AND " + working + " AND lease_owner = ?";
    }

    /**
     * Ends the work on a row nobody holds a live lease on (a worker that holds one is left to
     * finish): {@code set} plus the lease and the due time cleared, when {@code extraGuard} holds.
     * Parameters: those of {@code set}, then updated_at, key, then those of {@code extraGuard}.
     */
    public String finishFree(String set, String extraGuard) {
        return "UPDATE " + table + " SET " + set + ", lease_owner = NULL, lease_until = NULL, next_attempt_at = NULL, "
                + "updated_at = ? WHERE " + key + " = ? AND " + working + " AND " + free + extraGuard;
    }

    /**
     * Gives a held row back for a later attempt: one more attempt counted, due after
     * {@code delayMillisSql} (fixed text: a number, a CASE over attempts, or {@code ?}).
     * Parameters: those of {@code set} and of the delay, then updated_at, key, lease owner.
     *
     * @param set further fixed assignments (", error = ?"), or empty
     */
    public String later(String delayMillisSql, String set) {
        return "UPDATE " + table + " SET attempts = attempts + 1" + set + ", next_attempt_at = " + StoreSql.NOW
                + " + " + delayMillisSql + ", lease_owner = NULL, lease_until = NULL, updated_at = ? "
                + "WHERE " + key + " = ? AND " + working + " AND lease_owner = ?";
    }

    /**
     * What an earlier run of this instance id held when it died: free and due now. Parameters: the
     * LIKE patterns (escape '!') of this instance's tokens and of this run's (see
     * {@link StoreLedger#releaseEarlierLeases}).
     */
    public String releaseEarlier() {
        return "UPDATE " + table + " SET lease_owner = NULL, lease_until = NULL, next_attempt_at = " + StoreSql.NOW
                + ", updated_at = " + StoreSql.NOW + " WHERE " + working
                + " AND lease_owner LIKE ? ESCAPE '!' AND lease_owner NOT LIKE ? ESCAPE '!'";
    }

    /** The condition "nobody holds a live lease on this row", for statements of the ledger's own. */
    public String free() {
        return free;
    }
}
