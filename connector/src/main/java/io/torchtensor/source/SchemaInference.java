package io.torchtensor.source;

import io.torchtensor.arrow.TensorsLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkException;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The table schema, on the driver, from file headers only (each file's index; no tensor byte),
 * read by {@link HeaderReader} (on the driver, or by a Spark job for many files).
 *
 * <p>{@code tensors} layout: a fixed schema, no file opened. {@code rows} layout: every file's
 * selected tensors must agree with the first file's (same keys, dtypes and per-row shapes); a
 * disagreement fails with both files named. With {@code mergeSchema} the columns are the union in
 * first-seen order, a column absent from some file is nullable and reads as null there; dtypes and
 * per-row shapes must still agree.
 *
 * <p>The headers also tell each file's row count; {@link #rowsSchema} hands them to the caller so
 * that the scan can know every partition's rows without opening a file again ({@link PlannedRows}).
 */
final class SchemaInference {

  private SchemaInference() {
  }

  static StructType tensorsSchema() {
    List<StructField> fields = new ArrayList<>();
    for (String c : TensorsLayout.COLUMNS) {
      switch (c) {
        case TensorsLayout.SHAPE:
          fields.add(DataTypes.createStructField(c, DataTypes.createArrayType(DataTypes.LongType, false), false));
          break;
        case TensorsLayout.REQUIRES_GRAD:
          fields.add(DataTypes.createStructField(c, DataTypes.BooleanType, false));
          break;
        case TensorsLayout.DATA:
          fields.add(DataTypes.createStructField(c, DataTypes.BinaryType, false));
          break;
        default:
          fields.add(DataTypes.createStructField(c, DataTypes.StringType, false));
      }
    }
    return DataTypes.createStructType(fields);
  }

  /**
   * The {@code rows}-layout schema of {@code files}; puts each readable file's row count (under
   * {@code keys}) into {@code rowCounts}, by path.
   */
  static StructType rowsSchema(SparkSession spark, List<ListedFile> files, Configuration conf, KeyFilter keys,
      boolean mergeSchema, boolean failFast, boolean ignoreCorruptFiles, boolean ignoreMissingFiles,
      Map<String, Long> rowCounts) {
    Map<String, RowsSchema.Column> columns = new LinkedHashMap<>();
    Map<String, String> firstFile = new LinkedHashMap<>();
    Set<String> seenEverywhere = null;
    String reference = null;
    Set<String> referenceKeys = null;
    for (HeaderReader.FileHeader f : HeaderReader.read(spark, files, conf, keys)) {
      Exception e = f.error();
      if (e != null) {
        if (FileErrors.skippable(e, failFast, ignoreCorruptFiles, ignoreMissingFiles)) {
          continue;
        }
        if (e instanceof TorchTensorSchemaException) {
          throw (TorchTensorSchemaException) e; // names the file already; not a read failure
        }
        throw sneaky(new SparkException(FileErrors.message(f.path(), e), e));
      }
      rowCounts.put(f.path(), f.rows());
      List<RowsSchema.Column> cols = f.columns();
      Set<String> names = new LinkedHashSet<>();
      for (RowsSchema.Column c : cols) {
        names.add(c.name());
        RowsSchema.Column prev = columns.get(c.name());
        if (prev == null) {
          columns.put(c.name(), c);
          firstFile.put(c.name(), f.path());
        } else if (!prev.sameTensorType(c)) {
          throw new TorchTensorSchemaException("torchtensor files disagree on column " + c.name() + ": "
              + firstFile.get(c.name()) + " has " + prev.describe() + ", " + f.path() + " has " + c.describe()
              + "; read them separately, or select other tensors with option keys");
        }
      }
      if (reference == null) {
        reference = f.path();
        referenceKeys = names;
        seenEverywhere = new LinkedHashSet<>(names);
      } else {
        if (!mergeSchema && !names.equals(referenceKeys)) {
          throw new TorchTensorSchemaException("torchtensor files disagree on their tensors: " + reference + " has "
              + referenceKeys + ", " + f.path() + " has " + names + "; set option mergeSchema=true to read the union"
              + " of columns (missing columns are null), or select common tensors with option keys");
        }
        seenEverywhere.retainAll(names);
      }
    }
    if (reference == null) {
      throw new TorchTensorSchemaException("no readable torchtensor file among " + files.size() + " files listed;"
          + " a schema cannot be inferred (give one with .schema(...))");
    }
    List<StructField> fields = new ArrayList<>();
    for (RowsSchema.Column c : columns.values()) {
      fields.add(RowsSchema.field(c, !seenEverywhere.contains(c.name())));
    }
    return DataTypes.createStructType(fields);
  }

  /**
   * Throws a checked exception from a method that declares none: {@code TableProvider.inferSchema}
   * cannot declare {@link SparkException}, which is what Spark users catch for a failed read.
   */
  @SuppressWarnings("unchecked")
  static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
    throw (T) t;
  }
}
