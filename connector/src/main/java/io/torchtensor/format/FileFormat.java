package io.torchtensor.format;

/** The kinds of file the reader accepts, detected from content, never from the extension. */
public enum FileFormat {
  /** {@code torch.save} zip archive (PyTorch 1.6 and later, the default). */
  TORCH_ZIP("torch-zip"),
  /** {@code torch.save} legacy stream (PyTorch 0.1.10 to 1.5, or {@code _use_new_zipfile_serialization=False}). */
  TORCH_LEGACY("torch-legacy"),
  /** safetensors: 8-byte header length, JSON header, raw little-endian data. */
  SAFETENSORS("safetensors");

  private final String label;

  FileFormat(String label) {
    this.label = label;
  }

  /** The name printed by the CLI and stored in metadata. */
  public String label() {
    return label;
  }
}
