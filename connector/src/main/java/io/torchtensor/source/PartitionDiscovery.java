package io.torchtensor.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Partition columns from Hive-style directories between the root paths and the listed files
 * ({@code /features/split=train/day=2024-01-01/shard-0.pt}), as Spark's file sources discover them
 * [sql/core/.../datasources/PartitioningUtils.scala, {@code parsePartitions} and
 * {@code parsePartition}; PartitioningAwareFileIndex.scala, {@code basePaths}]:
 * <ul>
 *   <li>each file's directory is walked up to a base path (the {@code basePath} option, else the
 *       root path loaded, or a loaded file's directory), collecting {@code name=value} names; the
 *       walk stops early at a name without {@code =};
 *   <li>every directory must end at the same base path and name the same columns in the same order,
 *       else the read fails with the suspicious paths ("Conflicting directory structures");
 *   <li>names and string values are unescaped ({@code %3D} is {@code =}); types are inferred
 *       ({@link PartitionValueTypes}) and widened across directories when
 *       {@code spark.sql.sources.partitionColumnTypeInference.enabled} (default), else strings; a
 *       user schema that names a partition column gives its type (and spelling); a value that is not
 *       of that type fails the read, or is null with
 *       {@code spark.sql.sources.validatePartitionColumns=false}.
 * </ul>
 * Files directly in a base path next to partition directories fail the read (Spark would leave
 * them out silently).
 */
final class PartitionDiscovery {

  /**
   * Field metadata marking a partition column: a plain value per row, not a tensor (Python returns
   * it as an array of its Spark type).
   */
  static final String META_PARTITION = "torchtensor.partition";

  /** The partition columns (empty when the files are not partitioned) and each file's values, by path. */
  record Spec(StructType schema, Map<String, Object[]> values) {
    static final Spec EMPTY = new Spec(new StructType(), Map.of());

    boolean isEmpty() {
      return schema.fields().length == 0;
    }

    Object[] valuesOf(String path) {
      return values.get(path);
    }
  }

  /** One leaf directory's columns (names unescaped, raw values) and where its walk stopped. */
  private record Parsed(List<String> names, List<String> raw, Path base) {
  }

  /** The files of a read and their partition columns. */
  record Listing(List<ListedFile> files, Spec partitions) {
  }

  private PartitionDiscovery() {
  }

  /** Lists the read's files ({@link FileLister}) and discovers their partitions, unless recursiveFileLookup. */
  static Listing list(ReadConf conf, Configuration hadoop, StructType userSchema) {
    List<String> roots = new ArrayList<>();
    List<ListedFile> files = FileLister.list(conf.paths(), hadoop, conf.pathGlobFilter(), conf.recursiveFileLookup(),
        roots);
    Spec spec = conf.recursiveFileLookup() ? Spec.EMPTY : discover(files, roots, conf.basePath(), hadoop,
        conf.partitionColumnTypeInference(), conf.timestampNtz(), conf.caseSensitive(), conf.sessionZone(), userSchema,
        conf.validatePartitionColumns());
    return new Listing(files, spec);
  }

  /**
   * The table schema: {@code data} then the partition columns, as Spark appends them; a data column
   * named like a partition column fails.
   */
  static StructType tableSchema(StructType data, Spec spec, boolean caseSensitive) {
    if (spec.isEmpty()) {
      return data;
    }
    List<StructField> fields = new ArrayList<>(List.of(data.fields()));
    for (StructField p : spec.schema().fields()) {
      if (userField(data, p.name(), caseSensitive) != null) {
        throw new TorchTensorSchemaException("column " + p.name() + " is both a tensor of the files and a partition"
            + " directory name; select other tensors with option keys, or read with recursiveFileLookup=true");
      }
      fields.add(p);
    }
    return DataTypes.createStructType(fields);
  }

  /**
   * @param roots      the loaded paths after glob expansion, qualified ({@link FileLister})
   * @param userSchema the user's schema, or null
   */
  static Spec discover(List<ListedFile> files, List<String> roots, String basePath, Configuration conf,
      boolean typeInference, boolean timestampNtz, boolean caseSensitive, ZoneId zone, StructType userSchema,
      boolean validate) {
    if (files.isEmpty()) {
      return Spec.EMPTY;
    }
    Set<Path> bases = basePaths(roots, basePath, conf);
    Map<Path, Parsed> byDir = new LinkedHashMap<>();
    for (ListedFile f : files) {
      Path dir = new Path(f.path()).getParent();
      if (dir != null && !byDir.containsKey(dir)) {
        byDir.put(dir, parse(dir, bases));
      }
    }
    Set<String> discoveredBases = new LinkedHashSet<>();
    List<String> names = null;
    Path namesFrom = null;
    boolean partitioned = false;
    for (Parsed p : byDir.values()) {
      partitioned |= !p.names().isEmpty();
    }
    if (!partitioned) {
      return Spec.EMPTY;
    }
    for (Map.Entry<Path, Parsed> e : byDir.entrySet()) {
      Parsed p = e.getValue();
      discoveredBases.add(p.base().toString().toLowerCase(Locale.ROOT));
      if (p.names().isEmpty()) {
        throw new TorchTensorSchemaException("Conflicting directory structures detected: " + e.getKey()
            + " holds files but is not a partition directory (name=value) while other files are in partition"
            + " directories; files of a partitioned table live in its leaf directories only");
      }
      if (names == null) {
        names = p.names();
        namesFrom = e.getKey();
      } else if (!key(names, caseSensitive).equals(key(p.names(), caseSensitive))) {
        throw new TorchTensorSchemaException("Conflicting partition column names detected: " + namesFrom + " has "
            + names + ", " + e.getKey() + " has " + p.names() + "; directories at the same level must name the same"
            + " partition column, and files live in leaf directories only");
      }
    }
    Set<String> seen = new LinkedHashSet<>();
    for (String n : key(names, caseSensitive)) {
      if (!seen.add(n)) {
        // Spark's checkSchemaColumnNameDuplication of the partition schema (COLUMN_ALREADY_EXISTS).
        throw new TorchTensorSchemaException("partition column " + n + " is named by two directories of "
            + namesFrom + "; each level of a partitioned table names another column");
      }
    }
    if (discoveredBases.size() != 1) {
      throw new TorchTensorSchemaException("Conflicting directory structures detected. Suspicious paths: "
          + discoveredBases + ". If the paths loaded are partition directories, set option basePath to the root"
          + " directory of the table; load several root directories separately and union them");
    }
    List<StructField> fields = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      StructField user = userField(userSchema, names.get(i), caseSensitive);
      DataType type = null;
      if (user != null) {
        type = user.dataType();
      } else {
        for (Parsed p : byDir.values()) {
          DataType t = PartitionValueTypes.infer(p.raw().get(i), typeInference, timestampNtz);
          type = type == null ? t : PartitionValueTypes.wider(type, t);
        }
        if (type instanceof NullType) {
          type = DataTypes.StringType; // only default partitions: read as null strings
        }
      }
      fields.add(DataTypes.createStructField(user != null ? user.name() : names.get(i), type, true,
          new MetadataBuilder().putBoolean(META_PARTITION, true).build()));
    }
    Map<Path, Object[]> dirValues = new HashMap<>();
    for (Map.Entry<Path, Parsed> e : byDir.entrySet()) {
      Object[] v = new Object[fields.size()];
      for (int i = 0; i < v.length; i++) {
        String raw = e.getValue().raw().get(i);
        try {
          v[i] = PartitionValueTypes.cast(raw, fields.get(i).dataType(), zone);
        } catch (IllegalArgumentException ex) {
          if (!validate) {
            v[i] = null; // spark.sql.sources.validatePartitionColumns=false: a value of another type is null
            continue;
          }
          throw new TorchTensorSchemaException("partition column " + fields.get(i).name() + ": value '" + raw
              + "' of directory " + e.getKey() + " cannot be read as " + fields.get(i).dataType().simpleString()
              + " (" + ex.getMessage() + ")");
        }
      }
      dirValues.put(e.getKey(), v);
    }
    Map<String, Object[]> values = new HashMap<>();
    for (ListedFile f : files) {
      values.put(f.path(), dirValues.get(new Path(f.path()).getParent()));
    }
    return new Spec(DataTypes.createStructType(fields), values);
  }

  private static List<String> key(List<String> names, boolean caseSensitive) {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      out.add(caseSensitive ? n : n.toLowerCase(Locale.ROOT));
    }
    return out;
  }

  static StructField userField(StructType schema, String name, boolean caseSensitive) {
    if (schema == null) {
      return null;
    }
    for (StructField f : schema.fields()) {
      if (caseSensitive ? f.name().equals(name) : f.name().equalsIgnoreCase(name)) {
        return f;
      }
    }
    return null;
  }

  /** Spark's {@code basePaths}: the option (a directory above every root), else the roots. */
  private static Set<Path> basePaths(List<String> roots, String basePath, Configuration conf) {
    Set<Path> out = new LinkedHashSet<>();
    if (basePath == null) {
      for (String r : roots) {
        out.add(new Path(r));
      }
      return out;
    }
    try {
      Path p = new Path(basePath);
      FileSystem fs = p.getFileSystem(conf);
      if (!fs.getFileStatus(p).isDirectory()) {
        throw new IllegalArgumentException("option " + ReadOptions.BASE_PATH + " must be a directory: " + basePath);
      }
      Path qualified = fs.makeQualified(p);
      for (String r : roots) {
        if (!r.startsWith(qualified.toString())) {
          throw new IllegalArgumentException("option " + ReadOptions.BASE_PATH + "=" + basePath
              + " is not above the path loaded " + r);
        }
      }
      out.add(qualified);
      return out;
    } catch (java.io.FileNotFoundException e) {
      throw new IllegalArgumentException("option " + ReadOptions.BASE_PATH + ": no such directory " + basePath, e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Spark's {@code parsePartition}: walks up from a file's directory to a base path. */
  private static Parsed parse(Path dir, Set<Path> bases) {
    List<String> names = new ArrayList<>();
    List<String> raw = new ArrayList<>();
    Path current = dir;
    boolean finished = dir.getParent() == null;
    while (!finished) {
      if (bases.contains(current)) {
        break;
      }
      String name = current.getName();
      int eq = name.indexOf('=');
      boolean column = eq >= 0;
      if (column) {
        String col = PartitionValueTypes.unescapePathName(name.substring(0, eq));
        String value = name.substring(eq + 1);
        if (col.isEmpty() || value.isEmpty()) {
          throw new TorchTensorSchemaException("directory " + current + ": empty partition column "
              + (col.isEmpty() ? "name" : "value") + " in '" + name + "'");
        }
        names.add(0, col);
        raw.add(0, value);
      }
      finished = (!column && !names.isEmpty()) || current.getParent() == null;
      if (!finished) {
        current = current.getParent();
      }
    }
    return names.isEmpty() ? new Parsed(names, raw, dir) : new Parsed(names, raw, current);
  }
}
