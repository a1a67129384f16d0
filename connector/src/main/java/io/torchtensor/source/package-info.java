/**
 * The {@code torchtensor} Spark data source (public DSv2 interfaces only).
 *
 * <pre>{@code
 * df = spark.read.format("torchtensor").load("hdfs:///data/shards/")          # rows layout
 * df = spark.read.format("torchtensor").option("layout", "tensors").load("/ckpt/epoch-9.pt")
 * }</pre>
 *
 * <h2>Layouts</h2>
 * <ul>
 *   <li>{@code rows} (default): a file holds one tensor or a (nested) dict/list of tensors sharing
 *       their leading dimension N and gives N rows. Each tensor is a column named by its key
 *       (dot-joined dict keys and list indices; a root tensor is {@code tensor}; select dotted names
 *       with backticks). A 1-D tensor is a scalar column; {@code [N, d1, ...]} is
 *       {@code array<elem>} holding the row's {@code d1·...} values in C order. Column metadata
 *       {@code torchtensor.dtype} and {@code torchtensor.shape} (per-row shape, JSON) keep the exact
 *       tensor type. Tensors of one file with different leading dimensions, or 0-dim tensors, fail
 *       with {@link io.torchtensor.source.TorchTensorSchemaException}: pick tensors with {@code keys}
 *       or use the {@code tensors} layout.</li>
 *   <li>{@code tensors}: one row per tensor: {@code path}, {@code key}, {@code dtype},
 *       {@code shape array<bigint>}, {@code device} (where it was saved, e.g. {@code cuda:0}; bytes are
 *       always read on the CPU), {@code requires_grad}, {@code data} (C-order little-endian bytes).</li>
 * </ul>
 *
 * <h2>Partition columns</h2>
 * Files under Hive-style directories ({@code /features/split=train/day=2024-01-01/shard-0.pt}) get
 * the directories' columns after the tensor columns in both layouts, typed and unescaped as Spark's
 * file sources do ({@code PartitionDiscovery}; {@code basePath}, {@code timeZone},
 * {@code recursiveFileLookup}). Filters on them alone rule whole files out at planning; each batch
 * carries their values as Arrow vectors ({@code PartitionVectors}).
 *
 * <h2>Element types</h2>
 * float32 → float, float64 → double, float16/bfloat16/float8 → float (exact), int8 → tinyint,
 * int16 → smallint, int32 → int, int64 → bigint, uint8 → smallint, uint16 → int, uint32 → bigint,
 * bool → boolean, complex64/128 → interleaved (re, im) float/double pairs (a 1-D complex tensor is an
 * array of 2), complex32 → interleaved float pairs (its float16 halves widened exactly),
 * qint8/quint8/qint32 → their integer representation (tinyint/smallint/int; scale and zero point are
 * not applied). A lazy conj/neg view gives its resolved values. <b>uint64 → bigint holding the same 64 bits</b>: SQL sees values at or
 * above 2^63 as negative; the Python helper restores them from the column metadata.
 *
 * <h2>Options</h2>
 * See {@link io.torchtensor.source.ReadOptions}; each can be a session default
 * {@code spark.datasource.torchtensor.<option>}. {@code device=auto} uses the pure-Java CPU reader
 * while the optional DJL device module is absent; {@code djl-cpu} and {@code cuda} need it.
 *
 * <h2>Reading</h2>
 * The schema comes from file headers only. Only the requested columns' bytes are read
 * ({@code count()} reads headers only); a big {@code rows}-layout file is split into row ranges
 * ({@code maxPartitionBytes}); each batch holds {@code min(batchRows, batchBytes / rowBytes)} rows
 * and reads each column with one positioned read. With {@code mode=DROPMALFORMED} or
 * {@code ignoreCorruptFiles}, a file that fails part way keeps the rows already returned, as Spark's
 * file sources do. Metrics in the SQL tab: files, tensors and bytes read, read calls, batches, files
 * dropped. {@link io.torchtensor.source.PlannedRows} tells each planned partition's rows on the
 * driver where the headers read by schema inference fix them (the Python hand-off places rows by it).
 */
package io.torchtensor.source;
