package dev.herald.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP proxy on loopback, as a firewall's egress proxy is: {@code CONNECT host:port} opens a tunnel to that
 * address; a request in absolute form ({@code POST http://host:port/path}) is forwarded to its host. It connects to
 * loopback only (anything else is answered 403) and records each request head it was sent, as its request line and
 * its {@code Proxy-Authorization} header ({@code "-"} when none) on two lines: JDK strings, so that a test can read
 * them across class loaders (a Quarkus test profile starts the proxy).
 */
public final class ConnectProxy implements AutoCloseable {

    private final ServerSocket server;
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    public ConnectProxy() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "connect-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** What it was sent so far: request line, a new line, the Proxy-Authorization header or "-". */
    public List<String> seen() {
        return seen;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                Thread serve = new Thread(() -> serve(client), "connect-proxy-client");
                serve.setDaemon(true);
                serve.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            String head = readHead(in);
            String[] lines = head.split("\r\n");
            String authorization = null;
            StringBuilder forwarded = new StringBuilder();
            for (int i = 1; i < lines.length; i++) {
                if (lines[i].regionMatches(true, 0, "Proxy-Authorization:", 0, 20)) {
                    authorization = lines[i].substring(20).strip();
                } else {
                    forwarded.append(lines[i]).append("\r\n");
                }
            }
            seen.add(lines[0] + "\n" + (authorization == null ? "-" : authorization));
            String[] requestLine = lines[0].split(" ");
            boolean connect = "CONNECT".equals(requestLine[0]);
            String authority = connect ? requestLine[1] : requestLine[1].replaceFirst("^http://", "").split("/", 2)[0];
            int colon = authority.lastIndexOf(':');
            InetAddress target = InetAddress.getByName(authority.substring(0, colon).replaceAll("[\\[\\]]", ""));
            if (!target.isLoopbackAddress()) {
                out.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            try (Socket upstream = new Socket(target, Integer.parseInt(authority.substring(colon + 1)))) {
                sockets.add(upstream);
                if (connect) {
                    out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } else {
                    String path = "/" + requestLine[1].replaceFirst("^http://[^/]+/?", "");
                    upstream.getOutputStream().write((requestLine[0] + " " + path + " " + requestLine[2] + "\r\n"
                            + forwarded + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                }
                Thread back = new Thread(() -> pipe(upstream, client), "connect-proxy-back");
                back.setDaemon(true);
                back.start();
                pipe(client, upstream);
            }
        } catch (IOException | RuntimeException ended) {
            // the client or the upstream went away: the tunnel ends with it
        }
    }

    private static void pipe(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException ended) {
            // either side closed
        } finally {
            try {
                to.shutdownOutput();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    /** Reads up to the blank line that ends a request head (bounded). */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4 && head.size() < 65_536) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the client closed before its request head ended");
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
