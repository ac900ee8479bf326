package io.flowstack.tcp;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The shape of the code, checked on the compiled classes (ArchUnit): no package depends on itself through
 * others, and inside stack-tcp every package calls only the layers below it.
 */
class ArchitectureTest
{
    private static final JavaClasses MAIN = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.flowstack");

    @Test
    void shouldHaveNoCycleBetweenPackages()
    {
        slices().matching("io.flowstack.(**)").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void shouldCallOnlyDownwardInsideTcp()
    {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("api").definedBy("io.flowstack.tcp.api..")
            .layer("buffers").definedBy("io.flowstack.tcp.buffer..")
            .layer("rtt").definedBy("io.flowstack.tcp.rtt..")
            .layer("congestion control").definedBy("io.flowstack.tcp.cc..")
            .layer("loss recovery").definedBy("io.flowstack.tcp.recovery..")
            .layer("connections").definedBy("io.flowstack.tcp.tcb..")
            .layer("assembly").definedBy("io.flowstack.tcp")
            .layer("sockets").definedBy("io.flowstack.tcp.socket..")
            .layer("simulation").definedBy("io.flowstack.tcp.sim..")
            .whereLayer("simulation").mayNotBeAccessedByAnyLayer()
            .whereLayer("sockets").mayNotBeAccessedByAnyLayer()
            .whereLayer("assembly").mayOnlyBeAccessedByLayers("sockets", "simulation")
            .whereLayer("connections").mayOnlyBeAccessedByLayers("assembly")
            .whereLayer("loss recovery").mayOnlyBeAccessedByLayers("connections")
            .whereLayer("congestion control").mayOnlyBeAccessedByLayers("loss recovery", "connections")
            .whereLayer("rtt").mayOnlyBeAccessedByLayers("connections")
            .whereLayer("buffers").mayOnlyBeAccessedByLayers("connections", "sockets")
            .whereLayer("api").mayOnlyBeAccessedByLayers("congestion control", "connections", "assembly", "sockets",
                "simulation")
            .check(MAIN);
    }
}
