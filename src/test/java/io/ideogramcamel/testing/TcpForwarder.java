package io.ideogramcamel.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on 127.0.0.1 in front of a real server: {@link #close()} drops the listener and
 * every live connection (the database "goes down"), {@link #open()} listens on the same port again.
 */
public final class TcpForwarder implements AutoCloseable {
    private final int targetPort;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;

    public TcpForwarder(int targetPort) throws IOException {
        this.targetPort = targetPort;
        ServerSocket s = listenBelowEphemeralRange();
        this.port = s.getLocalPort();
        start(s);
    }

    /*
     * The port is closed and opened again while the test runs. A port from the ephemeral range (what
     * port 0 gives) may meanwhile be taken as the source port of any outgoing connection on the
     * machine, and the reopen fails; ports below that range are only ever taken by a listener that
     * asks for them by number. Bounded: 200 random tries.
     */
    private static ServerSocket listenBelowEphemeralRange() throws IOException {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        IOException last = null;
        for (int i = 0; i < 200; i++) {
            try {
                return listen(random.nextInt(20_000, 32_000));
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    /** A forwarder whose port is reserved but closed: the database starts out "down". */
    public static TcpForwarder closed(int targetPort) throws IOException {
        TcpForwarder f = new TcpForwarder(targetPort);
        f.close();
        return f;
    }

    public int port() {
        return port;
    }

    public synchronized void open() throws IOException {
        if (server == null) {
            start(listen(port));
        }
    }

    @Override
    public synchronized void close() throws IOException {
        ServerSocket s = server;
        server = null;
        if (s != null) {
            s.close();
        }
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return s;
    }

    private void start(ServerSocket s) {
        server = s;
        Thread t = new Thread(() -> acceptLoop(s), "tcp-forwarder-" + port);
        t.setDaemon(true);
        t.start();
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket client = s.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                // a connection accepted while close() ran must not outlive it: a pool filling up at
                // that moment once kept one, and a "store down" test then found the store up
                synchronized (this) {
                    if (server != s) {
                        closeQuietly(client);
                        closeQuietly(upstream);
                        continue;
                    }
                    sockets.add(client);
                    sockets.add(upstream);
                }
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                // closed while accepting, or the target refused: the client sees a closed connection
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // either side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-forwarder-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed by the other pump or by close()
        }
    }
}
