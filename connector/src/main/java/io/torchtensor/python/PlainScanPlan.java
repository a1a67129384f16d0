package io.torchtensor.python;

import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.execution.CollectLimitExec;
import org.apache.spark.sql.execution.ColumnarToRowExec;
import org.apache.spark.sql.execution.GlobalLimitExec;
import org.apache.spark.sql.execution.InputAdapter;
import org.apache.spark.sql.execution.LocalLimitExec;
import org.apache.spark.sql.execution.ProjectExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.WholeStageCodegenExec;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;

import scala.jdk.javaapi.CollectionConverters;

/**
 * Recognizes a physical plan that is nothing but a torchtensor columnar scan, so its Arrow batches
 * can be handed to Python as they come out of the connector.
 *
 * <p>The plan qualifies when, from the root down, it consists only of:
 * <ul>
 *   <li>{@code WholeStageCodegenExec}, {@code InputAdapter}, {@code ColumnarToRowExec}: the row
 *       transitions Spark puts over a columnar scan ({@code ApplyColumnarRulesAndInsertTransitions});
 *   <li>{@code ProjectExec} whose list holds plain attributes (a reorder or subset of columns);
 *   <li>{@code CollectLimitExec} / {@code GlobalLimitExec} / {@code LocalLimitExec} without an offset
 *       (rows are taken in partition order, as {@code CollectLimitExec} takes them);
 *   <li>ending in a {@code BatchScanExec} of a scan from the {@code io.torchtensor} packages that is
 *       columnar and has no runtime filters.
 * </ul>
 * Filters on partition columns alone leave no node: the scan decides them per file and reads only the
 * files they keep. Anything else (filters, expressions, joins, caches, adaptive plans) may change values or rows, so
 * those DataFrames go through {@code Dataset.toArrow} instead; {@link #reason()} says why.
 */
final class PlainScanPlan {
  private final BatchScanExec scan;
  private final int[] ordinals;
  private final long limit;
  private final String reason;

  private PlainScanPlan(BatchScanExec scan, int[] ordinals, long limit, String reason) {
    this.scan = scan;
    this.ordinals = ordinals;
    this.limit = limit;
    this.reason = reason;
  }

  static PlainScanPlan match(SparkPlan root) {
    List<Attribute> wanted = CollectionConverters.asJava(root.output());
    long limit = -1;
    SparkPlan node = root;
    while (true) {
      if (node instanceof WholeStageCodegenExec w) {
        node = w.child();
      } else if (node instanceof InputAdapter a) {
        node = a.child();
      } else if (node instanceof ColumnarToRowExec c) {
        node = c.child();
      } else if (node instanceof ProjectExec p) {
        for (NamedExpression e : CollectionConverters.asJava(p.projectList())) {
          if (!(e instanceof Attribute)) {
            return refuse("the projection computes " + e.name());
          }
        }
        node = p.child();
      } else if (node instanceof CollectLimitExec l) {
        if (l.offset() > 0) {
          return refuse("the plan has an OFFSET");
        }
        limit = minLimit(limit, l.limit());
        node = l.child();
      } else if (node instanceof GlobalLimitExec l) {
        if (l.offset() > 0) {
          return refuse("the plan has an OFFSET");
        }
        limit = minLimit(limit, l.limit());
        node = l.child();
      } else if (node instanceof LocalLimitExec l) {
        limit = minLimit(limit, l.limit());
        node = l.child();
      } else {
        break;
      }
    }
    if (!(node instanceof BatchScanExec bs)) {
      return refuse("the plan is not a plain torchtensor scan (found " + node.nodeName() + ")");
    }
    if (!bs.scan().getClass().getName().startsWith("io.torchtensor.")) {
      return refuse("the scan is " + bs.scan().getClass().getName() + ", not torchtensor's");
    }
    List<Expression> filters = CollectionConverters.asJava(bs.runtimeFilters());
    if (!filters.isEmpty() || !bs.supportsColumnar()) {
      return refuse("the torchtensor scan is not a plain columnar scan");
    }
    return new PlainScanPlan(bs, ordinals(wanted, bs), limit, null);
  }

  private static int[] ordinals(List<Attribute> wanted, BatchScanExec bs) {
    List<Long> ids = new ArrayList<>();
    for (Attribute a : CollectionConverters.asJava(bs.output())) {
      ids.add(a.exprId().id());
    }
    int[] out = new int[wanted.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ids.indexOf(wanted.get(i).exprId().id());
      if (out[i] < 0) {
        throw new IllegalStateException("column " + wanted.get(i).name() + " is not in the scan output");
      }
    }
    return out;
  }

  private static long minLimit(long current, int limit) {
    return current < 0 ? limit : Math.min(current, limit);
  }

  private static PlainScanPlan refuse(String reason) {
    return new PlainScanPlan(null, null, -1, reason);
  }

  /** True when the plan is a plain torchtensor scan. */
  boolean matched() {
    return scan != null;
  }

  /** Why the plan does not qualify; null when it does. */
  String reason() {
    return reason;
  }

  BatchScanExec scan() {
    return scan;
  }

  /** For each output column, its index among the scan's columns. */
  int[] ordinals() {
    return ordinals.clone();
  }

  /** The row limit over the scan, or -1 for none. */
  long limit() {
    return limit;
  }
}
