package io.flowstack.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every {@code java} code block of the README, compiled as an application outside flowstack's modules would compile
 * it: an unnamed module on the module path, so that it reaches only the exported API. A block is a method body;
 * the HTML comment before it may declare what it takes ({@code <!-- java: given FlowStack stack; int peer -->}),
 * ask for it to be run ({@code <!-- java: run -->}), or name the test file it is an excerpt of, verbatim
 * ({@code <!-- java: excerpt PATH -->}).
 */
class ReadmeCodeTest
{
    private static final Path ROOT = Path.of("..");
    private static final Pattern DIRECTIVE = Pattern.compile("<!-- java: (given (.+)|run|excerpt (\\S+)) -->");
    private static final String IMPORTS = """
        import io.flowstack.core.buffer.*;
        import io.flowstack.core.counter.*;
        import io.flowstack.core.driver.*;
        import io.flowstack.core.flow.*;
        import io.flowstack.core.sim.*;
        import io.flowstack.core.time.*;
        import io.flowstack.ip.iface.*;
        import io.flowstack.ip.udp.*;
        import io.flowstack.ip.wire.*;
        import io.flowstack.tap.*;
        import io.flowstack.tap.netns.*;
        import io.flowstack.tap.packet.*;
        import io.flowstack.tcp.*;
        import io.flowstack.tcp.api.*;
        import io.flowstack.tcp.sim.*;
        import io.flowstack.tcp.socket.*;
        import io.flowstack.test.*;
        import org.agrona.concurrent.UnsafeBuffer;
        import java.time.Duration;
        import java.util.*;
        import static io.flowstack.ip.wire.TcpFlyweight.*;
        import static io.flowstack.test.TcpScript.Seg.seg;
        import static org.junit.jupiter.api.Assertions.*;
        """;

    /** A code block and what the README says about it. */
    private record Block(int line, String code, String given, boolean run, String excerptOf)
    {
        String className()
        {
            return "ReadmeBlockAtLine" + line;
        }
    }

    @Test
    void shouldCompileEveryCodeBlockAgainstTheExportedApiAndRunTheRunnableOnes(@TempDir final Path out) throws Exception
    {
        final List<Block> blocks = blocks(Files.readAllLines(ROOT.resolve("README.md")));
        assertTrue(blocks.size() >= 8, "found only " + blocks.size() + " java blocks in the README");
        final List<JavaFileObject> sources = new ArrayList<>();
        for (final Block b : blocks)
        {
            if (b.excerptOf() != null)
            {
                final String file = Files.readString(ROOT.resolve(b.excerptOf()));
                assertTrue(file.contains(b.code()), "README block at line " + b.line() + " is not, verbatim, in "
                    + b.excerptOf());
                continue;
            }
            final String source = IMPORTS + "public class " + b.className() + " {\n"
                + "    public static void block(" + parameters(b.given()) + ") throws Exception {\n"
                + b.code() + "\n    }\n}\n";
            sources.add(new SimpleJavaFileObject(URI.create("string:///" + b.className() + ".java"),
                JavaFileObject.Kind.SOURCE)
            {
                @Override
                public CharSequence getCharContent(final boolean ignoreEncodingErrors)
                {
                    return source;
                }
            });
        }
        compile(sources, out);
        try (URLClassLoader loader = new URLClassLoader(new URL[]{out.toUri().toURL()}, getClass().getClassLoader()))
        {
            for (final Block b : blocks)
            {
                if (b.run())
                {
                    try
                    {
                        loader.loadClass(b.className()).getMethod("block").invoke(null);
                    }
                    catch (final InvocationTargetException e)
                    {
                        throw new AssertionError("README block at line " + b.line() + " failed", e.getCause());
                    }
                }
            }
        }
    }

    private static List<Block> blocks(final List<String> lines)
    {
        final List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++)
        {
            if (!lines.get(i).equals("```java"))
            {
                continue;
            }
            final int start = i + 1;
            final StringBuilder code = new StringBuilder();
            while (!lines.get(++i).equals("```"))
            {
                code.append(lines.get(i)).append('\n');
            }
            final Matcher m = DIRECTIVE.matcher(start >= 2 ? lines.get(start - 2) : "");
            final boolean directive = m.matches();
            blocks.add(new Block(start, code.toString().stripTrailing(), directive ? m.group(2) : null,
                directive && "run".equals(m.group(1)), directive ? m.group(3) : null));
        }
        return blocks;
    }

    /** {@code FlowStack stack; int peer} as parameters. */
    private static String parameters(final String given)
    {
        if (given == null)
        {
            return "";
        }
        final List<String> params = new ArrayList<>();
        for (final String declaration : given.split(";"))
        {
            params.add(declaration.strip());
        }
        return String.join(", ", params);
    }

    /** Compiles as an application would: the stack's jars as modules, the rest on the class path. */
    private static void compile(final List<JavaFileObject> sources, final Path out) throws Exception
    {
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        final DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        final List<String> options = new ArrayList<>(List.of("-d", out.toString(), "-proc:none", "-Xlint:none"));
        final String modulePath = System.getProperty("jdk.module.path", "");
        if (!modulePath.isEmpty())
        {
            Collections.addAll(options, "--module-path", modulePath, "--add-modules", "ALL-MODULE-PATH");
        }
        Collections.addAll(options, "-classpath", System.getProperty("java.class.path"));
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8))
        {
            final boolean ok = javac.getTask(null, files, diagnostics, options, null, sources).call();
            final StringBuilder report = new StringBuilder();
            for (final Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics())
            {
                if (d.getKind() == Diagnostic.Kind.ERROR)
                {
                    report.append(d.getSource() == null ? "" : new File(d.getSource().getName()).getName())
                        .append(':').append(d.getLineNumber()).append(": ").append(d.getMessage(null)).append('\n');
                }
            }
            if (!ok)
            {
                fail("README code does not compile (lines count from the generated class: imports, then the "
                    + "block from line " + (IMPORTS.lines().count() + 3) + "):\n" + report);
            }
            assertEquals("", report.toString());
        }
    }
}
