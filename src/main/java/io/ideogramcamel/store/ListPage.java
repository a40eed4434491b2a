package io.ideogramcamel.store;

/**
 * Where a page of an operators' list starts: after the row with this change time and id, in the
 * order newest change first, then id descending. {@link #FIRST} starts at the newest row. The same
 * order for generations and submissions, so a list of both can be merged and paged as one.
 *
 * @param updatedAt the last row's change time of the page before (epoch milliseconds)
 * @param id        the last row's id of the page before (its generation id or queued id)
 */
public record ListPage(long updatedAt, String id) {

    /** Before every row: no row is changed at Long.MAX_VALUE, and every id sorts above "". */
    public static final ListPage FIRST = new ListPage(Long.MAX_VALUE, "");

    /*
     * The paging condition and order of a list over the table's change time and id columns, for an
     * index on (state, updated_at, id): a row-value comparison lets both databases seek to the page
     * instead of walking the rows before it. Parameters: updatedAt, id, limit.
     */
    public static String afterAndOrder(String idColumn) {
        return "(updated_at, " + idColumn + ") < (?, ?) "
                + "ORDER BY updated_at DESC, " + idColumn + " DESC FETCH FIRST ? ROWS ONLY";
    }
}
