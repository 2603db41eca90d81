package dev.customs.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

class RawJsonTest {

    private static final byte[] VALUE = "{\"a\":\"é\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void writtenAsAValueItIsCopiedAsItIs() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var g = json.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeFieldName("status");
            g.writeRawValue(new RawJson(VALUE));
            g.writeNumberField("code", 403);
            g.writeEndObject();
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"status\":{\"a\":\"é\"},\"code\":403}");
        assertThat(json.readTree(out.toByteArray()).at("/status/a").asText()).isEqualTo("é");
    }

    @Test
    void itsQuotedFormsAreTheTextAsAJsonString() throws Exception {
        RawJson raw = new RawJson(VALUE);
        assertThat(raw.getValue()).isEqualTo("{\"a\":\"é\"}");
        assertThat(raw.charLength()).isEqualTo(9);
        assertThat(new String(raw.asQuotedUTF8(), StandardCharsets.UTF_8)).isEqualTo("{\\\"a\\\":\\\"é\\\"}");
        assertThat(new String(raw.asQuotedChars())).isEqualTo("{\\\"a\\\":\\\"é\\\"}");
        assertThat(raw.asUnquotedUTF8()).isEqualTo(VALUE).isNotSameAs(VALUE);

        byte[] small = new byte[4];
        assertThat(raw.appendUnquotedUTF8(small, 0)).isEqualTo(-1);
        byte[] room = new byte[32];
        assertThat(raw.appendUnquotedUTF8(room, 2)).isEqualTo(VALUE.length);
        assertThat(new String(room, 2, VALUE.length, StandardCharsets.UTF_8)).isEqualTo(raw.getValue());
        char[] chars = new char[32];
        assertThat(raw.appendUnquoted(chars, 1)).isEqualTo(9);
        assertThat(new String(chars, 1, 9)).isEqualTo(raw.getValue());
        assertThat(raw.appendQuoted(new char[3], 0)).isEqualTo(-1);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(raw.writeUnquotedUTF8(out)).isEqualTo(VALUE.length);
        assertThat(out.toByteArray()).isEqualTo(VALUE);
        ByteBuffer buffer = ByteBuffer.allocate(VALUE.length);
        assertThat(raw.putUnquotedUTF8(buffer)).isEqualTo(VALUE.length);
        assertThat(raw.putQuotedUTF8(ByteBuffer.allocate(2))).isEqualTo(-1);
    }
}
