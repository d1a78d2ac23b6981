package jobserver.host;

/** A plain Python value stored as a named object, pickled, so any Python process of the context can read it. */
public record PythonValue(byte[] pickled) {}
