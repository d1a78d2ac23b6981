package spark.jobserver.api;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Objects kept in a context between jobs (DataFrames, RDDs, broadcasts, any object), shared by all
 * jobs of the context, JVM and Python alike: a DataFrame stored by one is the same Dataset for the
 * other. DataFrames and RDDs are persisted when stored and unpersisted when destroyed.
 */
public interface NamedObjects {
    /** The object stored under {@code name}; waits while another job is still creating it. */
    <O> Optional<O> get(String name);

    /**
     * The object stored under {@code name}, or the one {@code objGen} makes (on the calling
     * thread) when there is none; jobs asking at once get the one object.
     */
    <O> O getOrElseCreate(String name, Supplier<O> objGen);

    /** Store what {@code objGen} makes under {@code name}; an object stored there before is destroyed. */
    <O> O update(String name, Supplier<O> objGen);

    /** Drop the name, leaving the object as it is. */
    void forget(String name);

    /** Drop the name and unpersist its DataFrame, RDD or broadcast. */
    void destroy(String name);

    List<String> getNames();
}
