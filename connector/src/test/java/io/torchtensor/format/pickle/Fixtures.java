package io.torchtensor.format.pickle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Reads the shared fixture files (never copied into the project) for pickle tests. */
final class Fixtures {

  private Fixtures() {
  }

  static Path shared() {
    String p = System.getProperty("torchtensor.shared");
    if (p == null) {
      throw new IllegalStateException("system property torchtensor.shared is not set; run the tests through Maven");
    }
    Path dir = Path.of(p, "fixtures");
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("fixture folder " + dir + " is missing");
    }
    return dir;
  }

  static byte[] file(String name) throws IOException {
    return Files.readAllBytes(shared().resolve(name));
  }

  /** The bytes of the zip record whose name ends with {@code /data.pkl}, read with java.util.zip.ZipFile. */
  static byte[] dataPkl(String name) throws IOException {
    try (ZipFile zip = new ZipFile(shared().resolve(name).toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        if (e.getName().endsWith("/data.pkl")) {
          try (InputStream in = zip.getInputStream(e)) {
            return in.readAllBytes();
          }
        }
      }
    }
    throw new IllegalStateException(name + " has no data.pkl record");
  }
}
