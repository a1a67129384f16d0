package io.torchtensor.format.pickle;

import io.torchtensor.format.ReadLimits;
import io.torchtensor.format.TensorFormatException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * Reads the object pickle of a torch.save file (zip {@code data.pkl}, or the fourth pickle of a legacy
 * file) without running anything: a data-only machine builds a tree of plain values, then a matcher
 * recognises the allow-listed torch rebuild calls and turns them into {@link PickledTensor}s.
 */
public final class TorchPickle {

  /**
   * What the pickle holds.
   *
   * @param tensors  dense tensors in pickle order
   * @param metadata non-tensor leaves by dot-joined key, in pickle order (see
   *                 {@link io.torchtensor.format.TensorFile#metadata()} for the value types)
   */
  public record Result(List<PickledTensor> tensors, Map<String, Object> metadata) {
  }

  private TorchPickle() {
  }

  /**
   * Parses one pickle from {@code pickle}'s position up to and including STOP, leaving the buffer's
   * position just past STOP.
   *
   * @param legacy true for legacy files, whose persistent ids carry a sixth {@code view_metadata}
   *               element
   */
  public static Result read(ByteBuffer pickle, String file, String entry, ReadLimits limits,
      boolean legacy) throws TensorFormatException {
    throw new UnsupportedOperationException("not built yet");
  }
}
