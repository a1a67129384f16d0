package io.torchtensor.cli;

import io.torchtensor.format.TensorFile;
import io.torchtensor.format.TensorFormatException;
import io.torchtensor.format.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code torchtensor inspect} found in one file: its format, tensors and metadata leaves, or
 * the error that stopped it. Built by {@link #inspect}; printed by {@link Main}.
 *
 * @param format   the {@link io.torchtensor.format.FileFormat#label()}, null when opening failed
 * @param tensors  the tensors listed before any error
 * @param error    null, or the reason (a {@link TensorFormatException.Reason} name, {@code IO_ERROR}
 *                 for a file that cannot be read at all, {@code INTERNAL} for a reader bug) and message
 */
record FileReport(String path, String format, List<TensorRow> tensors, Map<String, Object> metadata,
    Error error) {

  /**
   * One tensor's line. {@code conj} / {@code neg} are torch's lazy bits as saved (the values, and so
   * {@code sha256}, have them resolved). {@code sha256} is null unless asked for.
   */
  record TensorRow(String key, String dtype, long[] shape, String device, boolean requiresGrad,
      boolean conj, boolean neg, long nbytes, String sha256) {
  }

  record Error(String reason, String message) {
  }

  boolean failed() {
    return error != null;
  }

  /** Inspects one file; with a non-null {@code chunk}, hashes every tensor through it. */
  static FileReport inspect(String path, ByteBuffer chunk) {
    String format = null;
    List<TensorRow> rows = new ArrayList<>();
    Map<String, Object> metadata = new LinkedHashMap<>();
    try (TensorFile f = TensorFile.open(Path.of(path))) {
      format = f.format().label();
      TensorDigest digest = chunk == null ? null : new TensorDigest(f, chunk);
      for (TensorInfo t : f.tensors()) {
        rows.add(new TensorRow(t.key(), t.dtype().torchName(), t.shape(), t.device(), t.requiresGrad(),
            t.conjNeg().conj(), t.conjNeg().neg(), t.nbytes(), digest == null ? null : digest.sha256(t)));
      }
      metadata.putAll(f.metadata());
      return new FileReport(path, format, rows, metadata, null);
    } catch (TensorFormatException e) {
      return new FileReport(path, format, rows, metadata, new Error(e.reason().name(), e.getMessage()));
    } catch (IOException e) {
      return new FileReport(path, format, rows, metadata, new Error("IO_ERROR", String.valueOf(e)));
    } catch (RuntimeException e) {
      // Not expected from the reader on any input; reported rather than ending the whole run.
      return new FileReport(path, format, rows, metadata, new Error("INTERNAL", String.valueOf(e)));
    }
  }

  /** The {@code --json} line: {"path","format","tensors":[...],"metadata",{...},"error"}. */
  String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", path);
    m.put("format", format);
    List<Object> ts = new ArrayList<>();
    for (TensorRow t : tensors) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("key", t.key());
      o.put("dtype", t.dtype());
      o.put("shape", t.shape());
      o.put("device", t.device());
      o.put("requires_grad", t.requiresGrad());
      o.put("conj", t.conj());
      o.put("neg", t.neg());
      o.put("nbytes", t.nbytes());
      o.put("sha256", t.sha256());
      ts.add(o);
    }
    m.put("tensors", ts);
    m.put("metadata", metadata);
    if (error == null) {
      m.put("error", null);
    } else {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("reason", error.reason());
      e.put("message", error.message());
      m.put("error", e);
    }
    return new JsonWriter().value(m).toString();
  }
}
