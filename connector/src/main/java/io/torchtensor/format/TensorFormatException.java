package io.torchtensor.format;

import java.io.IOException;

/**
 * The one error the format floor throws for a file it cannot read. The {@link Reason} says what
 * kind of problem it is; the message names the file, and where known the archive entry, tensor key,
 * byte offset, and what was expected against what was found.
 */
public final class TensorFormatException extends IOException {

  private static final long serialVersionUID = 1L;

  /** Why a file was refused. One negative test exists per reason. */
  public enum Reason {
    /** Not a torch.save or safetensors file (no known magic). */
    NOT_A_TENSOR_FILE,
    /** A TorchScript archive ({@code torch.jit.save}): not a tensor file; refused like {@code weights_only}. */
    TORCHSCRIPT,
    /** The pre-0.1.10 tar format, or the 2018 {@code PYTORCH1} preview archive. */
    UNSUPPORTED_CONTAINER,
    /** The file ends before a structure it announces. */
    TRUNCATED,
    /** Broken zip structure: end record, central directory, local header, compressed record. */
    BAD_ZIP,
    /** A required record ({@code data.pkl}, {@code data/<key>}) is missing. */
    MISSING_RECORD,
    /** Malformed pickle: unknown opcode, stack underflow, bad memo reference, wrong argument types. */
    BAD_PICKLE,
    /** A pickle global outside the allow-list ({@code os.system}, {@code builtins.eval}, a module class...). */
    FORBIDDEN_GLOBAL,
    /** A size cap was hit: pickle bytes, memo entries, nesting depth, element counts, header size. */
    LIMIT_EXCEEDED,
    /** A shape, stride, offset or byte count that is negative, overflows, or points outside its storage. */
    BAD_SHAPE,
    /** A storage whose record length disagrees with its element count, or an unknown storage type. */
    BAD_STORAGE,
    /** A dtype the reader does not know. */
    UNSUPPORTED_DTYPE,
    /** A tensor kind that is refused by design (nested, meta, subclass of an unknown class...). */
    UNSUPPORTED_TENSOR,
    /** A safetensors header that fails validation (JSON, offsets, coverage, duplicate keys). */
    BAD_HEADER,
    /** A key asked for that the file does not hold. */
    NO_SUCH_TENSOR,
    /** A caller-supplied buffer or row range that does not fit the tensor. */
    BAD_REQUEST
  }

  private final Reason reason;
  private final String file;

  public TensorFormatException(Reason reason, String file, String detail) {
    this(reason, file, detail, null);
  }

  public TensorFormatException(Reason reason, String file, String detail, Throwable cause) {
    super(reason + ": " + (file == null ? "" : file + ": ") + detail, cause);
    this.reason = reason;
    this.file = file;
  }

  public Reason reason() {
    return reason;
  }

  /** The file's name as given by its {@link RandomAccessInput}, or null when not known. */
  public String file() {
    return file;
  }
}
