package jobserver.host;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.databind.ser.impl.UnknownSerializer;
import com.fasterxml.jackson.databind.ser.std.BeanSerializerBase;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.module.scala.DefaultScalaModule$;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDDLike;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The JSON the bridge answers with, written by Jackson (Spark ships it): {@code {"result": value}}
 * or {@code {"error": {"message", "errorClass", "stack"}}}, so Python never handles a Java exception.
 *
 * <p>Results: Java and Scala collections, arrays, numbers, strings, booleans, null, dates and times
 * (ISO text), records as objects, Rows as objects by their schema (arrays without one), Datasets
 * and RDDs collected to their rows; any other object is its {@code toString()}.
 */
final class Json {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(DefaultScalaModule$.MODULE$)
            .addModule(new JavaTimeModule())
            .addModule(sparkModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    private Json() {}

    static String result(Object value) {
        return write(Collections.singletonMap("result", value));
    }

    static String error(Throwable error) {
        return write(Map.of("error", describe(error)));
    }

    static String error(String message, String errorClass) {
        return write(Map.of("error", Map.of("message", message, "errorClass", errorClass, "stack", List.of())));
    }

    static String ok(String key, Object value) {
        return write(Collections.singletonMap(key, value));
    }

    static Map<String, Object> describe(Throwable error) {
        if (error instanceof JobInvalid invalid) {
            return Map.of("message", invalid.getMessage(), "errorClass", JobInvalid.errorClass(), "stack", List.of());
        }
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("message", error.getMessage() != null ? error.getMessage() : error.getClass().getName());
        described.put("errorClass", error.getClass().getName());
        described.put("stack", trace.toString().lines().toList());
        return described;
    }

    static <T> T parse(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String write(Object envelope) {
        try {
            return MAPPER.writeValueAsString(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("result could not be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static SimpleModule sparkModule() {
        SimpleModule module = new SimpleModule("sjs-results");
        module.addSerializer(Row.class, new RowSerializer());
        module.addSerializer((Class) Dataset.class, new Collected<Dataset<?>>(Dataset.class) {
            @Override
            List<?> rows(Dataset<?> dataset) {
                return dataset.toDF().collectAsList();
            }
        });
        module.addSerializer((Class) RDD.class, new Collected<RDD<?>>(RDD.class) {
            @Override
            List<?> rows(RDD<?> rdd) {
                return rdd.toJavaRDD().collect();
            }
        });
        module.addSerializer((Class) JavaRDDLike.class, new Collected<JavaRDDLike<?, ?>>(JavaRDDLike.class) {
            @Override
            List<?> rows(JavaRDDLike<?, ?> rdd) {
                return rdd.collect();
            }
        });
        module.setSerializerModifier(new ToStringForOtherObjects());
        return module;
    }

    /** Objects Jackson would write property by property (or fail on) are written as their toString(). */
    private static final class ToStringForOtherObjects extends BeanSerializerModifier {
        @Override
        public JsonSerializer<?> modifySerializer(
                SerializationConfig config, BeanDescription description, JsonSerializer<?> serializer) {
            boolean plainObject = serializer instanceof BeanSerializerBase || serializer instanceof UnknownSerializer;
            return plainObject && !description.getBeanClass().isRecord() ? ToStringSerializer.instance : serializer;
        }
    }

    private static final class RowSerializer extends StdSerializer<Row> {
        RowSerializer() {
            super(Row.class);
        }

        @Override
        public void serialize(Row row, JsonGenerator out, SerializerProvider provider) throws IOException {
            StructType schema = row.schema();
            if (schema == null) {
                out.writeStartArray();
                for (int i = 0; i < row.length(); i++) {
                    provider.defaultSerializeValue(row.get(i), out);
                }
                out.writeEndArray();
                return;
            }
            out.writeStartObject();
            for (int i = 0; i < row.length(); i++) {
                out.writeFieldName(schema.fields()[i].name());
                provider.defaultSerializeValue(row.get(i), out);
            }
            out.writeEndObject();
        }
    }

    /** A distributed collection written as the list of its elements (collected to the driver). */
    private abstract static class Collected<T> extends StdSerializer<T> {
        @SuppressWarnings("unchecked")
        Collected(Class<?> type) {
            super((Class<T>) type);
        }

        abstract List<?> rows(T collection);

        @Override
        public void serialize(T collection, JsonGenerator out, SerializerProvider provider) throws IOException {
            provider.defaultSerializeValue(rows(collection), out);
        }
    }
}
