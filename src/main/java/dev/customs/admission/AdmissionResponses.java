package dev.customs.admission;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;

import dev.customs.policy.Decision;

/**
 * The only place AdmissionReview responses are written. Every response echoes the request's apiVersion and uid; a
 * denial is 403 Forbidden with one message line and one cause per finding.
 *
 * <p>
 * Answers are written straight to JSON bytes, without a tree. A denial's lines appear twice, joined in
 * {@code status.message} and one by one in the causes: each is escaped once ({@link EscapedLines}, into one array) and
 * its escaped bytes written in both places. They are escaped as Jackson escapes by default (the factory's own escaping
 * settings, of which Customs sets none, do not apply to them), with one difference in bytes only: a character beyond
 * the Basic Multilingual Plane is written as UTF-8, where the generator writes its two surrogates as escapes.
 */
public final class AdmissionResponses {

    private final JsonFactory factory;
    private final ThreadLocal<LastStatus> lastStatus = ThreadLocal.withInitial(LastStatus::new);

    public AdmissionResponses(JsonFactory factory) {
        this.factory = factory;
    }

    /** Allowed without evaluation. */
    public byte[] allow(AdmissionRequest req) {
        return decide(req, Decision.ALLOW);
    }

    /** The answer for a policy decision: allowed (possibly with warnings and audit annotations) or denied. */
    public byte[] decide(AdmissionRequest req, Decision d) {
        return decide(req, d, d.allowed() ? List.of() : d.deniedListed());
    }

    /**
     * The answer for a policy decision whose denying findings were listed already ({@link Decision#deniedListed()}):
     * the caller lists them once for the answer and the Event.
     */
    public byte[] decide(AdmissionRequest req, Decision d, List<Decision.Listed> deniedListed) {
        Exact out = new Exact();
        try (JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
            boolean allowed = d.allowed();
            g.writeStartObject();
            g.writeStringField("apiVersion", req.apiVersion());
            g.writeStringField("kind", "AdmissionReview");
            g.writeObjectFieldStart("response");
            g.writeStringField("uid", req.uid());
            g.writeBooleanField("allowed", allowed);
            if (!allowed) {
                g.writeFieldName("status");
                g.writeRawValue(new RawJson(status(req, deniedListed)));
            }
            List<String> warnings = d.warnings();
            if (!warnings.isEmpty()) {
                g.writeArrayFieldStart("warnings");
                for (String w : warnings) {
                    g.writeString(w);
                }
                g.writeEndArray();
            }
            Map<String, String> audit = d.auditAnnotations();
            if (!audit.isEmpty()) {
                g.writeObjectFieldStart("auditAnnotations");
                for (Map.Entry<String, String> a : audit.entrySet()) {
                    g.writeStringField(a.getKey(), a.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            // a generator over memory does not fail in practice; were it to, the review is answered with a 500
            throw new UncheckedIOException("the admission answer could not be written", e);
        }
        return out.bytes();
    }

    /**
     * Collects what the generator writes: an answer that fits the generator's buffer (8,000 bytes, recycled) mostly
     * arrives in one write at its close and is then kept in an array of its exact size, the one sent (the generator
     * flushes earlier only to make room for a long string); a longer answer doubles the array.
     */
    private static final class Exact extends OutputStream {
        private byte[] buffer = new byte[0];
        private int count;

        @Override
        public void write(int b) {
            write(new byte[] { (byte) b }, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (count + len > buffer.length) {
                // the first write exactly; a longer answer doubles
                buffer = Arrays.copyOf(buffer, count == 0 ? len : Math.max(count + len, buffer.length * 2));
            }
            System.arraycopy(b, off, buffer, count, len);
            count += len;
        }

        byte[] bytes() {
            return count == buffer.length ? buffer : Arrays.copyOf(buffer, count);
        }
    }

    /**
     * A denial's {@code status}, in bytes: the one written last on this thread when it was made of the same lines,
     * fields, name and kind (a flood of denials is mostly one workload's, again and again), else written now.
     */
    private byte[] status(AdmissionRequest req, List<Decision.Listed> listed) throws IOException {
        String kind = req.resource().isEmpty() ? req.kind() : req.resource();
        LastStatus last = lastStatus.get();
        if (last.madeOf(req.name(), kind, listed)) {
            return last.bytes;
        }
        Exact out = new Exact();
        try (JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
            status(g, req.name(), kind, listed);
        }
        byte[] bytes = out.bytes();
        if (bytes.length <= LastStatus.MAX_BYTES) {
            last.remember(req.name(), kind, List.copyOf(listed), bytes);
        }
        return bytes;
    }

    /** The denial answered last on a thread: what its status was made of, and its bytes. */
    private static final class LastStatus {
        /** A status remembered at most; a longer one is written every time. */
        static final int MAX_BYTES = 16 * 1024;

        private String name;
        private String kind;
        private List<Decision.Listed> listed;
        private byte[] bytes;

        boolean madeOf(String name, String kind, List<Decision.Listed> listed) {
            if (bytes == null || !this.name.equals(name) || !this.kind.equals(kind)
                    || this.listed.size() != listed.size()) {
                return false;
            }
            for (int i = 0; i < listed.size(); i++) {
                Decision.Listed a = this.listed.get(i);
                Decision.Listed b = listed.get(i);
                if (a.findings() != b.findings() || !a.rule().equals(b.rule()) || !Objects.equals(a.field(), b.field())
                        || !a.message().equals(b.message())) {
                    return false;
                }
            }
            return true;
        }

        void remember(String name, String kind, List<Decision.Listed> listed, byte[] bytes) {
            this.name = name;
            this.kind = kind;
            this.listed = listed;
            this.bytes = bytes;
        }
    }

    private void status(JsonGenerator g, String name, String kind, List<Decision.Listed> listed) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("metadata");
        g.writeEndObject();
        g.writeStringField("status", "Failure");
        g.writeNumberField("code", 403);
        g.writeStringField("reason", "Forbidden");
        int chars = 0;
        for (Decision.Listed l : listed) {
            chars += l.message().length();
        }
        EscapedLines lines = new EscapedLines(listed.size(), chars);
        for (Decision.Listed l : listed) {
            if (!lines.add(l.message())) {
                lines.addEscaped(generatorEscaped(l.message()));
            }
        }
        g.writeFieldName("message");
        g.writeRawUTF8String(lines.bytes(), 0, lines.length());
        g.writeObjectFieldStart("details");
        if (!name.isEmpty()) {
            g.writeStringField("name", name);
        }
        g.writeStringField("kind", kind);
        g.writeArrayFieldStart("causes");
        for (int i = 0; i < listed.size(); i++) {
            Decision.Listed l = listed.get(i);
            g.writeStartObject();
            g.writeStringField("reason", l.rule());
            if (l.field() != null) {
                g.writeStringField("field", l.field());
            }
            g.writeFieldName("message");
            g.writeRawUTF8String(lines.bytes(), lines.start(i), lines.length(i));
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
        g.writeEndObject();
    }

    /**
     * A line with a lone surrogate (a request may carry one, escaped) as the body of a JSON string, in UTF-8: what
     * {@link JsonGenerator#writeString} writes between the quotes, as it always has written such a line.
     */
    private byte[] generatorEscaped(String s) throws IOException {
        ByteArrayBuilder out = new ByteArrayBuilder(s.length() + 16);
        try (JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeString(s);
        }
        byte[] quoted = out.toByteArray();
        return Arrays.copyOfRange(quoted, 1, quoted.length - 1);
    }
}
