import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Set;

/**
 * The first step of every build, run with the {@code java} of the JDK the toolchain plugin found:
 * says which JDK that is (and, with more arguments, what the build is about to do), and writes
 * the launchers {@code DIR/parley} (POSIX shell) and {@code DIR/parley.cmd} (Windows), which run
 * {@code DIR/parley.jar} with that JDK, so nobody has to know where it is. When that JDK is gone,
 * they fall back to {@code JAVA_HOME}, then the {@code java} on {@code PATH}, if it is 21 or newer,
 * and otherwise say so.
 *
 * <p>{@code java src/build/Launchers.java DIR [MESSAGE...]}
 */
public class Launchers {

    static final int MINIMUM = 21;

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: java Launchers.java DIR [MESSAGE...]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]).toAbsolutePath();
        String jdk = Path.of(System.getProperty("java.home")).toAbsolutePath().toString();
        System.out.println("[parley] JDK " + System.getProperty("java.version") + " ("
                + System.getProperty("java.vendor") + ") at " + jdk);
        String says = String.join(" ", Arrays.asList(args).subList(1, args.length)).strip();
        if (!says.isEmpty()) {
            System.out.println("[parley] " + says);
        }
        Files.createDirectories(dir);
        Path sh = dir.resolve("parley");
        Files.writeString(sh, posix(jdk), StandardCharsets.UTF_8);
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(sh);
            perms.addAll(Set.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_EXECUTE));
            Files.setPosixFilePermissions(sh, perms);
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system (Windows): parley.cmd is the launcher there.
        }
        Files.writeString(dir.resolve("parley.cmd"), windows(jdk).replace("\n", "\r\n"), StandardCharsets.UTF_8);
    }

    static String posix(String jdk) {
        return """
                #!/bin/sh
                # Runs Parley (parley.jar, beside this file) with a JDK %2$d or newer. Written by the build
                # (src/build/Launchers.java) with the JDK it found; when that JDK is gone, JAVA_HOME's java
                # or the java on PATH is used if it is %2$d or newer.
                jdk=%1$s
                dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd) || exit 1
                jar=$dir/parley.jar
                if [ ! -f "$jar" ]; then
                    echo "parley: $jar is missing: build it with mvn -q -Pdemo package" >&2
                    exit 1
                fi
                if [ -x "$jdk/bin/java" ]; then
                    exec "$jdk/bin/java" -jar "$jar" "$@"
                fi
                tried=
                for java in "${JAVA_HOME:+$JAVA_HOME/bin/java}" java; do
                    [ -n "$java" ] || continue
                    version=$("$java" -version 2>&1 | sed -n '1s/^[^"]*"\\([0-9][0-9]*\\).*/\\1/p')
                    if [ -n "$version" ] && [ "$version" -ge %2$d ]; then
                        exec "$java" -jar "$jar" "$@"
                    fi
                    tried="$tried
                  $java: ${version:+Java }${version:-not found}"
                done
                echo "parley: needs Java %2$d or newer. The JDK the build used ($jdk) is gone, and no other JDK %2$d+ was found:$tried
                Install a JDK %2$d+ and set JAVA_HOME to it, or build again: mvn -q -Pdemo package" >&2
                exit 1
                """.formatted(shellQuote(jdk), MINIMUM);
    }

    static String windows(String jdk) {
        return """
                @echo off
                rem Runs Parley (parley.jar, beside this file) with a JDK %2$d or newer. Written by the build
                rem (src/build/Launchers.java) with the JDK it found; when that JDK is gone, JAVA_HOME's java
                rem or the java on PATH is used if it is %2$d or newer.
                setlocal
                set "PARLEY_JDK=%1$s"
                set "PARLEY_JAR=%%~dp0parley.jar"
                if not exist "%%PARLEY_JAR%%" (
                    echo parley: %%PARLEY_JAR%% is missing: build it with mvn -q -Pdemo package 1>&2
                    exit /b 1
                )
                set "PARLEY_JAVA=%%PARLEY_JDK%%\\bin\\java.exe"
                if exist "%%PARLEY_JAVA%%" goto run
                set "PARLEY_JAVA=java"
                if defined JAVA_HOME if exist "%%JAVA_HOME%%\\bin\\java.exe" set "PARLEY_JAVA=%%JAVA_HOME%%\\bin\\java.exe"
                set "PARLEY_VERSION=0"
                for /f "tokens=3" %%%%v in ('call "%%PARLEY_JAVA%%" -version 2^>^&1 ^| findstr /i /c:" version "') do set "PARLEY_VERSION=%%%%~v"
                for /f "delims=.-+" %%%%m in ("%%PARLEY_VERSION%%") do set "PARLEY_VERSION=%%%%m"
                if %%PARLEY_VERSION%% LSS %2$d (
                    echo parley: needs Java %2$d or newer. The JDK the build used ^(%%PARLEY_JDK%%^) is gone, and %%PARLEY_JAVA%% is Java %%PARLEY_VERSION%%. 1>&2
                    echo Install a JDK %2$d+ and set JAVA_HOME to it, or build again: mvn -q -Pdemo package 1>&2
                    exit /b 1
                )
                :run
                "%%PARLEY_JAVA%%" -jar "%%PARLEY_JAR%%" %%*
                exit /b %%ERRORLEVEL%%
                """.formatted(jdk, MINIMUM);
    }

    /** {@code s} as one single-quoted POSIX shell word. */
    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
