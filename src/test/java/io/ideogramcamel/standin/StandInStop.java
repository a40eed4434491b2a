package io.ideogramcamel.standin;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;

/**
 * The stand-in's clean stop, without {@code pkill}: a started stand-in writes a random token to
 * {@code target/ideogram-standin-<port>.token} (readable by its owner only) and accepts
 * {@code POST /control/stop} on 127.0.0.1 with that token; {@code --stop} reads the file, sends the
 * request and waits, at most 10 s, until nothing listens on the port any more.
 */
final class StandInStop {

    private static final int WAIT_STEPS = 100;
    private static final long WAIT_STEP_MILLIS = 100;

    private StandInStop() {
    }

    /** Relative to the working directory: a stop works from the folder the stand-in was started in. */
    static Path tokenFile(int port) {
        return Path.of("target", "ideogram-standin-" + port + ".token");
    }

    /** Writes a fresh token for the stand-in that now holds the port (a stale file of a killed one is replaced). */
    static String writeToken(Path file) throws IOException {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
        Files.writeString(file, token);
        return token;
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // nothing to do at exit; the next start replaces the file
        }
    }

    /** {@code --stop}: 0 when no stand-in listens on the port afterwards, 1 otherwise. */
    static int stop(int port) throws IOException, InterruptedException {
        Path file = tokenFile(port);
        if (!Files.isRegularFile(file)) {
            System.err.println("No stand-in was started from this folder on port " + port + " (" + file
                    + " is missing); give --port N if it listens on another port");
            return 1;
        }
        String token = Files.readString(file).trim();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + LocalIdeogram.STOP_PATH))
                .timeout(Duration.ofSeconds(5))
                .header(LocalIdeogram.STOP_TOKEN_HEADER, token)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException nothingListens) {
            deleteQuietly(file);
            System.out.println("No stand-in listens on 127.0.0.1:" + port + " (removed the stale " + file + ")");
            return 0;
        }
        if (response.statusCode() != 202) {
            System.err.println("The server on 127.0.0.1:" + port + " refused the stop: HTTP " + response.statusCode()
                    + " (" + file + " is not from its start)");
            return 1;
        }
        for (int i = 0; i < WAIT_STEPS; i++) {
            if (!listening(port)) {
                System.out.println("Stopped the stand-in on 127.0.0.1:" + port);
                return 0;
            }
            Thread.sleep(WAIT_STEP_MILLIS);
        }
        System.err.println("The stand-in on 127.0.0.1:" + port + " accepted the stop but still listens after "
                + WAIT_STEPS * WAIT_STEP_MILLIS / 1000 + " s");
        return 1;
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
