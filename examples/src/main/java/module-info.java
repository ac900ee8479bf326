/**
 * The {@code flowstack} command line and its applications: an embedding of the stack that reads only what the
 * other modules export (the compiler refuses anything internal), which keeps the public API honest.
 */
module io.flowstack.examples
{
    requires io.flowstack.tcp;
    requires io.flowstack.tap;
    requires info.picocli;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires affinity;
    requires java.net.http;

    opens io.flowstack.examples.cli to info.picocli;
}
