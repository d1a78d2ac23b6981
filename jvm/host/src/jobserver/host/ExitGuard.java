package jobserver.host;

import java.security.Permission;

/**
 * Keeps a job from ending the context's JVM with {@code System.exit}: on the thread running a JVM
 * job, exit throws {@link ExitRefused} instead (a spark-submit style main that exits 0 has
 * finished; any other status is its failure). It allows every other permission, as no security
 * manager would, so it costs one no-op call per permission check.
 *
 * <p>Java 17 installs it with a deprecation warning; Java 18 to 23 only when the JVM was started
 * with {@code -Djava.security.manager=allow} (the session settings of the Python side add it);
 * from Java 24 no security manager can be installed and {@link #install} answers false.
 */
@SuppressWarnings("removal")
final class ExitGuard extends SecurityManager {
    private static final ThreadLocal<String> JOB = new ThreadLocal<>();

    /** A System.exit refused to a job. */
    static final class ExitRefused extends SecurityException {
        private final int status;

        ExitRefused(String jobId, int status) {
            super("System.exit(" + status + ") called by job " + jobId
                    + " was refused: a job cannot end its context's JVM");
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    private ExitGuard() {}

    /** Install the guard once per JVM; false when this JVM does not allow it. */
    static synchronized boolean install() {
        if (System.getSecurityManager() instanceof ExitGuard) {
            return true;
        }
        if (System.getSecurityManager() != null) {
            return false;
        }
        try {
            System.setSecurityManager(new ExitGuard());
            return true;
        } catch (UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    static void enter(String jobId) {
        JOB.set(jobId);
    }

    static void leave() {
        JOB.remove();
    }

    @Override
    public void checkExit(int status) {
        String job = JOB.get();
        if (job != null) {
            throw new ExitRefused(job, status);
        }
    }

    @Override
    public void checkPermission(Permission permission) {}

    @Override
    public void checkPermission(Permission permission, Object context) {}
}
