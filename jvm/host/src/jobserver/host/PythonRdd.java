package jobserver.host;

import org.apache.spark.api.java.JavaRDD;

/** A Python RDD stored as a named object: its JVM RDD of pickled batches and how to read them, pickled. */
public record PythonRdd(JavaRDD<byte[]> rdd, byte[] deserializer) {}
