package dev.customs.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One kept-alive HTTPS connection to Customs that writes a review and reads its answer on the calling thread, as the
 * API server's client does. The JDK's {@code HttpClient} hands every exchange between its selector thread and an
 * executor thread; on two cores shared with Customs those hand-offs took milliseconds, which the cold path's figures
 * counted as Customs' own time ({@link Bench}, the cold path, measures both clients side by side).
 *
 * <p>
 * The registry proxy's own time per request is measured with a plain HTTP one ({@link #get}), so that figure holds no
 * more of the client than the reviews do.
 *
 * <p>
 * Enough of HTTP/1.1 for Customs' answers: a status line, headers, and a body of {@code Content-Length} bytes. Anything
 * else (a chunked body, a closed connection, an oversized header) is an error.
 */
final class ReviewSocket implements Closeable {

    private static final int MAX_LINE = 8192;
    private static final int MAX_BODY = 16 * 1024 * 1024;

    private final Socket socket;
    private final String authority;
    private final OutputStream out;
    private final InputStream in;
    private final byte[] head;

    /** A connection to Customs over HTTPS, for POSTs to {@code validate}. */
    ReviewSocket(SSLContext tls, URI validate) throws IOException {
        this(open(tls, validate), validate);
    }

    /** A plain HTTP connection to {@code base} ({@code http://host:port}), for GETs. */
    ReviewSocket(URI base) throws IOException {
        this(new Socket(base.getHost(), base.getPort()), base);
    }

    private ReviewSocket(Socket socket, URI uri) throws IOException {
        this.socket = socket;
        this.authority = uri.getRawAuthority();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        head = ("POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + authority
                + "\r\nContent-Type: application/json\r\nContent-Length: ").getBytes(StandardCharsets.US_ASCII);
    }

    private static SSLSocket open(SSLContext tls, URI validate) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(validate.getHost(), validate.getPort());
        try {
            SSLParameters p = socket.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate is checked for the host, as HttpClient does
            socket.setSSLParameters(p);
            socket.startHandshake();
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** GETs {@code path} and returns the answer's body; an answer other than 200 is an error that shows its body. */
    byte[] get(String path) throws IOException {
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return answer();
    }

    /** Sends a review and returns the answer's body; an answer other than 200 is an error that shows its body. */
    byte[] post(byte[] body) throws IOException {
        out.write(head);
        out.write((body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return answer();
    }

    private byte[] answer() throws IOException {
        String status = line();
        if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
            throw new IOException("not an HTTP/1.1 status line: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        for (String h = line(); !h.isEmpty(); h = line()) {
            int colon = h.indexOf(':');
            String name = colon < 0 ? h : h.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = colon < 0 ? "" : h.substring(colon + 1).strip();
            if (name.equals("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equals("transfer-encoding")) {
                throw new IOException("a " + value + " answer: only Content-Length bodies are read here");
            }
        }
        if (length < 0 || length > MAX_BODY) {
            throw new IOException("an answer without a usable Content-Length: " + length);
        }
        byte[] answer = in.readNBytes((int) length);
        if (answer.length != length) {
            throw new EOFException("the answer ended after " + answer.length + " of " + length + " bytes");
        }
        if (code != 200) {
            throw new IllegalStateException(
                    authority + " answered " + code + ": " + new String(answer, StandardCharsets.UTF_8));
        }
        return answer;
    }

    /** A header line without its CRLF. */
    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("the connection closed in the answer's head");
            }
            if (b.size() >= MAX_LINE) {
                throw new IOException("a header line longer than " + MAX_LINE + " bytes");
            }
            b.write(c);
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
