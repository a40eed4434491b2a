package io.ideogramcamel.edge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A bare HTTP/1.1 connection for tests that look at what a high-level client hides: closes and headers. */
final class RawHttp implements AutoCloseable {

    private static final int READ_TIMEOUT_MILLIS = 10_000;

    private final Socket socket;

    RawHttp(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    }

    void send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** One answer's status line and headers (up to the blank line), lower-cased. */
    String readHead() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            if (head.size() > 65_536) {
                throw new IOException("answer head too long");
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1).toLowerCase();
    }

    /**
     * True when the server closes the connection: the read ends (after dropping at most 1 MiB of
     * answer bytes) or is reset, within the read timeout; false if the connection stays open that long.
     */
    boolean closedByServer() throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        long total = 0;
        try {
            while (total < 1024 * 1024) {
                int n = in.read(buffer);
                if (n < 0) {
                    return true;
                }
                total += n;
            }
            return false;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
