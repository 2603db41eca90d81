package dev.customs.image.registry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A Docker token service for the test registry: answers {@code GET /token?service=..&scope=..} with an RS256 JWT that
 * the registry verifies against {@link #certificatePem()} (its {@code auth.token.rootcertbundle}). Valid basic
 * credentials get the pull access they ask for; anonymous requests get a token without access (so the registry
 * answers 401); wrong credentials get 401 here.
 */
public final class TokenServer implements AutoCloseable {

    static final String SERVICE = "customs-test-registry";
    static final String ISSUER = "customs-test-issuer";

    private final HttpServer server;
    private final TestCerts.Issued signer = TestCerts.selfSigned("customs-test-token-signer");
    private final String user;
    private final String password;
    private final AtomicInteger requests = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final List<String> issued = new CopyOnWriteArrayList<>();
    volatile int expiresIn = 300;

    TokenServer(String user, String password) throws IOException {
        this.user = user;
        this.password = password;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-token-server");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/token", this::handle);
        server.start();
    }

    public String authority() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    String realm() {
        return "http://" + authority() + "/token";
    }

    String certificatePem() {
        return signer.certificatePem();
    }

    int requests() {
        return requests.get();
    }

    /** Every token this service handed out, so a test can check that none of them leaks into a log. */
    public List<String> issued() {
        return List.copyOf(issued);
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        try (ex) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String subject = "";
            if (auth != null) {
                String expected = "Basic " + Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
                if (!auth.equals(expected)) {
                    ex.sendResponseHeaders(401, -1);
                    return;
                }
                subject = user;
            }
            List<String[]> scopes = new ArrayList<>();
            String query = ex.getRequestURI().getRawQuery();
            for (String kv : query == null ? new String[0] : query.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0 && kv.substring(0, eq).equals("scope")) {
                    String scope = URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                    int first = scope.indexOf(':');
                    int last = scope.lastIndexOf(':');
                    scopes.add(new String[] { scope.substring(0, first), scope.substring(first + 1, last),
                            scope.substring(last + 1) });
                }
            }
            ObjectNode body = TestImages.MAPPER.createObjectNode();
            String token = mint(subject, subject.isEmpty() ? List.of() : scopes, false);
            issued.add(token);
            body.put("token", token);
            body.put("access_token", token);
            body.put("expires_in", expiresIn);
            body.put("issued_at", Instant.now().toString());
            byte[] out = TestImages.bytes(body);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
        }
    }

    /** A signed token for {@code subject} with the given {@code [type, name, actions]} scopes. */
    String mint(String subject, List<String[]> scopes, boolean push) {
        ObjectNode header = TestImages.MAPPER.createObjectNode();
        header.put("typ", "JWT");
        header.put("alg", "RS256");
        try {
            header.putArray("x5c").add(Base64.getEncoder().encodeToString(signer.certificate().getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        long now = Instant.now().getEpochSecond();
        ObjectNode claims = TestImages.MAPPER.createObjectNode();
        claims.put("iss", ISSUER);
        claims.put("sub", subject);
        claims.put("aud", SERVICE);
        claims.put("exp", now + expiresIn);
        claims.put("nbf", now - 10);
        claims.put("iat", now);
        claims.put("jti", UUID.randomUUID().toString());
        ArrayNode access = claims.putArray("access");
        for (String[] s : scopes) {
            ArrayNode actions = access.addObject().put("type", s[0]).put("name", s[1]).putArray("actions");
            for (String a : s[2].split(",")) {
                if (a.equals("pull") || push) {
                    actions.add(a);
                }
            }
        }
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(TestImages.bytes(header)) + "."
                + b64.encodeToString(TestImages.bytes(claims));
        try {
            Signature sig = Signature.getInstance("SHA256withRSA");
            sig.initSign(signer.keys().getPrivate());
            sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64.encodeToString(sig.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops the service; a realm that has gone away refuses connections. Closing twice is harmless. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
        }
    }
}
