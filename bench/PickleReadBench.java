import io.torchtensor.format.ReadLimits;
import io.torchtensor.format.pickle.TorchPickle;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Throughput of {@link TorchPickle#read} on a synthetic state_dict pickle shaped like torch.save's
 * (protocol 2, OrderedDict + SETITEMS, one _rebuild_tensor_v2 per entry, memo PUT/GET as the C
 * pickler writes them).
 *
 * <pre>
 *   mvn -B -q -pl connector compile
 *   java -cp connector/target/classes bench/PickleReadBench.java [tensors=100000] [rounds=10]
 * </pre>
 */
public final class PickleReadBench {

  public static void main(String[] args) {
    int tensors = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    byte[] pickle = stateDict(tensors);
    System.out.printf("pickle: %d tensors, %.1f MiB%n", tensors, pickle.length / 1048576.0);
    try {
      for (int r = 0; r < rounds; r++) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long c0 = mx.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        TorchPickle.Result res = TorchPickle.read(ByteBuffer.wrap(pickle), "bench.pt", "data.pkl",
            ReadLimits.DEFAULT, false);
        long ns = System.nanoTime() - t0;
        long cpu = mx.getCurrentThreadCpuTime() - c0;
        if (res.tensors().size() != tensors) {
          throw new IllegalStateException("got " + res.tensors().size() + " tensors");
        }
        // CPU time of this thread as well as wall time: on a shared machine wall time includes waiting.
        System.out.printf("round %d: wall %.1f ms, cpu %.1f ms, %.0f MiB/s and %.0f k tensors/s of cpu%n", r,
            ns / 1e6, cpu / 1e6, pickle.length / 1048576.0 / (cpu / 1e9), tensors / (cpu / 1e9) / 1e3);
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] stateDict(int n) {
    Out o = new Out();
    o.b(0x80, 2);
    o.global("collections", "OrderedDict");
    o.b('q', 0, ')', 'R', 'q', 1, '(');
    int memo = 2;
    o.str("storage");
    o.b('r');
    o.u32(memo++); // 2 = 'storage'
    o.global("torch", "FloatStorage");
    o.b('r');
    o.u32(memo++); // 3 = FloatStorage
    o.str("cpu");
    o.b('r');
    o.u32(memo++); // 4 = 'cpu'
    o.b('0', '0', '0'); // pop the three primers off the stack
    for (int i = 0; i < n; i++) {
      o.str("layers." + i + ".weight");
      o.b('r');
      o.u32(memo++);
      o.global("torch._utils", "_rebuild_tensor_v2");
      o.b('(', '(', 'j');
      o.u32(2);
      o.b('j');
      o.u32(3);
      o.str(Integer.toString(i));
      o.b('j');
      o.u32(4);
      o.b('M', 0x00, 0x10, 't', 'Q', 'K', 0, 'K', 64, 'K', 64, 0x86, 'K', 64, 'K', 1, 0x86, 0x89, 'h', 0, ')', 'R',
          't', 'R');
      o.b('r');
      o.u32(memo++);
    }
    o.b('u', '.');
    return o.out.toByteArray();
  }

  private static final class Out {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void b(int... bytes) {
      for (int x : bytes) {
        out.write(x);
      }
    }

    void u32(int v) {
      b(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff);
    }

    void str(String s) {
      byte[] u = s.getBytes(StandardCharsets.UTF_8);
      b('X');
      u32(u.length);
      out.writeBytes(u);
    }

    void global(String module, String name) {
      b('c');
      out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }
}
