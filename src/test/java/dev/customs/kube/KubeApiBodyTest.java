package dev.customs.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** The body an API answer is read into takes each chunk as it is, heap or direct, sliced or whole, and grows. */
class KubeApiBodyTest {

    @Test
    void chunksOfEveryKindAreAppendedInOrderAndTheBufferGrows() {
        KubeApi.Body body = new KubeApi.Body(1 << 20);
        byte[] expected = new byte[200_000];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (byte) (i * 31);
        }
        int at = 0;
        int chunk = 0;
        while (at < expected.length) {
            int n = Math.min(expected.length - at, 1000 + 7919 * chunk % 20_000);
            ByteBuffer b;
            switch (chunk % 3) {
                case 0 -> b = ByteBuffer.wrap(expected, at, n);
                case 1 -> {
                    // a slice of a larger array, with its own position
                    ByteBuffer whole = ByteBuffer.wrap(Arrays.copyOfRange(expected, at - 5 < 0 ? 0 : at - 5, at + n));
                    whole.position(at - 5 < 0 ? at : 5);
                    b = whole;
                }
                default -> {
                    b = ByteBuffer.allocateDirect(n);
                    b.put(expected, at, n).flip();
                }
            }
            body.write(b);
            assertThat(b.hasRemaining()).isFalse();
            at += n;
            chunk++;
        }
        assertThat(body.size()).isEqualTo(expected.length);
        assertThat(Arrays.copyOf(body.array(), body.size())).isEqualTo(expected);
        body.reset();
        body.write(ByteBuffer.wrap(new byte[] { 1, 2, 3 }));
        assertThat(body.toByteArray()).containsExactly(1, 2, 3);
    }
}
