package io.torchtensor.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.torchtensor.format.TensorFormatException.Reason;
import org.junit.jupiter.api.Test;

/**
 * The container readers' own view check (a second line behind the pickle matcher's): exact
 * arithmetic on sizes, strides and offsets against the storage's element count.
 */
class TensorIndexTest {

  private static void bad(long[] shape, long[] strides, long offset, long numel, Reason reason, String... msg) {
    assertThatThrownBy(() -> TensorIndex.checkExtent("f", "k", DType.FLOAT32, shape, strides, offset, numel,
        ReadLimits.DEFAULT)).isInstanceOfSatisfying(TensorFormatException.class, e -> {
          assertThat(e.reason()).isEqualTo(reason);
          assertThat(e.getMessage()).contains("tensor k").contains(msg);
        });
  }

  @Test
  void viewsInsideTheirStoragePass() {
    assertThatNoException().isThrownBy(() -> {
      TensorIndex.checkExtent("f", "k", DType.FLOAT32, new long[] {6, 4}, new long[] {1, 6}, 0, 24, ReadLimits.DEFAULT);
      TensorIndex.checkExtent("f", "k", DType.FLOAT32, new long[] {3, 2}, new long[] {0, 1}, 7, 24, ReadLimits.DEFAULT);
      TensorIndex.checkExtent("f", "k", DType.FLOAT32, new long[] {}, new long[] {}, 23, 24, ReadLimits.DEFAULT);
      // empty tensors touch no element, wherever they point
      TensorIndex.checkExtent("f", "k", DType.FLOAT32, new long[] {2, 0}, new long[] {1, 1}, 0, 0, ReadLimits.DEFAULT);
    });
  }

  @Test
  void viewsOutsideTheirStorageOrOverflowingAreRefused() {
    bad(new long[] {4, 6}, new long[] {6, 1}, 1, 24, Reason.BAD_SHAPE, "reaches element 24 of a storage of 24 elements");
    bad(new long[] {}, new long[] {}, 24, 24, Reason.BAD_SHAPE, "reaches element 24");
    bad(new long[] {2}, new long[] {1, 1}, 0, 24, Reason.BAD_SHAPE, "1 sizes but 2 strides");
    bad(new long[] {2}, new long[] {-1}, 0, 24, Reason.BAD_SHAPE, "negative size 2 or stride -1 in dim 0");
    bad(new long[] {2}, new long[] {1}, -1, 24, Reason.BAD_SHAPE, "negative storage offset -1");
    bad(new long[] {1L << 32, 1L << 32}, new long[] {0, 0}, 0, 24, Reason.BAD_SHAPE, "element count", "overflows");
    bad(new long[] {2, 2}, new long[] {Long.MAX_VALUE, 1}, 0, 24, Reason.BAD_SHAPE, "extent", "overflows");
    bad(new long[] {1L << 40}, new long[] {0}, 0, 24, Reason.LIMIT_EXCEEDED, "exceeds the limit of");
  }
}
