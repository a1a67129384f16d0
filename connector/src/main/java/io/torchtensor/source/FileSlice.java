package io.torchtensor.source;

import java.io.Serializable;
import java.math.BigInteger;

/**
 * A byte range {@code [start, start + length)} of a file, the unit packed into input partitions.
 *
 * <p>In the {@code rows} layout a big file is cut into several slices; each slice reads the rows
 * whose proportional position falls in its range: row {@code r} of {@code N} belongs to the slice
 * containing byte {@code r * fileLength / N}. So a slice reads rows
 * {@code [ceil(start * N / len), ceil((start + length) * N / len))}: adjacent slices meet exactly,
 * and no row is lost or read twice whatever N and the split size are. Row ranges need N, which only
 * the executor learns from the header, so planning needs no file opened on the driver.
 *
 * <p>{@code partitionValues} are the file's partition column values (Spark internal values, in the
 * order of the table's partition columns), or null when the table has none.
 */
record FileSlice(String path, long fileLength, long start, long length, String[] hosts, Object[] partitionValues)
    implements Serializable {

  FileSlice(String path, long fileLength, long start, long length, String[] hosts) {
    this(path, fileLength, start, length, hosts, null);
  }

  boolean wholeFile() {
    return start == 0 && length == fileLength;
  }

  /** First row of this slice in a file of {@code rows} rows. */
  long firstRow(long rows) {
    return rowAt(start, rows);
  }

  /** One past the last row of this slice. */
  long endRow(long rows) {
    return rowAt(start + length, rows);
  }

  private long rowAt(long offset, long rows) {
    if (fileLength == 0 || offset >= fileLength) {
      return offset >= fileLength ? rows : 0;
    }
    // ceil(offset * rows / fileLength) without overflow: both factors may be large.
    BigInteger[] qr = BigInteger.valueOf(offset).multiply(BigInteger.valueOf(rows))
        .divideAndRemainder(BigInteger.valueOf(fileLength));
    return qr[0].longValueExact() + (qr[1].signum() > 0 ? 1 : 0);
  }
}
