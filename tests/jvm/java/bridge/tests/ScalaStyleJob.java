package bridge.tests;

/** scalac's static forwarders of {@code object ScalaStyleJob}: a main that must not be taken for the job. */
public final class ScalaStyleJob {
    private ScalaStyleJob() {}

    public static void main(String[] args) {
        throw new IllegalStateException("the forwarder's main ran instead of the object");
    }
}
