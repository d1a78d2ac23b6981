package jobserver.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaRDDLike;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.storage.StorageLevel;
import spark.jobserver.api.NamedObjects;

/**
 * The context's named objects, one registry per JVM, shared by its JVM jobs and (through
 * {@link #begin}, {@link #lookup} and {@link #store}) by its Python jobs in any process connected
 * to the JVM. A name being created is a pending future: others asking for it wait (at most
 * {@link #WAIT_SECONDS}, as SJS's default timeout) and get the one object. Python values that are
 * not JVM objects are kept as {@link PythonValue} or {@link PythonRdd}.
 */
public final class NamedObjectRegistry implements NamedObjects {
    static final long WAIT_SECONDS = 60;
    private static final Object ABANDONED = new Object();

    private final ConcurrentHashMap<String, CompletableFuture<Object>> objects = new ConcurrentHashMap<>();

    /** A caller's turn at a name: either the object already there, or the right to create it. */
    public final class Creation {
        private final String name;
        private final CompletableFuture<Object> pending;
        private final Object existing;

        private Creation(String name, CompletableFuture<Object> pending, Object existing) {
            this.name = name;
            this.pending = pending;
            this.existing = existing;
        }

        /** True when the caller must create the object and then {@link #complete} or {@link #abandon}. */
        public boolean isMine() {
            return pending != null;
        }

        public Object existing() {
            return existing;
        }

        public void complete(Object value) {
            persist(value);
            pending.complete(value);
            objects.putIfAbsent(name, pending); // taken out by a waiter that gave up on it
        }

        public void abandon() {
            objects.remove(name, pending);
            pending.complete(ABANDONED);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <O> Optional<O> get(String name) {
        return Optional.ofNullable((O) lookup(name));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <O> O getOrElseCreate(String name, Supplier<O> objGen) {
        Creation creation = begin(name);
        if (!creation.isMine()) {
            return (O) creation.existing();
        }
        try {
            O value = objGen.get();
            creation.complete(value);
            return value;
        } catch (RuntimeException | Error e) {
            creation.abandon();
            throw e;
        }
    }

    @Override
    public <O> O update(String name, Supplier<O> objGen) {
        O value = objGen.get();
        store(name, value);
        return value;
    }

    @Override
    public void forget(String name) {
        objects.remove(name);
    }

    @Override
    public void destroy(String name) {
        CompletableFuture<Object> removed = objects.remove(name);
        if (removed != null && removed.isDone()) {
            unpersist(removed.join());
        }
    }

    @Override
    public List<String> getNames() {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, CompletableFuture<Object>> entry : objects.entrySet()) {
            if (entry.getValue().isDone() && entry.getValue().join() != ABANDONED) {
                names.add(entry.getKey());
            }
        }
        names.sort(null);
        return names;
    }

    /** The object stored under {@code name}, or null; waits while it is being created. */
    public Object lookup(String name) {
        CompletableFuture<Object> entry = objects.get(name);
        if (entry == null) {
            return null;
        }
        Object value = await(name, entry);
        return value == ABANDONED ? null : value;
    }

    /** The object under {@code name}, or the caller's turn to create it. */
    public Creation begin(String name) {
        while (true) {
            CompletableFuture<Object> mine = new CompletableFuture<>();
            CompletableFuture<Object> entry = objects.putIfAbsent(name, mine);
            if (entry == null) {
                return new Creation(name, mine, null);
            }
            Object value = await(name, entry);
            if (value != ABANDONED) {
                return new Creation(name, null, value);
            }
        }
    }

    /** Store {@code value} under {@code name}, persisted; what was stored there before is unpersisted. */
    public void store(String name, Object value) {
        persist(value);
        CompletableFuture<Object> replaced = objects.put(name, CompletableFuture.completedFuture(value));
        if (replaced != null && replaced.isDone() && replaced.join() != value) {
            unpersist(replaced.join());
        }
    }

    /** How Python should see a stored object. */
    public static String kind(Object value) {
        if (value instanceof Dataset) {
            return "dataframe";
        }
        if (value instanceof PythonRdd) {
            return "python-rdd";
        }
        if (value instanceof PythonValue) {
            return "python-value";
        }
        return "jvm";
    }

    private Object await(String name, CompletableFuture<Object> entry) {
        try {
            return entry.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) { // its creator is gone or stuck: let the next caller create it
            objects.remove(name, entry);
            throw new IllegalStateException(
                    "named object " + name + " was still being created after " + WAIT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for named object " + name, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void persist(Object value) {
        if (value instanceof Dataset<?> dataset && dataset.storageLevel().equals(StorageLevel.NONE())) {
            dataset.persist();
        }
        RDD<?> rdd = rddOf(value);
        if (rdd != null && rdd.getStorageLevel().equals(StorageLevel.NONE())) {
            rdd.persist();
        }
    }

    private static void unpersist(Object value) {
        if (value instanceof Dataset<?> dataset) {
            dataset.unpersist(false);
        } else if (value instanceof Broadcast<?> broadcast) {
            broadcast.unpersist(false);
        }
        RDD<?> rdd = rddOf(value);
        if (rdd != null) {
            rdd.unpersist(false);
        }
    }

    private static RDD<?> rddOf(Object value) {
        if (value instanceof RDD<?> rdd) {
            return rdd;
        }
        if (value instanceof JavaRDDLike<?, ?> javaRdd) {
            return javaRdd.rdd();
        }
        return value instanceof PythonRdd python ? python.rdd().rdd() : null;
    }
}
