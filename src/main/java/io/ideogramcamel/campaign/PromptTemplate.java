package io.ideogramcamel.campaign;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A campaign's prompt_template: {@code {product}}, {@code {format}} and {@code {<metadata key>}}
 * replaced by their values. A placeholder naming nothing known is refused rather than sent as text:
 * a typo ({@code {prodcut}}) would otherwise bill every image of the campaign with a broken prompt.
 */
final class PromptTemplate {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_.-]{1,64})}");

    private PromptTemplate() {
    }

    /** Whether every placeholder of {@code template} is one of {@code known}. */
    static boolean knowsAll(String template, java.util.Set<String> known) {
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            if (!known.contains(m.group(1))) {
                return false;
            }
        }
        return true;
    }

    /** The template with each placeholder replaced; placeholders not in {@code values} stay as written. */
    static String render(String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value == null ? m.group() : value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
