package io.ideogramcamel.standin;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar ideogram-standin.jar [--port 8090] [--api-key K] [--delay-millis 1500] [--max-inflight-images 10]},
 * and {@code java -jar ideogram-standin.jar --stop [--port 8090]} from the same folder to stop it.
 */
final class StandInCommandLine {

    static final String USAGE = "usage: java -jar ideogram-standin.jar [--port 8090] [--api-key " + LocalIdeogram.DEFAULT_API_KEY
            + "] [--delay-millis 1500] [--max-inflight-images 10]\n"
            + "       java -jar ideogram-standin.jar --stop [--port 8090]   (from the folder it was started in)";

    private StandInCommandLine() {
    }

    static void run(String[] args) throws Exception {
        List<String> options = new ArrayList<>(List.of(args));
        boolean stop = options.remove("--stop");
        LocalIdeogram.Builder builder;
        int port;
        try {
            builder = parse(options.toArray(String[]::new));
            port = port(options);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (stop) {
            System.exit(StandInStop.stop(port));
            return;
        }
        LocalIdeogram ideogram = builder.start();
        Path tokenFile = StandInStop.tokenFile(ideogram.port());
        CountDownLatch stopRequested = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ideogram.close();
            StandInStop.deleteQuietly(tokenFile);
        }, "ideogram-standin-stop"));
        ideogram.acceptStopRequests(StandInStop.writeToken(tokenFile), stopRequested::countDown);
        System.out.println("Ideogram stand-in listening on " + ideogram.baseUrl() + " (Api-Key: " + ideogram.apiKey()
                + "; submit POST " + ideogram.generateUrl() + "?webhook_url=...; JWKS " + ideogram.jwksUrl()
                + "); prompt markers: " + PromptMarkers.SUMMARY + "; stop it with: java -jar target/ideogram-standin.jar --stop"
                + (ideogram.port() == 8090 ? "" : " --port " + ideogram.port()));
        System.out.flush();
        // the server's threads are daemons, so this thread keeps the program alive until a stop
        // request (--stop) or a signal; the shutdown hook closes the server and removes the token
        stopRequested.await();
        System.exit(0);
    }

    /** The --port given, else 8090 (the options are valid: parse accepted them). */
    private static int port(List<String> options) {
        int at = options.lastIndexOf("--port");
        return at < 0 ? 8090 : Integer.parseInt(options.get(at + 1));
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
