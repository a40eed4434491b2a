package io.ideogramcamel.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

import io.ideogramcamel.store.ListPage;

/**
 * The {@code next} / {@code after=} cursor of the operators' lists: where the next page starts, as
 * one opaque URL-safe token, so callers page without learning (or depending on) the order's columns.
 */
final class ListCursor {

    private static final Pattern TEXT = Pattern.compile("(\\d{1,19})\\.([A-Za-z0-9_-]{1,256})");

    private ListCursor() {
    }

    static String encode(ListPage page) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((page.updatedAt() + "." + page.id()).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param cursor a {@code next} value, or null/empty for the first page
     * @throws ApiRejectedException 400 invalid_cursor when it is not one this API gave out
     */
    static ListPage decode(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return ListPage.FIRST;
        }
        try {
            if (cursor.length() > 400) {
                throw new IllegalArgumentException("too long");
            }
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            var m = TEXT.matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a cursor");
            }
            return new ListPage(Long.parseLong(m.group(1)), m.group(2));
        } catch (IllegalArgumentException e) {
            throw new ApiRejectedException(400, "invalid_cursor", "after");
        }
    }
}
