package io.torchtensor.format.pickle;

import io.torchtensor.format.DType;

/**
 * A storage as the pickle's persistent id names it:
 * {@code ('storage', <StorageClass>, key, location, numel[, view_metadata])} [torch/serialization.py _save].
 *
 * @param key       the record key: {@code data/<key>} in a zip, the root key in a legacy file
 * @param dtype     the element type (from the storage class, or for {@code UntypedStorage} from the
 *                  {@code _rebuild_tensor_v3} dtype argument)
 * @param location  where it was saved: {@code cpu}, {@code cuda:0}, ...
 * @param numel     the element count in {@code dtype} elements; for {@code UntypedStorage} the pickle
 *                  counts bytes and this is already divided by the item size (checked exact)
 * @param byteCount {@code numel * dtype.itemSize()}, checked; the record must hold exactly this many bytes
 * @param untyped   true for {@code torch.storage.UntypedStorage} (the dtypes torch 2.x saves through
 *                  {@code _rebuild_tensor_v3}); legacy files then prefix the block with its byte count
 *                  rather than its element count [torch/serialization.py _legacy_save]
 */
public record PickledStorage(String key, DType dtype, String location, long numel, long byteCount,
    boolean untyped) {

  /** A typed storage ({@code torch.FloatStorage} and friends). */
  public PickledStorage(String key, DType dtype, String location, long numel, long byteCount) {
    this(key, dtype, location, numel, byteCount, false);
  }

  /** What a legacy file's int64 size prefix must say for this storage. */
  public long legacyCount() {
    return untyped ? byteCount : numel;
  }
}
