package io.ideogramcamel.standin;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The behaviours a prompt asks for with {@code #words}, so a demo can show each case with curl.
 * Whole words only: {@code #unsafe-prompt} does not also mean {@code #unsafe}.
 */
record PromptMarkers(boolean dropWebhook, boolean fail, boolean unsafeImage, boolean noFunds, boolean unsafePrompt) {

    static final String SUMMARY = "#drop-webhook (no webhook: poll), #fail (fails: poll), #unsafe (image 0 unsafe),"
            + " #no-funds (402), #unsafe-prompt (422)";

    private static final Pattern MARKER = Pattern.compile("#([A-Za-z][A-Za-z-]*)");

    static PromptMarkers in(String prompt) {
        Set<String> words = new HashSet<>();
        Matcher matcher = MARKER.matcher(prompt);
        while (matcher.find()) {
            words.add(matcher.group(1).toLowerCase(Locale.ROOT));
        }
        return new PromptMarkers(words.contains("drop-webhook"), words.contains("fail"), words.contains("unsafe"),
                words.contains("no-funds"), words.contains("unsafe-prompt"));
    }
}
