package org.lodestore.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.lodestore.testsupport.TestSeed;

class EncodingTest {

  @Test
  void compareOfDirectBuffers_ordersAsUnsignedBytesDo_likeTheHeapPath() {
    final long seed = TestSeed.seed("EncodingTest");
    final SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 20_000; i++) {
      final byte[] a = randomBytes(r, null);
      final byte[] b = randomBytes(r, a); // often shares a prefix with a
      final int heap = Integer.signum(Encoding.compare(ByteBuffer.wrap(a), ByteBuffer.wrap(b)));
      final int direct = Integer.signum(Encoding.compare(direct(a, r), direct(b, r)));
      final int prefixHeap =
          Integer.signum(Encoding.comparePrefix(ByteBuffer.wrap(a), ByteBuffer.wrap(b)));
      final int prefixDirect = Integer.signum(Encoding.comparePrefix(direct(a, r), direct(b, r)));
      assertThat(direct).as("compare seed %d case %d", seed, i).isEqualTo(heap);
      assertThat(prefixDirect).as("comparePrefix seed %d case %d", seed, i).isEqualTo(prefixHeap);
      assertThat(heap).isEqualTo(Integer.signum(java.util.Arrays.compareUnsigned(a, b)));
    }
  }

  private static byte[] randomBytes(final SplittableRandom r, final byte[] like) {
    final byte[] out = new byte[r.nextInt(41)];
    for (int k = 0; k < out.length; k++) {
      out[k] =
          like != null && k < like.length && r.nextInt(8) != 0 ? like[k] : (byte) r.nextInt(256);
    }
    return out;
  }

  /** A direct buffer holding {@code bytes} at a random, unaligned position. */
  private static ByteBuffer direct(final byte[] bytes, final SplittableRandom r) {
    final int offset = r.nextInt(9);
    final ByteBuffer b = ByteBuffer.allocateDirect(bytes.length + offset + 8);
    b.position(offset);
    b.put(bytes);
    b.position(offset).limit(offset + bytes.length);
    return b;
  }
}
