package dev.customs.image.layers;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads a tar stream entry by entry, without seeking and without buffering more than one header: ustar (with its name
 * prefix), GNU long names and pax extended headers ({@code path}, {@code size}). Entry contents are read through
 * {@link #content()} or skipped. A malformed stream ends with an {@link IOException} naming what was wrong, never with
 * a runtime exception; header fields are bounded (a pax header or long name is read only up to {@value #MAX_META}
 * bytes).
 */
final class TarReader {

    /** One entry. {@code type} is the tar type flag: '0' or NUL regular file, '5' directory, '2' symlink, ... */
    record Entry(String path, char type, long size) {
        boolean regularFile() {
            return type == '0' || type == '\0' || type == '7';
        }
    }

    static final int BLOCK = 512;
    static final int MAX_META = 64 * 1024;

    private final InputStream in;
    private final byte[] header = new byte[BLOCK];
    private long remaining;
    private long padding;
    private String globalPath;

    TarReader(InputStream in) {
        this.in = in;
    }

    /** The next entry, or null at the end of the archive. Unread content of the previous entry is skipped. */
    Entry next() throws IOException {
        skipRest();
        String longName = null;
        String paxPath = null;
        long paxSize = -1;
        while (true) {
            if (!readBlock()) {
                return null;
            }
            if (allZero(header)) {
                return null; // end-of-archive marker (the second zero block is not needed)
            }
            if (!checksumOk()) {
                throw new IOException("not a tar archive (bad header checksum)");
            }
            char type = (char) header[156];
            long size = number(124, 12);
            if (size < 0) {
                throw new IOException("invalid entry size in tar header");
            }
            switch (type) {
                case 'L' -> {
                    longName = cString(readMeta(size));
                    continue;
                }
                case 'x', 'g' -> {
                    byte[] meta = readMeta(size);
                    String[] pax = pax(meta);
                    if (type == 'g') {
                        globalPath = pax[0] != null ? pax[0] : globalPath;
                    } else {
                        paxPath = pax[0];
                        paxSize = pax[1] == null ? -1 : parseLong(pax[1]);
                    }
                    continue;
                }
                default -> {
                }
            }
            String name = paxPath != null ? paxPath : longName != null ? longName : ustarName();
            long entrySize = paxSize >= 0 ? paxSize : size;
            boolean hasData = type != '5' && type != '2' && type != '1' && type != '3' && type != '4' && type != '6';
            remaining = hasData ? entrySize : 0;
            padding = hasData ? (BLOCK - entrySize % BLOCK) % BLOCK : 0;
            return new Entry(normalize(name), type, hasData ? entrySize : 0);
        }
    }

    /** The current entry's content; reading past it returns -1. Valid until {@link #next()}. */
    InputStream content() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remaining <= 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, remaining));
                if (n < 0) {
                    throw new EOFException("tar entry cut short");
                }
                remaining -= n;
                return n;
            }
        };
    }

    private void skipRest() throws IOException {
        skip(remaining + padding);
        remaining = 0;
        padding = 0;
    }

    private void skip(long n) throws IOException {
        byte[] buf = null;
        long left = n;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (buf == null) {
                    buf = new byte[8192];
                }
                int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) {
                    throw new EOFException("tar archive cut short");
                }
                s = r;
            }
            left -= s;
        }
    }

    private boolean readBlock() throws IOException {
        int off = 0;
        while (off < BLOCK) {
            int n = in.read(header, off, BLOCK - off);
            if (n < 0) {
                if (off == 0) {
                    return false; // a stream without end marker still ends cleanly between entries
                }
                throw new EOFException("tar header cut short");
            }
            off += n;
        }
        return true;
    }

    private byte[] readMeta(long size) throws IOException {
        if (size > MAX_META) {
            throw new IOException("tar extended header larger than " + MAX_META + " bytes");
        }
        byte[] b = in.readNBytes((int) size);
        if (b.length < size) {
            throw new EOFException("tar extended header cut short");
        }
        skip((BLOCK - size % BLOCK) % BLOCK);
        return b;
    }

    /** {@code path} and {@code size} of a pax header: records {@code "<len> <key>=<value>\n"}. */
    private static String[] pax(byte[] meta) throws IOException {
        String[] out = new String[2];
        int i = 0;
        while (i < meta.length) {
            int space = i;
            while (space < meta.length && meta[space] != ' ') {
                space++;
            }
            int len;
            try {
                len = Integer.parseInt(new String(meta, i, space - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new IOException("invalid pax header");
            }
            if (len <= 0 || i + len > meta.length || space >= i + len) {
                throw new IOException("invalid pax header record");
            }
            String record = new String(meta, space + 1, i + len - space - 2, StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq > 0) {
                String key = record.substring(0, eq);
                if (key.equals("path")) {
                    out[0] = record.substring(eq + 1);
                } else if (key.equals("size")) {
                    out[1] = record.substring(eq + 1);
                }
            }
            i += len;
        }
        return out;
    }

    private static long parseLong(String s) throws IOException {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw new IOException("invalid size in pax header");
        }
    }

    private String ustarName() {
        String name = cString(header, 0, 100);
        boolean ustar = header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a'
                && header[261] == 'r';
        if (ustar && header[345] != 0) {
            String prefix = cString(header, 345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
        }
        return name;
    }

    /** {@code ./a//b/} → {@code a/b}; never a leading slash. */
    static String normalize(String path) {
        String p = path.replace('\\', '/');
        while (p.startsWith("./") || p.startsWith("/")) {
            p = p.startsWith("./") ? p.substring(2) : p.substring(1);
        }
        p = p.replaceAll("/{2,}", "/");
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    private long number(int off, int len) {
        if ((header[off] & 0x80) != 0) {
            // base-256 (GNU) for large sizes
            long v = header[off] & 0x7f;
            for (int i = 1; i < len; i++) {
                if (v > (Long.MAX_VALUE >> 8)) {
                    return -1;
                }
                v = (v << 8) | (header[off + i] & 0xff);
            }
            return v;
        }
        long v = 0;
        for (int i = off; i < off + len; i++) {
            byte b = header[i];
            if (b == 0 || b == ' ') {
                if (v != 0 || i > off) {
                    boolean rest = true;
                    for (int j = i; j < off + len; j++) {
                        rest &= header[j] == 0 || header[j] == ' ';
                    }
                    if (rest) {
                        break;
                    }
                }
                continue;
            }
            if (b < '0' || b > '7') {
                return -1;
            }
            v = v * 8 + (b - '0');
        }
        return v;
    }

    private boolean checksumOk() {
        long stored = number(148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xff);
        }
        return stored == sum;
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static String cString(byte[] b) {
        return cString(b, 0, b.length);
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }
}
