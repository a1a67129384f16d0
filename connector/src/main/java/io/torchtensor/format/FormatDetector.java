package io.torchtensor.format;

import io.torchtensor.format.TensorFormatException.Reason;
import io.torchtensor.format.pickle.PickleMachine;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Decides what a file is from its content, never from its name [FORMAT.md section 1]:
 * <ol>
 *   <li>{@code PK\3\4}: a zip. TorchScript when it has {@code <prefix>/constants.pkl}, {@code code/}
 *       or {@code model.json} records (torch.load hands those to torch.jit.load and refuses them under
 *       {@code weights_only} [torch/serialization.py _is_torchscript_zip]); else a torch.save zip.</li>
 *   <li>{@code ustar} at byte 257: the pre-0.1.10 tar format, refused.</li>
 *   <li>{@code PYTORCH1}: the 2018 preview archive, which torch itself refuses
 *       [caffe2/serialize/inline_container.cc].</li>
 *   <li>safetensors: u64 LE {@code N}, byte 8 is <code>{</code>, {@code N <= maxHeaderBytes}
 *       (or the format's own 100,000,000), {@code 8 + N <= size}.</li>
 *   <li>legacy torch.save: the first pickle, really parsed (any protocol), equals the magic number
 *       {@code 0x1950a86a20f9469cfc6c} [torch/serialization.py MAGIC_NUMBER]. Matching only the
 *       protocol-2 byte prefix would miss protocol 1 and 4 files.</li>
 * </ol>
 */
final class FormatDetector {

  static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
  /** The magic pickle is under 40 bytes at any protocol; more than this is not a magic pickle. */
  static final int MAGIC_PICKLE_WINDOW = 4096;
  private static final int TAR_MAGIC_AT = 257;
  /** MAX_HEADER_SIZE of the reference implementation [safetensors/src/tensor.rs]. */
  static final long SAFETENSORS_MAX_HEADER = 100_000_000L;

  /** A detected file: its format, and for zips the directory already read. */
  record Detected(FileFormat format, ZipDirectory zip) {
  }

  private FormatDetector() {
  }

  static Detected detect(RandomAccessInput in, ReadLimits limits) throws IOException {
    String file = in.name();
    long size = in.length();
    ByteBuffer head = Bytes.read(in, 0, Math.min(size, 512));
    if (startsWith(head, 0, "PK\3\4")) {
      ZipDirectory zip = ZipDirectory.read(in, limits.maxElements());
      refuseTorchScript(zip, file);
      return new Detected(FileFormat.TORCH_ZIP, zip);
    }
    if (startsWith(head, TAR_MAGIC_AT, "ustar")) {
      throw new TensorFormatException(Reason.UNSUPPORTED_CONTAINER, file, "tar archive (the torch.save "
          + "format before PyTorch 0.1.10); load it with an old torch and save it again");
    }
    if (startsWith(head, 0, "PYTORCH1")) {
      throw new TensorFormatException(Reason.UNSUPPORTED_CONTAINER, file, "PYTORCH1 preview archive "
          + "(2018), which torch itself no longer reads");
    }
    if (head.limit() >= 9 && head.get(8) == '{') {
      long n = head.getLong(0);
      // The format caps headers at 100,000,000 bytes; a tighter caller limit is reported by the
      // reader as LIMIT_EXCEEDED rather than as "not a tensor file".
      if (n >= 0 && n <= Math.max(limits.maxHeaderBytes(), SAFETENSORS_MAX_HEADER) && n <= size - 8) {
        return new Detected(FileFormat.SAFETENSORS, null);
      }
    }
    if (isLegacyMagic(in, limits)) {
      return new Detected(FileFormat.TORCH_LEGACY, null);
    }
    throw new TensorFormatException(Reason.NOT_A_TENSOR_FILE, file, "not a torch.save or safetensors file: "
        + "no zip, safetensors header or legacy torch magic number (first bytes " + hex(head, 16) + ")");
  }

  /**
   * Parses the first pickle of the file and compares it with the magic number. A pickle that
   * names a forbidden global (the picklescan magic bypass computes the magic with
   * {@code builtins.eval}) is reported as such; any other parse failure just means this is not a
   * legacy file.
   */
  private static boolean isLegacyMagic(RandomAccessInput in, ReadLimits limits) throws IOException {
    ByteBuffer buf = Bytes.read(in, 0, Math.min(in.length(), MAGIC_PICKLE_WINDOW));
    Object magic;
    try {
      magic = PickleMachine.loadPlain(buf, in.name(), "magic number", limits);
    } catch (TensorFormatException e) {
      if (e.reason() == Reason.FORBIDDEN_GLOBAL) {
        throw e;
      }
      return false;
    }
    return isMagic(magic);
  }

  static boolean isMagic(Object v) {
    return (v instanceof BigInteger && v.equals(LEGACY_MAGIC));
  }

  /** TorchScript records, in the order torch checks them [torch/serialization.py, jit/import.cpp]. */
  private static void refuseTorchScript(ZipDirectory zip, String file) throws TensorFormatException {
    String prefix = zip.prefix();
    String why = null;
    if (zip.find(prefix + "/constants.pkl") != null) {
      why = "has constants.pkl";
    } else if (zip.find(prefix + "/model.json") != null) {
      why = "has model.json (PyTorch 1.0 format)";
    } else {
      for (ZipDirectory.Entry e : zip.entries()) {
        if (e.name().startsWith(prefix + "/code/")) {
          why = "has code/ records";
          break;
        }
      }
    }
    if (why != null) {
      throw new TensorFormatException(Reason.TORCHSCRIPT, file,
          "TorchScript archive (torch.jit.save): " + why + "; load it with torch.jit.load");
    }
  }

  private static boolean startsWith(ByteBuffer b, int at, String ascii) {
    byte[] m = ascii.getBytes(StandardCharsets.US_ASCII);
    if (b.limit() < at + m.length) {
      return false;
    }
    for (int i = 0; i < m.length; i++) {
      if (b.get(at + i) != m[i]) {
        return false;
      }
    }
    return true;
  }

  static String hex(ByteBuffer b, int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(n, b.limit()); i++) {
      if (i > 0) {
        s.append(' ');
      }
      s.append(String.format("%02x", b.get(i) & 0xFF));
    }
    return s.toString();
  }
}
