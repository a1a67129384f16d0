package io.torchtensor.source;

import io.torchtensor.format.TensorFormatException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * Which failures of one file are skipped rather than failing the query:
 * <ul>
 *   <li>a file gone since listing, with {@code ignoreMissingFiles};</li>
 *   <li>a malformed file ({@link TensorFormatException}) or one that does not fit the table
 *       ({@link TorchTensorSchemaException}), with {@code mode=DROPMALFORMED};</li>
 *   <li>any I/O or runtime failure, with {@code ignoreCorruptFiles}, as Spark's file sources do.</li>
 * </ul>
 */
final class FileErrors {

  private FileErrors() {
  }

  static boolean skippable(Throwable e, boolean failFast, boolean ignoreCorruptFiles, boolean ignoreMissingFiles) {
    if (missing(e)) {
      return ignoreMissingFiles;
    }
    if (e instanceof TensorFormatException || e instanceof TorchTensorSchemaException) {
      return !failFast || ignoreCorruptFiles;
    }
    return ignoreCorruptFiles && (e instanceof IOException || e instanceof RuntimeException);
  }

  static boolean missing(Throwable e) {
    return e instanceof FileNotFoundException || e instanceof NoSuchFileException;
  }

  /** The message of the error that fails a query on one file. */
  static String message(String path, Throwable e) {
    String hint = missing(e)
        ? " (set ignoreMissingFiles=true to skip files deleted after listing)"
        : " (set mode=DROPMALFORMED or ignoreCorruptFiles=true to skip bad files)";
    return "Cannot read torchtensor file " + path + ": " + e.getMessage() + hint;
  }
}
