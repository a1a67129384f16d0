package io.torchtensor.cli;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code torchtensor inspect [--json] [--sha256] FILE...}: lists what tensor files hold, read by the
 * pure-Java reader (nothing is unpickled or executed).
 *
 * <pre>
 * bin/torchtensor inspect ckpt.pt                 # format, then key dtype shape device grad bytes
 * bin/torchtensor inspect --json --sha256 *.pt    # one JSON object per file per line
 * </pre>
 *
 * <p>{@code --sha256} hashes each tensor's values as torch gives them, C order, little-endian: a lazy
 * conj/neg view (shown as {@code conj} / {@code neg}) is hashed resolved,
 * {@code t.resolve_conj().resolve_neg()}, not as its stored bytes.
 *
 * <p>Exit status: 0 when every file was read, 1 when any file failed, 2 for a usage error.
 */
public final class Main {

  static final String USAGE = "usage: torchtensor inspect [--json] [--sha256] FILE...";

  private Main() {
  }

  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(args, out, err));
  }

  /** Runs the command; returns the exit status instead of exiting, so tests can call it. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || !args[0].equals("inspect")) {
      if (args.length > 0 && (args[0].equals("-h") || args[0].equals("--help"))) {
        out.println(USAGE);
        return 0;
      }
      err.println(USAGE);
      return 2;
    }
    boolean json = false;
    boolean sha256 = false;
    List<String> files = new ArrayList<>();
    boolean options = true;
    for (String a : Arrays.asList(args).subList(1, args.length)) {
      if (options && a.equals("--")) {
        options = false;
      } else if (options && a.equals("--json")) {
        json = true;
      } else if (options && a.equals("--sha256")) {
        sha256 = true;
      } else if (options && (a.equals("-h") || a.equals("--help"))) {
        out.println(USAGE);
        return 0;
      } else if (options && a.startsWith("-") && a.length() > 1) {
        err.println("torchtensor inspect: unknown option " + a);
        err.println(USAGE);
        return 2;
      } else {
        files.add(a);
      }
    }
    if (files.isEmpty()) {
      err.println("torchtensor inspect: no FILE given");
      err.println(USAGE);
      return 2;
    }
    int status = 0;
    ByteBuffer chunk = sha256 ? TensorDigest.newChunk() : null;
    for (String file : files) {
      FileReport r = FileReport.inspect(file, chunk);
      if (json) {
        out.println(r.toJson());
      } else {
        printText(r, out);
      }
      if (r.failed()) {
        status = 1;
      }
    }
    return status;
  }

  private static void printText(FileReport r, PrintStream out) {
    if (r.format() == null && r.error() != null) {
      out.println(r.path() + ": " + errorText(r.error()));
      return;
    }
    out.println(r.path() + ": " + (r.format() == null ? "?" : r.format()) + ", " + r.tensors().size()
        + (r.tensors().size() == 1 ? " tensor" : " tensors"));
    for (FileReport.TensorRow t : r.tensors()) {
      out.println("  " + t.key() + "  " + t.dtype() + " " + Arrays.toString(t.shape()) + "  " + t.device()
          + "  requires_grad=" + t.requiresGrad() + (t.conj() ? "  conj" : "") + (t.neg() ? "  neg" : "")
          + "  " + t.nbytes() + " bytes"
          + (t.sha256() == null ? "" : "  sha256=" + t.sha256()));
    }
    for (Map.Entry<String, Object> m : r.metadata().entrySet()) {
      out.println("  " + m.getKey() + " = " + new JsonWriter().value(m.getValue()));
    }
    if (r.error() != null) {
      out.println("  " + errorText(r.error()));
    }
  }

  /** "error REASON: detail"; TensorFormatException messages already start with their reason. */
  private static String errorText(FileReport.Error e) {
    String m = e.message();
    return "error " + (m.startsWith(e.reason() + ": ") ? m : e.reason() + ": " + m);
  }
}
