package jobserver.host;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * A job class found in a binary, and how to get a job of it: a new instance per job, a Scala
 * {@code object}'s single instance (SJS loaded {@code Name$.MODULE$} first, so do we), or the
 * {@code main} method of a spark-submit style class.
 */
record JobClass(JobKind kind, Class<?> type, Object module) {

    static JobClass find(ClassLoader loader, String className) throws ClassNotFoundException {
        JobClass scalaObject = scalaObject(loader, className);
        if (scalaObject != null) {
            return scalaObject;
        }
        Class<?> type = Class.forName(className, false, loader);
        JobKind kind = JobKind.of(type);
        if (kind == null) {
            throw new IllegalArgumentException(JobKind.expected(className));
        }
        return new JobClass(kind, type, null);
    }

    /** A fresh job (the same one for a Scala object); for a main-class job its {@code main} method. */
    Object newJob() throws ReflectiveOperationException {
        if (kind == JobKind.MAIN) {
            Method main = JobKind.mainMethod(type);
            main.setAccessible(true);
            return main;
        }
        if (module != null) {
            return module;
        }
        Constructor<?> constructor = type.getDeclaredConstructor();
        constructor.setAccessible(true);
        return constructor.newInstance();
    }

    private static JobClass scalaObject(ClassLoader loader, String className) {
        Class<?> type;
        try {
            type = Class.forName(className + "$", false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
        JobKind kind = JobKind.of(type);
        if (kind == null || kind == JobKind.MAIN) {
            return null;
        }
        try {
            Field instance = type.getField("MODULE$");
            return Modifier.isStatic(instance.getModifiers()) ? new JobClass(kind, type, instance.get(null)) : null;
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
