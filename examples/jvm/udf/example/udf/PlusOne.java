package example.udf;

import org.apache.spark.sql.api.java.UDF1;

/** A Java UDF for Python jobs: {@code spark.udf.registerJavaFunction("plus_one", "example.udf.PlusOne", "int")}. */
public class PlusOne implements UDF1<Integer, Integer> {
    @Override
    public Integer call(Integer value) {
        return value == null ? null : value + 1;
    }
}
