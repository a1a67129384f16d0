package io.torchtensor.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchtensor.format.TensorFormatException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Strided gathers, byte swapping, the storage cache and request checks, against a naive reference. */
class StridedReaderTest {

  private static final int DATA_AT = 64;

  /** A file of {@code DATA_AT} junk bytes then {@code n} elements of {@code item} bytes, each byte distinct-ish. */
  private static byte[] file(int n, int item) {
    byte[] b = new byte[DATA_AT + n * item];
    new Random(7).nextBytes(b);
    return b;
  }

  private static TensorInfo view(DType dt, long storageNumel, long[] shape, long[] strides, long offset,
      ByteOrder order) {
    StorageRef ref = new StorageRef("0", "data/0", DATA_AT, storageNumel * dt.itemSize());
    return new TensorInfo("t", dt, shape, strides, offset, ref, order, "cpu", false, Map.of());
  }

  /** Element by element, the definition: storage element offset + sum(i_j * stride_j), then swapped. */
  private static byte[] naive(byte[] file, TensorInfo t, long firstRow, long rowCount) {
    long[] shape = t.shape();
    long[] strides = t.strides();
    int item = t.dtype().itemSize();
    int comp = t.dtype().componentSize();
    if (shape.length > 0) {
      shape[0] = rowCount;
    }
    long numel = 1;
    for (long d : shape) {
      numel *= d;
    }
    byte[] out = new byte[(int) (numel * item)];
    long[] idx = new long[shape.length];
    for (int e = 0; e < numel; e++) {
      long el = t.storageOffset() + (shape.length > 0 ? firstRow * strides[0] : 0);
      for (int i = 0; i < shape.length; i++) {
        el += idx[i] * strides[i];
      }
      for (int c = 0; c < item; c++) {
        int src = (int) (DATA_AT + el * item + c);
        int dst = e * item + c;
        if (t.byteOrder() == ByteOrder.BIG_ENDIAN) {
          dst = e * item + (c / comp) * comp + (comp - 1 - c % comp);
        }
        out[dst] = file[src];
      }
      for (int i = shape.length - 1; i >= 0; i--) {
        if (++idx[i] < shape[i]) {
          break;
        }
        idx[i] = 0;
      }
    }
    return out;
  }

  private static byte[] read(StridedReader r, TensorInfo t, long firstRow, long rowCount) throws IOException {
    ByteBuffer dst = ByteBuffer.allocate((int) (rowCount * t.rowBytes()) + 3);
    dst.position(3);
    r.readRows(t, firstRow, rowCount, dst);
    assertThat(dst.remaining()).isZero();
    byte[] out = new byte[dst.capacity() - 3];
    dst.get(3, out);
    return out;
  }

  @Test
  void namedViewsOfOneStorage() throws IOException {
    byte[] f = file(24, 4);
    long[][][] views = {
        {{4, 6}, {6, 1}, {0}},        // matrix
        {{6, 4}, {1, 6}, {0}},        // transposed
        {{6}, {1}, {12}},             // row 2
        {{4}, {6}, {3}},              // column 3
        {{12}, {2}, {1}},             // every other
        {{2, 3}, {6, 1}, {8}},        // block
        {{3, 2}, {0, 1}, {7}},        // expand, stride 0
        {{2, 3, 4}, {1, 2, 6}, {0}},  // Fortran order
        {{}, {}, {5}},                // 0-dim
    };
    for (long[][] v : views) {
      for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
        TensorInfo t = view(DType.FLOAT32, 24, v[0], v[1], v[2][0], order);
        long rows = t.rank() == 0 ? 1 : t.dim(0);
        for (long[] caps : new long[][] {{1 << 20, 1 << 20}, {0, 1 << 20}, {0, 8}}) {
          StridedReader r = new StridedReader(new ByteArrayInput("mem", f), Set.of(), caps[0], caps[1]);
          assertThat(read(r, t, 0, rows)).as(t.toString()).isEqualTo(naive(f, t, 0, rows));
          if (rows > 1) {
            assertThat(read(r, t, 1, rows - 1)).as(t + " from row 1").isEqualTo(naive(f, t, 1, rows - 1));
          }
        }
      }
    }
  }

  @Test
  void transposedBlocksAreCopiedTileByTile() throws IOException {
    // 3 x 40 x 50 views of a 6000-element storage whose last two dims are transposed: the source
    // steps 160+ bytes along the output rows, so the gather copies 32 x 32 tiles, with ragged edges.
    for (DType dt : new DType[] {DType.UINT8, DType.FLOAT16, DType.FLOAT32, DType.FLOAT64, DType.COMPLEX128}) {
      byte[] f = file(6000, dt.itemSize());
      for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
        TensorInfo t = view(dt, 6000, new long[] {3, 40, 50}, new long[] {2000, 1, 40}, 0, order);
        StridedReader r = new StridedReader(new ByteArrayInput("mem", f), Set.of(), 0, 1 << 20);
        assertThat(read(r, t, 0, 3)).as(t.toString()).isEqualTo(naive(f, t, 0, 3));
        assertThat(read(r, t, 1, 2)).as(t + " rows 1+2").isEqualTo(naive(f, t, 1, 2));
      }
    }
  }

  @Test
  void randomViewsMatchTheDefinition() throws IOException {
    Random rnd = new Random(42);
    DType[] dtypes = {DType.UINT8, DType.FLOAT16, DType.FLOAT32, DType.FLOAT64, DType.COMPLEX64, DType.COMPLEX128};
    for (int iter = 0; iter < 400; iter++) {
      DType dt = dtypes[rnd.nextInt(dtypes.length)];
      int rank = rnd.nextInt(5);
      long[] shape = new long[rank];
      long[] strides = new long[rank];
      long extent = 0;
      for (int i = 0; i < rank; i++) {
        shape[i] = 1 + rnd.nextInt(4);
        strides[i] = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(13);
        extent += (shape[i] - 1) * strides[i];
      }
      long offset = rnd.nextInt(5);
      int numel = (int) (offset + extent + 1 + rnd.nextInt(3));
      byte[] f = file(numel, dt.itemSize());
      ByteOrder order = rnd.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
      TensorInfo t = view(dt, numel, shape, strides, offset, order);
      long rows = rank == 0 ? 1 : shape[0];
      long first = rnd.nextInt((int) rows);
      long count = rank == 0 ? 1 : rnd.nextInt((int) (rows - first) + 1);
      long cache = rnd.nextBoolean() ? 0 : 1 << 20;
      long span = rnd.nextBoolean() ? dt.itemSize() * (1 + rnd.nextInt(8)) : 1 << 20;
      StridedReader r = new StridedReader(new ByteArrayInput("mem", f), Set.of(), cache, span);
      assertThat(read(r, t, first, count)).as(t + " rows " + first + "+" + count + " cache " + cache + " span " + span)
          .isEqualTo(naive(f, t, first, count));
    }
  }

  @Test
  void largeContiguousReadsGoStraightIntoTheCallersBuffer() throws IOException {
    int n = 64 * 1024; // floats: 256 KiB, above the read-ahead threshold
    byte[] f = file(n, 4);
    java.util.List<Boolean> direct = new java.util.ArrayList<>();
    RandomAccessInput in = new CountingInput(f) {
      @Override
      public void readFully(long position, ByteBuffer dst) throws IOException {
        direct.add(dst.isDirect());
        super.readFully(position, dst);
      }
    };
    StridedReader r = new StridedReader(in, Set.of());
    TensorInfo t = view(DType.FLOAT32, n, new long[] {256, 256}, new long[] {256, 1}, 0, ByteOrder.LITTLE_ENDIAN);
    ByteBuffer dst = ByteBuffer.allocateDirect(200 * 1024);
    r.readRows(t, 10, 200, dst);
    assertThat(direct).containsExactly(true);
    byte[] got = new byte[200 * 1024];
    dst.flip().get(got);
    assertThat(got).isEqualTo(naive(f, t, 10, 200));
  }

  @Test
  void smallNeighbouringReadsShareOneReadAheadWindow() throws IOException {
    CountingInput in = new CountingInput(file(24, 4));
    StridedReader r = new StridedReader(in, Set.of());
    TensorInfo a = view(DType.FLOAT32, 12, new long[] {3, 4}, new long[] {4, 1}, 0, ByteOrder.LITTLE_ENDIAN);
    StorageRef next = new StorageRef("1", "data/1", DATA_AT + 48, 48);
    TensorInfo b = new TensorInfo("b", DType.FLOAT32, new long[] {12}, new long[] {1}, 0, next,
        ByteOrder.LITTLE_ENDIAN, "cpu", false, Map.of());
    assertThat(read(r, a, 0, 3)).isEqualTo(naive(in.bytes, a, 0, 3));
    byte[] bBytes = read(r, b, 0, 12);
    assertThat(bBytes).isEqualTo(java.util.Arrays.copyOfRange(in.bytes, DATA_AT + 48, DATA_AT + 96));
    assertThat(in.reads).isEqualTo(1);
  }

  @Test
  void viewsSharingAStorageReadItOnce() throws IOException {
    CountingInput in = new CountingInput(file(24, 4));
    TensorInfo matrix = view(DType.FLOAT32, 24, new long[] {4, 6}, new long[] {6, 1}, 0, ByteOrder.LITTLE_ENDIAN);
    TensorInfo transposed = view(DType.FLOAT32, 24, new long[] {6, 4}, new long[] {1, 6}, 0, ByteOrder.LITTLE_ENDIAN);
    StridedReader r = new StridedReader(in, Set.of(matrix.storage()));
    assertThat(read(r, transposed, 0, 6)).isEqualTo(naive(in.bytes, transposed, 0, 6));
    assertThat(read(r, matrix, 0, 4)).isEqualTo(naive(in.bytes, matrix, 0, 4));
    assertThat(read(r, transposed, 2, 3)).isEqualTo(naive(in.bytes, transposed, 2, 3));
    assertThat(in.reads).isEqualTo(1);
  }

  @Test
  void aLargeTransposedStorageIsReadInSpansNotElementByElement() throws IOException {
    CountingInput in = new CountingInput(file(24, 4));
    TensorInfo transposed = view(DType.FLOAT32, 24, new long[] {6, 4}, new long[] {1, 6}, 0, ByteOrder.LITTLE_ENDIAN);
    // No cache, spans of at most 6 elements: the widest-strided dim (columns of the original) is
    // halved twice, giving four spans of one original row each.
    StridedReader r = new StridedReader(in, Set.of(), 0, 24);
    assertThat(read(r, transposed, 0, 6)).isEqualTo(naive(in.bytes, transposed, 0, 6));
    assertThat(in.reads).isEqualTo(4);
  }

  @Test
  void requestsOutsideTheTensorAreRefused() {
    StridedReader r = new StridedReader(new ByteArrayInput("mem", file(24, 4)), Set.of());
    TensorInfo t = view(DType.FLOAT32, 24, new long[] {4, 6}, new long[] {6, 1}, 0, ByteOrder.LITTLE_ENDIAN);
    assertThatThrownBy(() -> r.readRows(t, 3, 2, ByteBuffer.allocate(48)))
        .isInstanceOfSatisfying(TensorFormatException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.BAD_REQUEST);
          assertThat(e.getMessage()).contains("mem").contains("tensor t: rows [3, 3 + 2) outside [0, 4)");
        });
    assertThatThrownBy(() -> r.readRows(t, 0, 2, ByteBuffer.allocate(47)))
        .isInstanceOfSatisfying(TensorFormatException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.BAD_REQUEST);
          assertThat(e.getMessage()).contains("2 rows need 48 bytes but the buffer has 47");
        });
    assertThatThrownBy(() -> r.readRows(t, 0, 1, ByteBuffer.allocate(24).asReadOnlyBuffer()))
        .isInstanceOfSatisfying(TensorFormatException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.BAD_REQUEST);
          assertThat(e.getMessage()).contains("tensor t: the buffer is read-only");
        });
  }

  @Test
  void aViewReachingPastItsStorageIsRefusedBeforeReading() {
    StridedReader r = new StridedReader(new ByteArrayInput("mem", file(24, 4)), Set.of());
    TensorInfo t = view(DType.FLOAT32, 24, new long[] {4, 6}, new long[] {6, 1}, 1, ByteOrder.LITTLE_ENDIAN);
    assertThatThrownBy(() -> r.readRows(t, 0, 4, ByteBuffer.allocate(96)))
        .isInstanceOfSatisfying(TensorFormatException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.BAD_SHAPE);
          assertThat(e.getMessage()).contains("reaches storage element 24").contains("holds 24 elements");
        });
  }
}
