import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The smallest stand-in for a Kubernetes Service in front of several bundle instances, for the
 * webhook benchmark's cluster line: a TCP balancer on loopback that hands each new connection to
 * the next backend in turn and copies bytes both ways untouched (as kube-proxy does per connection,
 * so keep-alive connections stay with their instance).
 *
 * <p>{@code java RoundRobinBalancer.java <listen-port> <host:port> <host:port>...}
 */
public final class RoundRobinBalancer {

    private RoundRobinBalancer() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: RoundRobinBalancer <listen-port> <host:port>...");
        }
        int port = Integer.parseInt(args[0]);
        InetSocketAddress[] backends = new InetSocketAddress[args.length - 1];
        for (int i = 1; i < args.length; i++) {
            int colon = args[i].lastIndexOf(':');
            backends[i - 1] = new InetSocketAddress(args[i].substring(0, colon), Integer.parseInt(args[i].substring(colon + 1)));
        }
        AtomicInteger next = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(port, 512, InetAddress.getLoopbackAddress())) {
            while (true) {
                Socket client = server.accept();
                InetSocketAddress backend = backends[Math.floorMod(next.getAndIncrement(), backends.length)];
                Thread connection = new Thread(() -> serve(client, backend), "balancer-" + client.getPort());
                connection.setDaemon(true);
                connection.start();
            }
        }
    }

    private static void serve(Socket client, InetSocketAddress backend) {
        try (client; Socket upstream = new Socket()) {
            upstream.connect(backend, 2000);
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            Thread answers = new Thread(() -> pump(upstream, client));
            answers.setDaemon(true);
            answers.start();
            pump(client, upstream);
            answers.join();
        } catch (IOException | InterruptedException e) {
            // the connection ends; the client sees it closed, as with a dead backend
        }
    }

    /** Copies until end of stream, then half-closes, so either side may finish first. */
    private static void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // one side broke: close both, which also ends the pump in the other direction
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
