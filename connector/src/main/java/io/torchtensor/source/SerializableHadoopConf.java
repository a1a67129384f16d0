package io.torchtensor.source;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import org.apache.hadoop.conf.Configuration;

/**
 * A Hadoop {@link Configuration} that can be broadcast: written with its own
 * {@code Configuration.write}/{@code readFields}. Spark has a class like this
 * ({@code org.apache.spark.util.SerializableConfiguration}), but it is not part of the stable data
 * source API, so the connector keeps its own few lines instead of depending on it.
 */
final class SerializableHadoopConf implements Serializable {

  private static final long serialVersionUID = 1L;

  private transient Configuration conf;

  SerializableHadoopConf(Configuration conf) {
    this.conf = conf;
  }

  Configuration get() {
    return conf;
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    conf.write(out);
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    conf = new Configuration(false);
    conf.readFields(in);
  }
}
