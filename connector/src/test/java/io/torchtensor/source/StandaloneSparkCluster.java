package io.torchtensor.source;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spark standalone cluster on the loopback interface: one master and one worker, each in its own
 * JVM, started with the distribution's {@code bin/spark-class} the way {@code sbin/start-master.sh}
 * and {@code start-worker.sh} do (the pip {@code pyspark} package ships {@code bin/spark-class} and
 * {@code jars/} but not those two scripts).
 *
 * <p>Everything binds to 127.0.0.1: {@code --host} for the RPC endpoints and {@code SPARK_LOCAL_IP}
 * for the web UIs (Spark's {@code WebUI.bind} uses it, else 0.0.0.0). Ports are free ports picked
 * here. Logs go to {@code logDir} (master.log, worker.log, and the executors' stdout/stderr under
 * work/). {@link #close()} stops worker and master (and the executor JVMs the worker started) within
 * a bounded time; a JVM shutdown hook does the same if the test JVM exits first.
 */
final class StandaloneSparkCluster implements AutoCloseable {
  static final String HOST = "127.0.0.1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

  private final Path sparkHome;
  private final Path logDir;
  private final List<Process> processes = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::stopAll, "standalone-cluster-stop");
  private int masterPort;
  private int masterUiPort;

  private StandaloneSparkCluster(Path sparkHome, Path logDir) {
    this.sparkHome = sparkHome;
    this.logDir = logDir;
  }

  /**
   * The Spark distribution to run: system property {@code torchtensor.sparkHome}, else env
   * {@code SPARK_HOME}; it must hold {@code bin/spark-class} and {@code jars/}.
   */
  static Path sparkHome() {
    String home = System.getProperty("torchtensor.sparkHome", "");
    if (home.isBlank() || home.startsWith("${")) {
      home = System.getenv().getOrDefault("SPARK_HOME", "");
    }
    String how = "pass a Spark 4.2 distribution as -Dtorchtensor.sparkHome=... or env SPARK_HOME, e.g. the"
        + " pyspark package of the project's Python environment: -Dtorchtensor.sparkHome=\"$(bin/python-env)"
        + "/lib/python3.11/site-packages/pyspark\" (bin/test does this)";
    if (home.isBlank()) {
      throw new IllegalStateException("No Spark distribution for the standalone cluster test: " + how);
    }
    Path p = Path.of(home).toAbsolutePath();
    if (!Files.isRegularFile(p.resolve("bin/spark-class")) || !Files.isDirectory(p.resolve("jars"))) {
      throw new IllegalStateException(p + " has no bin/spark-class and jars/: " + how);
    }
    return p;
  }

  /** Starts a master and a worker offering {@code cores} cores and {@code memory} to executors. */
  static StandaloneSparkCluster start(Path sparkHome, Path logDir, int cores, String memory)
      throws IOException, InterruptedException {
    Files.createDirectories(logDir.resolve("work"));
    StandaloneSparkCluster c = new StandaloneSparkCluster(sparkHome, logDir);
    Runtime.getRuntime().addShutdownHook(c.shutdownHook);
    try {
      c.masterPort = freePort();
      c.masterUiPort = freePort();
      c.launch("master", "org.apache.spark.deploy.master.Master",
          "--host", HOST, "--port", Integer.toString(c.masterPort),
          "--webui-port", Integer.toString(c.masterUiPort));
      c.awaitMaster(0);
      c.launch("worker", "org.apache.spark.deploy.worker.Worker",
          "--host", HOST, "--port", Integer.toString(freePort()),
          "--webui-port", Integer.toString(freePort()),
          "--cores", Integer.toString(cores), "--memory", memory,
          "--work-dir", logDir.resolve("work").toString(), c.masterUrl());
      c.awaitMaster(1);
      return c;
    } catch (IOException | InterruptedException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  String masterUrl() {
    return "spark://" + HOST + ":" + masterPort;
  }

  Path logDir() {
    return logDir;
  }

  private void launch(String name, String mainClass, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("bash", sparkHome.resolve("bin/spark-class").toString(),
        mainClass));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(logDir.resolve(name + ".log").toFile());
    Map<String, String> env = pb.environment();
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("SPARK_LOCAL_IP", HOST);
    env.put("SPARK_DAEMON_MEMORY", "256m");
    env.put("SPARK_WORKER_DIR", logDir.resolve("work").toString());
    // An empty conf dir: no site spark-defaults.conf or spark-env.sh changes what is tested.
    Path conf = Files.createDirectories(logDir.resolve("conf"));
    env.put("SPARK_CONF_DIR", conf.toString());
    env.remove("HADOOP_CONF_DIR");
    env.remove("YARN_CONF_DIR");
    synchronized (processes) {
      processes.add(pb.start());
    }
  }

  /**
   * Waits until the master's JSON status page ({@code MasterPage.renderJson}) reports the wanted
   * number of ALIVE workers; fails early when a process died, with the end of its log.
   */
  private void awaitMaster(int aliveWorkers) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + masterUiPort + "/json/"))
        .timeout(Duration.ofSeconds(5)).build();
    Pattern alive = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      synchronized (processes) {
        for (Process p : processes) {
          if (!p.isAlive()) {
            throw new IllegalStateException("a Spark daemon exited with " + p.exitValue() + "; logs: "
                + logDir + "\n" + logTails());
          }
        }
      }
      try {
        String body = http.send(req, HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = alive.matcher(body);
        if (m.find() && Integer.parseInt(m.group(1)) >= aliveWorkers) {
          return;
        }
        last = body;
      } catch (IOException notYet) {
        last = notYet.toString();
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the Spark master at " + masterUrl() + " had no " + aliveWorkers
        + " alive worker(s) after " + START_TIMEOUT + " (last status: " + last + "); logs: " + logDir
        + "\n" + logTails());
  }

  /** The last lines of master.log and worker.log, for failure messages. */
  String logTails() {
    StringBuilder sb = new StringBuilder();
    for (String name : List.of("master.log", "worker.log")) {
      Path p = logDir.resolve(name);
      if (Files.exists(p)) {
        try {
          List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
          sb.append("--- ").append(name).append('\n');
          lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(l -> sb.append(l).append('\n'));
        } catch (IOException e) {
          sb.append("--- ").append(name).append(": ").append(e).append('\n');
        }
      }
    }
    return sb.toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return s.getLocalPort();
    }
  }

  /**
   * Stops the worker first (its shutdown hook kills the executors it started), then the master;
   * SIGTERM, then SIGKILL after {@link #STOP_TIMEOUT}, then any executor JVM still left.
   */
  private void stopAll() {
    List<Process> ps;
    synchronized (processes) {
      ps = new ArrayList<>(processes);
      processes.clear();
    }
    for (int i = ps.size() - 1; i >= 0; i--) {
      Process p = ps.get(i);
      List<ProcessHandle> children = p.descendants().toList();
      p.destroy();
      try {
        if (!p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
  }

  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook is running or has run: nothing left to stop
    }
  }
}
