/**
 * Testing code that runs on flowstack: {@code TcpScript} (play the peer of a TCP stack segment by segment, on a
 * virtual clock), {@code TwoStacks} (two stacks back to back, deterministic) and {@code SimulationSeedExtension}
 * (a seed per test, printed when it fails).
 */
module io.flowstack.test
{
    requires transitive io.flowstack.tcp;
    requires transitive org.junit.jupiter.api;

    exports io.flowstack.test;
}
