package io.torchtensor.format;

/**
 * Where one storage's bytes lie in the file: {@code byteLength} bytes from absolute file offset
 * {@code dataOffset}. Views of one storage share one {@code StorageRef} (same {@code id}).
 *
 * @param id          the storage key within the file ({@code data/<id>} in a zip, the root key in a
 *                    legacy file, the tensor name in safetensors)
 * @param entry       the archive entry or section name, for error messages
 * @param dataOffset  absolute offset of the first byte in the file
 * @param byteLength  length of the storage in bytes (checked against the file length)
 */
public record StorageRef(String id, String entry, long dataOffset, long byteLength) {
  @Override
  public String toString() {
    return "storage " + id + " (" + entry + ") @" + dataOffset + "+" + byteLength;
  }
}
