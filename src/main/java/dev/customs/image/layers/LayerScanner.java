package dev.customs.image.layers;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import io.airlift.compress.zstd.ZstdInputStream;

/**
 * Scans one layer blob for secret files, streaming: the blob is decompressed (gzip, zstd or none, told apart by their
 * magic bytes rather than by the declared media type) and read as a tar archive entry by entry; only candidate files'
 * contents are kept in memory (at most {@link SecretFiles#NAMED_MAX} bytes each), nothing is written to disk. The scan
 * stops after {@code maxBytes} of uncompressed tar and says so ({@link LayerVerdict#capped()}), which also bounds what a
 * decompression bomb can cost.
 */
public final class LayerScanner {

    /** The most secret files one layer verdict lists. */
    static final int MAX_FILES = 100;

    private LayerScanner() {
    }

    /** Scans a layer blob; {@code blob} is read but not closed. A blob that is not a tar archive is an IOException. */
    public static LayerVerdict scan(InputStream blob, long maxBytes) throws IOException {
        Capped tarBytes = new Capped(decompressed(blob), maxBytes);
        TarReader tar = new TarReader(tarBytes);
        List<LayerVerdict.File> files = new ArrayList<>();
        List<String> whiteouts = new ArrayList<>();
        List<String> opaque = new ArrayList<>();
        boolean capped = false;
        try {
            TarReader.Entry e;
            while ((e = tar.next()) != null) {
                String path = e.path();
                String base = SecretFiles.baseName(path);
                if (base.startsWith(".wh.")) {
                    String dir = path.length() > base.length() ? path.substring(0, path.length() - base.length() - 1)
                            : "";
                    if (base.equals(".wh..wh..opq")) {
                        opaque.add(dir);
                    } else {
                        whiteouts.add(dir.isEmpty() ? base.substring(4) : dir + "/" + base.substring(4));
                    }
                    continue;
                }
                if (!e.regularFile() || files.size() >= MAX_FILES) {
                    continue;
                }
                SecretFiles.Interest interest = SecretFiles.interest(path, e.size());
                if (interest == SecretFiles.Interest.NONE) {
                    continue;
                }
                long limit = interest == SecretFiles.Interest.NAMED ? SecretFiles.NAMED_MAX : SecretFiles.SMALL_TEXT;
                byte[] content = tar.content().readNBytes((int) Math.min(e.size(), limit));
                for (String what : SecretFiles.judge(path, interest, content)) {
                    files.add(new LayerVerdict.File(path, what));
                }
            }
        } catch (CapReached c) {
            capped = true;
        }
        return new LayerVerdict(files, whiteouts, opaque, capped, tarBytes.count);
    }

    /** The blob decompressed according to its first bytes. */
    static InputStream decompressed(InputStream blob) throws IOException {
        BufferedInputStream in = new BufferedInputStream(blob, 64 * 1024);
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return new GZIPInputStream(in, 64 * 1024);
        }
        if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f
                && (magic[3] & 0xff) == 0xfd) {
            return new ZstdInputStream(in);
        }
        return in;
    }

    /** Thrown inside the scan when the byte cap is reached. */
    private static final class CapReached extends IOException {
        private static final long serialVersionUID = 1L;

        CapReached() {
            super("byte cap reached", null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** Counts what is read and stops at the cap. */
    private static final class Capped extends FilterInputStream {
        private final long cap;
        private final byte[] skipBuffer = new byte[64 * 1024];
        long count;

        Capped(InputStream in, long cap) {
            super(in);
            this.cap = cap;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (count >= cap) {
                throw new CapReached();
            }
            int n = super.read(b, off, (int) Math.min(len, cap - count));
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // read through, so the cap and the count see skipped bytes too (a compressed stream cannot seek anyway)
            int r = read(skipBuffer, 0, (int) Math.min(n, skipBuffer.length));
            return Math.max(r, 0);
        }
    }
}
