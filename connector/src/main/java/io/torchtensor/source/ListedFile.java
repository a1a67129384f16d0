package io.torchtensor.source;

import java.io.Serializable;

/**
 * A file found by {@link FileLister}: its qualified path, length, and the hosts holding its first
 * block (for locality; empty where the file system does not say).
 */
record ListedFile(String path, long length, String[] hosts) implements Serializable {
}
