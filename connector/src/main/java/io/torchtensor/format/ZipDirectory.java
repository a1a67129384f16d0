package io.torchtensor.format;

import io.torchtensor.format.TensorFormatException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The central directory of a ZIP archive, read from a {@link RandomAccessInput}: end record, ZIP64
 * locator and end record, then the central entries (APPNOTE.TXT 4.3.12 to 4.3.16).
 *
 * <p>{@code java.util.zip} is not used: {@code ZipInputStream} refuses torch archives ("only
 * DEFLATED entries can have EXT descriptor", their local headers carry flag bit 3 on STORED
 * entries) and {@code ZipFile} needs a local file, while Spark hands us a positioned stream.
 *
 * <p>A record's data offset comes from its <em>local</em> header: torch pads each record to 64 bytes
 * with an {@code FB} extra field that exists only there, the central entries have extra length 0
 * [caffe2/serialize/inline_container.cc getPadding].
 */
final class ZipDirectory {

  /** One central directory entry. Sizes and offset are already ZIP64-resolved. */
  record Entry(String name, int method, long compressedSize, long size, long localHeaderOffset) {
  }

  static final int EOCD_SIG = 0x06054b50;
  static final int ZIP64_LOCATOR_SIG = 0x07064b50;
  static final int ZIP64_EOCD_SIG = 0x06064b50;
  static final int CENTRAL_SIG = 0x02014b50;
  static final int LOCAL_SIG = 0x04034b50;
  private static final int EOCD_LEN = 22;
  private static final int LOCATOR_LEN = 20;
  private static final int ZIP64_EOCD_LEN = 56;
  private static final int CENTRAL_LEN = 46;
  private static final int LOCAL_LEN = 30;
  /** The EOCD comment is at most 65535 bytes, so the record lies in the last 64 KiB + 22 bytes. */
  private static final int MAX_EOCD_SEARCH = 0xFFFF + EOCD_LEN;
  /** Largest central directory read into memory: about 500k entries with 100-byte names. */
  static final long MAX_CENTRAL_DIRECTORY_BYTES = 64L << 20;
  /** Local headers within this many bytes of each other are read together. */
  static final long HEADER_WINDOW = 64L << 10;

  private final RandomAccessInput in;
  private final String file;
  private final long centralOffset;
  private final Map<String, Entry> entries;

  private ZipDirectory(RandomAccessInput in, long centralOffset, Map<String, Entry> entries) {
    this.in = in;
    this.file = in.name();
    this.centralOffset = centralOffset;
    this.entries = entries;
  }

  /** Reads the end records and the central directory; at most {@code maxEntries} entries. */
  static ZipDirectory read(RandomAccessInput in, long maxEntries) throws IOException {
    String file = in.name();
    long length = in.length();
    int tailLen = (int) Math.min(length, MAX_EOCD_SEARCH);
    ByteBuffer tail = Bytes.read(in, length - tailLen, tailLen);
    int eocd = -1;
    // The last signature with room for a whole record, as torch's miniz reader takes it
    // [miniz mz_zip_reader_locate_header_sig]: trailing bytes after the record are tolerated. A
    // stray signature in data would give a central directory that fails the checks below.
    for (int p = tailLen - EOCD_LEN; p >= 0; p--) {
      if (tail.getInt(p) == EOCD_SIG) {
        eocd = p;
        break;
      }
    }
    if (eocd < 0) {
      throw new TensorFormatException(Reason.BAD_ZIP, file,
          "no end of central directory record in the last " + tailLen + " bytes");
    }
    long eocdPos = length - tailLen + eocd;
    long count = Short.toUnsignedInt(tail.getShort(eocd + 10));
    long cdSize = Integer.toUnsignedLong(tail.getInt(eocd + 12));
    long cdOffset = Integer.toUnsignedLong(tail.getInt(eocd + 16));
    long cdEnd = eocdPos;
    if (eocdPos >= LOCATOR_LEN) {
      ByteBuffer loc = Bytes.read(in, eocdPos - LOCATOR_LEN, LOCATOR_LEN);
      if (loc.getInt(0) == ZIP64_LOCATOR_SIG) {
        long z64Pos = loc.getLong(8);
        if (z64Pos < 0 || z64Pos > eocdPos - LOCATOR_LEN - ZIP64_EOCD_LEN) {
          throw new TensorFormatException(Reason.BAD_ZIP, file, "ZIP64 end record offset " + z64Pos
              + " outside [0, " + (eocdPos - LOCATOR_LEN - ZIP64_EOCD_LEN) + "]");
        }
        ByteBuffer z64 = Bytes.read(in, z64Pos, ZIP64_EOCD_LEN);
        if (z64.getInt(0) != ZIP64_EOCD_SIG) {
          throw new TensorFormatException(Reason.BAD_ZIP, file,
              "no ZIP64 end of central directory record at offset " + z64Pos);
        }
        count = z64.getLong(32);
        cdSize = z64.getLong(40);
        cdOffset = z64.getLong(48);
        cdEnd = z64Pos;
      }
    }
    if (count < 0 || count > maxEntries) {
      throw new TensorFormatException(Reason.LIMIT_EXCEEDED, file,
          "central directory announces " + Long.toUnsignedString(count) + " entries, limit " + maxEntries);
    }
    if (cdOffset < 0 || cdSize < 0 || cdSize > cdEnd || cdOffset > cdEnd - cdSize) {
      throw new TensorFormatException(Reason.BAD_ZIP, file, "central directory at offset " + cdOffset
          + " of " + cdSize + " bytes does not end before its end record at offset " + cdEnd);
    }
    if (cdSize > MAX_CENTRAL_DIRECTORY_BYTES) {
      throw new TensorFormatException(Reason.LIMIT_EXCEEDED, file,
          "central directory of " + cdSize + " bytes, limit " + MAX_CENTRAL_DIRECTORY_BYTES);
    }
    if (count > cdSize / CENTRAL_LEN) {
      throw new TensorFormatException(Reason.BAD_ZIP, file, count + " entries cannot fit in a central "
          + "directory of " + cdSize + " bytes");
    }
    ByteBuffer cd = Bytes.read(in, cdOffset, (int) cdSize);
    return new ZipDirectory(in, cdOffset, parseEntries(file, cd, (int) count, cdOffset));
  }

  private static Map<String, Entry> parseEntries(String file, ByteBuffer cd, int count, long cdOffset)
      throws TensorFormatException {
    Map<String, Entry> out = new LinkedHashMap<>();
    int p = 0;
    for (int i = 0; i < count; i++) {
      if (cd.limit() - p < CENTRAL_LEN || cd.getInt(p) != CENTRAL_SIG) {
        throw new TensorFormatException(Reason.BAD_ZIP, file,
            "central directory entry " + i + " at offset " + (cdOffset + p) + " is missing or cut");
      }
      int method = Short.toUnsignedInt(cd.getShort(p + 10));
      long csize = Integer.toUnsignedLong(cd.getInt(p + 20));
      long size = Integer.toUnsignedLong(cd.getInt(p + 24));
      int nameLen = Short.toUnsignedInt(cd.getShort(p + 28));
      int extraLen = Short.toUnsignedInt(cd.getShort(p + 30));
      int commentLen = Short.toUnsignedInt(cd.getShort(p + 32));
      long lho = Integer.toUnsignedLong(cd.getInt(p + 42));
      int next = p + CENTRAL_LEN + nameLen + extraLen + commentLen;
      if (next > cd.limit()) {
        throw new TensorFormatException(Reason.BAD_ZIP, file,
            "central directory entry " + i + " at offset " + (cdOffset + p) + " runs past the directory");
      }
      String name = utf8(file, cd, p + CENTRAL_LEN, nameLen, cdOffset + p);
      // ZIP64 extended information (APPNOTE 4.5.3): only the fields saturated in the entry are present,
      // in the order size, compressed size, local header offset.
      int x = p + CENTRAL_LEN + nameLen;
      int xEnd = x + extraLen;
      while (x + 4 <= xEnd) {
        int id = Short.toUnsignedInt(cd.getShort(x));
        int len = Short.toUnsignedInt(cd.getShort(x + 2));
        if (x + 4 + len > xEnd) {
          throw new TensorFormatException(Reason.BAD_ZIP, file, "extra field of entry " + name + " is cut");
        }
        if (id == 0x0001) {
          int f = x + 4;
          int fEnd = f + len;
          if (size == 0xFFFFFFFFL) {
            size = zip64Field(file, name, cd, f, fEnd);
            f += 8;
          }
          if (csize == 0xFFFFFFFFL) {
            csize = zip64Field(file, name, cd, f, fEnd);
            f += 8;
          }
          if (lho == 0xFFFFFFFFL) {
            lho = zip64Field(file, name, cd, f, fEnd);
          }
        }
        x += 4 + len;
      }
      if (lho < 0 || lho > cdOffset - LOCAL_LEN || csize < 0 || size < 0) {
        throw new TensorFormatException(Reason.BAD_ZIP, file, "entry " + name + ": local header offset "
            + lho + " or sizes (" + csize + ", " + size + ") outside the archive before offset " + cdOffset);
      }
      if (out.put(name, new Entry(name, method, csize, size, lho)) != null) {
        throw new TensorFormatException(Reason.BAD_ZIP, file, "entry " + name + " appears twice");
      }
      p = next;
    }
    return Collections.unmodifiableMap(out);
  }

  private static long zip64Field(String file, String name, ByteBuffer cd, int f, int fEnd)
      throws TensorFormatException {
    if (f + 8 > fEnd) {
      throw new TensorFormatException(Reason.BAD_ZIP, file, "ZIP64 extra field of entry " + name + " is cut");
    }
    return cd.getLong(f);
  }

  /** Strict UTF-8: a malformed name is an error, never a replacement character. */
  private static String utf8(String file, ByteBuffer buf, int at, int len, long offset)
      throws TensorFormatException {
    ByteBuffer slice = buf.duplicate().position(at).limit(at + len);
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
    } catch (CharacterCodingException e) {
      throw new TensorFormatException(Reason.BAD_ZIP, file,
          "entry name at offset " + offset + " is not valid UTF-8", e);
    }
  }

  /** All entries in central directory order. */
  List<Entry> entries() {
    return new ArrayList<>(entries.values());
  }

  /** The entry with this exact name, or null. */
  Entry find(String name) {
    return entries.get(name);
  }

  /**
   * The archive folder every record sits in: the first entry's name up to its first {@code /}, as
   * torch's reader takes it [inline_container.cc init]. torch.save uses the file's stem, a BytesIO
   * target gives {@code archive}.
   */
  String prefix() throws TensorFormatException {
    if (entries.isEmpty()) {
      throw new TensorFormatException(Reason.MISSING_RECORD, file, "the zip archive has no entries");
    }
    String first = entries.keySet().iterator().next();
    int slash = first.indexOf('/');
    if (slash <= 0) {
      throw new TensorFormatException(Reason.BAD_ZIP, file, "first entry '" + first
          + "' is not inside a folder; torch archives keep every record under one folder");
    }
    return first.substring(0, slash);
  }

  /**
   * The absolute offset of an entry's data, from its local header. Refuses compressed entries:
   * torch writes every record it reads STORED, so a compressed one is not a torch record.
   */
  long dataOffset(Entry e) throws IOException {
    return dataOffsets(List.of(e)).get(e.name());
  }

  /**
   * Data offsets of many entries, by name. Local headers that lie close together are read with one
   * positioned read per {@link #HEADER_WINDOW}: a state dict of thousands of small tensors then
   * costs a few reads instead of one per record, which matters on remote file systems.
   */
  Map<String, Long> dataOffsets(List<Entry> wanted) throws IOException {
    List<Entry> sorted = new ArrayList<>(wanted);
    sorted.sort((x, y) -> Long.compare(x.localHeaderOffset(), y.localHeaderOffset()));
    Map<String, Long> out = new LinkedHashMap<>();
    int i = 0;
    while (i < sorted.size()) {
      long windowStart = sorted.get(i).localHeaderOffset();
      long windowEnd = headerEnd(sorted.get(i));
      int j = i + 1;
      while (j < sorted.size() && headerEnd(sorted.get(j)) - windowStart <= HEADER_WINDOW) {
        windowEnd = Math.max(windowEnd, headerEnd(sorted.get(j)));
        j++;
      }
      if (windowEnd > centralOffset) {
        throw new TensorFormatException(Reason.BAD_ZIP, file, "entry " + sorted.get(j - 1).name()
            + ": local header runs into the central directory at offset " + centralOffset);
      }
      ByteBuffer window = Bytes.read(in, windowStart, windowEnd - windowStart);
      for (int k = i; k < j; k++) {
        Entry e = sorted.get(k);
        out.put(e.name(), localData(e, window, (int) (e.localHeaderOffset() - windowStart)));
      }
      i = j;
    }
    return out;
  }

  /** Bytes up to the end of an entry's local name, if the local name is as long as the central one. */
  private static long headerEnd(Entry e) {
    return e.localHeaderOffset() + LOCAL_LEN + e.name().getBytes(StandardCharsets.UTF_8).length;
  }

  private long localData(Entry e, ByteBuffer window, int at) throws TensorFormatException {
    if (e.method() != 0 || e.compressedSize() != e.size()) {
      throw new TensorFormatException(Reason.BAD_ZIP, file, "entry " + e.name() + " is compressed (method "
          + e.method() + "); torch stores its records uncompressed");
    }
    if (window.getInt(at) != LOCAL_SIG) {
      throw new TensorFormatException(Reason.BAD_ZIP, file,
          "entry " + e.name() + ": no local header at offset " + e.localHeaderOffset());
    }
    int nameLen = Short.toUnsignedInt(window.getShort(at + 26));
    int extraLen = Short.toUnsignedInt(window.getShort(at + 28));
    byte[] expected = e.name().getBytes(StandardCharsets.UTF_8);
    if (nameLen != expected.length
        || !window.slice(at + LOCAL_LEN, nameLen).equals(ByteBuffer.wrap(expected))) {
      throw new TensorFormatException(Reason.BAD_ZIP, file, "entry " + e.name()
          + ": local header at offset " + e.localHeaderOffset() + " names a different record");
    }
    long data = e.localHeaderOffset() + LOCAL_LEN + nameLen + extraLen;
    if (data > centralOffset || e.size() > centralOffset - data) {
      throw new TensorFormatException(Reason.BAD_ZIP, file, "entry " + e.name() + ": data at offset " + data
          + " of " + e.size() + " bytes runs into the central directory at offset " + centralOffset);
    }
    return data;
  }

  /** Reads a whole STORED entry of at most {@code max} bytes into a little-endian heap buffer. */
  ByteBuffer readEntry(Entry e, long max, String what) throws IOException {
    if (e.size() > Math.min(max, Bytes.MAX_ARRAY)) {
      throw new TensorFormatException(Reason.LIMIT_EXCEEDED, file,
          what + " " + e.name() + " has " + e.size() + " bytes, limit " + max);
    }
    return Bytes.read(in, dataOffset(e), (int) e.size());
  }
}
