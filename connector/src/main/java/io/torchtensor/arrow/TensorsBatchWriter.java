package io.torchtensor.arrow;

import io.torchtensor.format.TensorFile;
import io.torchtensor.format.TensorFormatException;
import io.torchtensor.format.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Fills the {@code tensors} layout: one row per tensor, with the columns of {@link TensorsLayout}
 * that were asked for. Only the {@code data} column reads tensor bytes: each tensor is read by one
 * {@link TensorFile#read} straight into the binary vector's data buffer (C order, little-endian).
 *
 * <p>Lifecycle: construct → {@link #fill} per batch (the vectors are reallocated to the batch's exact
 * size, so memory is bounded by one batch) → {@link #vectors()} → {@link #close}.
 */
public final class TensorsBatchWriter implements AutoCloseable {

  private final List<FieldVector> vectors = new ArrayList<>();

  public TensorsBatchWriter(List<Field> fields, BufferAllocator allocator) {
    try {
      for (Field f : fields) {
        if (!TensorsLayout.field(f.getName()).equals(f)) {
          throw new IllegalArgumentException("not a tensors-layout field: " + f);
        }
        vectors.add(f.createVector(allocator));
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  public List<FieldVector> vectors() {
    return vectors;
  }

  /** Fills one batch with {@code tensors} of {@code file}, named {@code path} in the path column. */
  public void fill(TensorFile file, String path, List<TensorInfo> tensors) throws IOException {
    int n = tensors.size();
    for (FieldVector v : vectors) {
      v.clear();
      switch (v.getName()) {
        case TensorsLayout.PATH:
          fillStrings((VarCharVector) v, n, i -> path);
          break;
        case TensorsLayout.KEY:
          fillStrings((VarCharVector) v, n, i -> tensors.get(i).key());
          break;
        case TensorsLayout.DTYPE:
          fillStrings((VarCharVector) v, n, i -> tensors.get(i).dtype().torchName());
          break;
        case TensorsLayout.DEVICE:
          fillStrings((VarCharVector) v, n, i -> tensors.get(i).device());
          break;
        case TensorsLayout.REQUIRES_GRAD: {
          BitVector b = (BitVector) v;
          b.allocateNew(n);
          for (int i = 0; i < n; i++) {
            b.set(i, tensors.get(i).requiresGrad() ? 1 : 0);
          }
          b.setValueCount(n);
          break;
        }
        case TensorsLayout.SHAPE:
          fillShapes((ListVector) v, tensors);
          break;
        case TensorsLayout.DATA:
          fillData(file, (VarBinaryVector) v, tensors);
          break;
        default:
          throw new IllegalStateException("unknown column " + v.getName());
      }
    }
  }

  private interface StringAt {
    String at(int i);
  }

  private static void fillStrings(VarCharVector v, int n, StringAt values) {
    v.allocateNew(n);
    for (int i = 0; i < n; i++) {
      v.setSafe(i, values.at(i).getBytes(StandardCharsets.UTF_8));
    }
    v.setValueCount(n);
  }

  private static void fillShapes(ListVector v, List<TensorInfo> tensors) {
    int n = tensors.size();
    int total = 0;
    for (TensorInfo t : tensors) {
      total = Math.addExact(total, t.rank());
    }
    v.setInitialCapacity(Math.max(1, n));
    v.allocateNew();
    BigIntVector dims = (BigIntVector) v.getDataVector();
    dims.allocateNew(Math.max(1, total));
    ArrowBuf offsets = v.getOffsetBuffer();
    int at = 0;
    offsets.setInt(0, 0);
    for (int i = 0; i < n; i++) {
      for (long d : tensors.get(i).shape()) {
        dims.set(at++, d);
      }
      offsets.setInt((long) (i + 1) * ListVector.OFFSET_WIDTH, at);
      v.setNotNull(i);
    }
    dims.setValueCount(total);
    v.setLastSet(n - 1);
    v.setValueCount(n);
  }

  private static void fillData(TensorFile file, VarBinaryVector v, List<TensorInfo> tensors) throws IOException {
    int n = tensors.size();
    long total = 0;
    for (TensorInfo t : tensors) {
      // Arrow binary values use int32 offsets: one batch of data stays under 2 GiB.
      if (t.nbytes() > Integer.MAX_VALUE - 64) {
        throw new TensorFormatException(TensorFormatException.Reason.LIMIT_EXCEEDED, file.name(),
            "tensor " + t.key() + " has " + t.nbytes() + " bytes, more than a binary value can hold (2 GiB);"
                + " read it with layout=rows");
      }
      total = Math.addExact(total, t.nbytes());
    }
    if (total > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException("a batch of " + total + " data bytes exceeds 2 GiB; lower batchBytes");
    }
    v.allocateNew(Math.max(1, total), Math.max(1, n));
    ArrowBuf offsets = v.getOffsetBuffer();
    ArrowBuf data = v.getDataBuffer();
    int at = 0;
    offsets.setInt(0, 0);
    for (int i = 0; i < n; i++) {
      TensorInfo t = tensors.get(i);
      int len = (int) t.nbytes();
      if (len > 0) {
        ByteBuffer dst = data.nioBuffer(at, len).order(ByteOrder.LITTLE_ENDIAN);
        file.read(t, dst);
        if (dst.hasRemaining()) {
          throw new IllegalStateException("read of tensor " + t.key() + " left " + dst.remaining() + " bytes unfilled");
        }
      }
      at += len;
      offsets.setInt((long) (i + 1) * VarBinaryVector.OFFSET_WIDTH, at);
      v.setIndexDefined(i);
    }
    v.setLastSet(n - 1);
    v.setValueCount(n);
  }

  @Override
  public void close() {
    for (FieldVector v : vectors) {
      v.close();
    }
    vectors.clear();
  }
}
