package io.torchtensor.source;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;

/**
 * Where the tasks of a job group ran, seen from the driver: a {@link SparkListener} (public
 * scheduler API) that records each job's stages and each finished task's executor id and outcome.
 * Listener events arrive asynchronously, so {@link #await} waits until every task of the group's
 * stages has been reported.
 */
final class TaskPlacement extends SparkListener {
  /** A finished task: its stage, the executor that ran it, whether it succeeded. */
  record Task(int stageId, String executorId, String host, boolean successful) {
  }

  private final Map<String, List<StageInfo>> stagesByGroup = new ConcurrentHashMap<>();
  private final Map<Integer, List<Task>> tasksByStage = new ConcurrentHashMap<>();
  private final Map<String, String> executorHosts = new ConcurrentHashMap<>();

  @Override
  public void onJobStart(SparkListenerJobStart job) {
    String group = job.properties() == null ? null : job.properties().getProperty("spark.jobGroup.id");
    if (group != null) {
      stagesByGroup.computeIfAbsent(group, g -> java.util.Collections.synchronizedList(new ArrayList<>()))
          .addAll(scala.jdk.javaapi.CollectionConverters.asJava(job.stageInfos()));
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    tasksByStage.computeIfAbsent(end.stageId(), s -> java.util.Collections.synchronizedList(new ArrayList<>()))
        .add(new Task(end.stageId(), end.taskInfo().executorId(), end.taskInfo().host(),
            end.taskInfo().successful()));
  }

  @Override
  public void onExecutorAdded(SparkListenerExecutorAdded added) {
    executorHosts.put(added.executorId(), added.executorInfo().executorHost());
  }

  /** Executors that registered with the driver: id to host. */
  Map<String, String> executors() {
    return Map.copyOf(executorHosts);
  }

  /** The stages the group's jobs ran (submitted ones only: every stage of a fresh query runs). */
  List<StageInfo> stages(String group) {
    List<StageInfo> s = stagesByGroup.get(group);
    if (s == null) {
      return List.of();
    }
    synchronized (s) {
      return List.copyOf(s);
    }
  }

  /** Waits until every task of every stage of {@code group} has been reported, and returns them. */
  List<Task> await(String group, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<StageInfo> stages = stages(group);
      List<Task> tasks = new ArrayList<>();
      boolean complete = !stages.isEmpty();
      for (StageInfo st : stages) {
        List<Task> t = tasksByStage.getOrDefault(st.stageId(), List.of());
        synchronized (t) {
          tasks.addAll(t.stream().filter(Task::successful).toList());
          complete &= t.stream().filter(Task::successful).count() >= st.numTasks();
        }
      }
      if (complete) {
        return tasks;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("tasks of job group " + group + " not all reported after " + timeout
            + ": stages " + stages.stream().map(s -> s.stageId() + "(" + s.numTasks() + " tasks)").toList()
            + ", reported " + tasks);
      }
      Thread.sleep(50);
    }
  }
}
