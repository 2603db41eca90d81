package dev.customs.image.layers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

import io.airlift.compress.zstd.ZstdOutputStream;

/** Builds layer tar archives for tests (ustar, pax for long names), then gzip- or zstd-compresses them. */
public final class TestTar {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public static TestTar tar() {
        return new TestTar();
    }

    public TestTar file(String path, String content) {
        return file(path, content.getBytes(StandardCharsets.UTF_8));
    }

    public TestTar file(String path, byte[] content) {
        entry(path, '0', content.length);
        write(content);
        pad(content.length);
        return this;
    }

    /** A file of {@code size} bytes of a repeated pattern, streamed in without holding it. */
    public TestTar bigFile(String path, long size, byte[] pattern) {
        entry(path, '0', size);
        long left = size;
        while (left > 0) {
            int n = (int) Math.min(left, pattern.length);
            out.write(pattern, 0, n);
            left -= n;
        }
        pad(size);
        return this;
    }

    public TestTar dir(String path) {
        entry(path.endsWith("/") ? path : path + "/", '5', 0);
        return this;
    }

    /** Deletes {@code path} of a lower layer: an empty {@code .wh.<name>} entry beside it. */
    public TestTar whiteout(String path) {
        int slash = path.lastIndexOf('/');
        String wh = slash < 0 ? ".wh." + path : path.substring(0, slash + 1) + ".wh." + path.substring(slash + 1);
        return file(wh, new byte[0]);
    }

    public TestTar opaque(String dir) {
        return file(dir + "/.wh..wh..opq", new byte[0]);
    }

    public byte[] bytes() {
        byte[] end = new byte[1024];
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        copy.writeBytes(out.toByteArray());
        copy.writeBytes(end);
        return copy.toByteArray();
    }

    public byte[] gzip() {
        return compress(true);
    }

    public byte[] zstd() {
        return compress(false);
    }

    private byte[] compress(boolean gzip) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (OutputStream z = gzip ? new GZIPOutputStream(b) : new ZstdOutputStream(b)) {
            z.write(bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    private void entry(String path, char type, long size) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        if (name.length > 100) {
            String record = " path=" + path + "\n";
            int len = record.getBytes(StandardCharsets.UTF_8).length;
            int total = len + String.valueOf(len).length();
            if (String.valueOf(total).length() != String.valueOf(len).length()) {
                total++;
            }
            byte[] pax = (total + record).getBytes(StandardCharsets.UTF_8);
            header("PaxHeaders/x", 'x', pax.length);
            write(pax);
            pad(pax.length);
            header(path.substring(path.length() - 99), type, size);
        } else {
            header(path, type, size);
        }
    }

    private void header(String path, char type, long size) {
        byte[] h = new byte[512];
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(name, 0, h, 0, Math.min(100, name.length));
        octal(h, 100, 8, type == '5' ? 0755 : 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 1_700_000_000L);
        h[156] = (byte) type;
        byte[] magic = "ustar\u000000".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(magic, 0, h, 257, magic.length);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        h[155] = ' ';
        write(h);
    }

    private static void octal(byte[] h, int off, int len, long value) {
        String s = Long.toOctalString(value);
        s = "0".repeat(Math.max(0, len - 1 - s.length())) + s;
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, len - 1);
        h[off + len - 1] = 0;
    }

    private void pad(long size) {
        int p = (int) ((512 - size % 512) % 512);
        write(new byte[p]);
    }

    private void write(byte[] b) {
        out.write(b, 0, b.length);
    }
}
