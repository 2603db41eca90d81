package dev.customs.image.registry;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.customs.image.layers.LayerSource;
import dev.customs.image.registry.RegistryClient.Target;
import dev.customs.rules.Layer;

/**
 * What one resolution of an image needs to read from its repository, bound together: the client (with the registry's
 * mirrors and remembered challenge), the repository, and the credentials that apply. Layer scans read blobs through it
 * long after the review that found the image has been answered.
 */
final class RepositorySession implements LayerSource {

    private final RegistryClient client;
    private final Target target;
    private final CredentialSource credentials;
    private final Duration headersTimeout;

    RepositorySession(RegistryClient client, Target target, CredentialSource credentials, Duration headersTimeout) {
        this.client = client;
        this.target = target;
        this.credentials = credentials;
        this.headersTimeout = headersTimeout;
    }

    /** A layer blob, streamed; its sha256 is checked as it is read, and a mismatch fails the read at the end. */
    @Override
    public InputStream open(Layer layer) throws IOException {
        if (!layer.digest().startsWith("sha256:")) {
            throw new IOException("unsupported layer digest algorithm in " + Digests.shortDigest(layer.digest()));
        }
        InputStream body;
        try {
            // the token, redirects and mirrors may each take a request timeout
            body = client.openBlob(target, layer.digest(), "layer blob", credentials)
                    .get(headersTimeout.toMillis() * (RegistryClient.MAX_REDIRECTS + 2), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException(RegistryFailure.of(e).getMessage());
        } catch (TimeoutException e) {
            throw new IOException("the registry did not start sending the layer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        return new Verified(body, layer.digest());
    }

    /** Hashes what passes through and compares at the end of the stream. */
    private static final class Verified extends FilterInputStream {
        private final MessageDigest sha256;
        private final String expected;
        private boolean checked;

        Verified(InputStream in, String expected) {
            super(in);
            this.expected = expected;
            try {
                this.sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                sha256.update(b, off, n);
            } else if (n < 0 && !checked) {
                checked = true;
                String actual = "sha256:" + HexFormat.of().formatHex(sha256.digest());
                if (!actual.equals(expected)) {
                    throw new IOException("digest mismatch: the layer fetched as " + Digests.shortDigest(expected)
                            + " hashes to " + Digests.shortDigest(actual));
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(n, 8192)];
            int r = read(buf, 0, buf.length);
            return Math.max(r, 0);
        }
    }
}
