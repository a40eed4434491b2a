package io.ideogramcamel.standin;

import java.util.concurrent.CountDownLatch;

/** {@code java -jar ideogram-standin.jar [--port 8090] [--api-key K] [--delay-millis 1500] [--max-inflight-images 10]}. */
final class StandInCommandLine {

    static final String USAGE = "usage: java -jar ideogram-standin.jar [--port 8090] [--api-key " + LocalIdeogram.DEFAULT_API_KEY
            + "] [--delay-millis 1500] [--max-inflight-images 10]";

    private StandInCommandLine() {
    }

    static void run(String[] args) throws Exception {
        LocalIdeogram.Builder builder;
        try {
            builder = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        LocalIdeogram ideogram = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(ideogram::close, "ideogram-standin-stop"));
        System.out.println("Ideogram stand-in listening on " + ideogram.baseUrl() + " (Api-Key: " + ideogram.apiKey()
                + "; submit POST " + ideogram.generateUrl() + "?webhook_url=...; JWKS " + ideogram.jwksUrl()
                + "); prompt markers: " + PromptMarkers.SUMMARY);
        System.out.flush();
        // the server's threads are daemons, so this thread keeps the program alive until it is killed
        new CountDownLatch(1).await();
    }

    static LocalIdeogram.Builder parse(String[] args) {
        LocalIdeogram.Builder builder = LocalIdeogram.builder().port(8090);
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if ("--help".equals(option) || "-h".equals(option)) {
                throw new IllegalArgumentException("Ideogram stand-in: a local fake of Ideogram's async API");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--port" -> builder.port(number(option, value));
                case "--api-key" -> builder.apiKey(value);
                case "--delay-millis" -> builder.completionDelayMillis(number(option, value));
                case "--max-inflight-images" -> builder.maxInflightImages(number(option, value));
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        return builder;
    }

    private static int number(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a number, not " + value);
        }
    }
}
