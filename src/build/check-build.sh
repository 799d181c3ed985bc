#!/usr/bin/env bash
# Build checks, run by .ci/run before the tests:
#  1. `mvn package` builds parley.jar, parley-sources.jar and parley-javadoc.jar; the javadoc
#     plugin fails the build on any doclint warning in the exported packages.
#  2. A second clean build gives byte-identical jars (same sha256), although it runs Maven on
#     another JDK, in another time zone, with `java`, `jar`, `javac`, `javadoc` and `jlink` on
#     PATH that fail when called: every tool the build runs must come from the JDK that the
#     toolchain plugin found (the JDK 21+ that JAVA_HOME names is not enough, see pom.xml).
#  3. The launcher the build wrote, target/parley, runs `parley --version` with that JDK; so does
#     `java -p parley.jar -m dev.parley` (the module's main class); the manifest names that JDK
#     and the version.
set -euo pipefail
cd "$(dirname "$0")/../.."
jars=(target/parley.jar target/parley-sources.jar target/parley-javadoc.jar)

echo "[check] build 1: mvn -q -B -DskipTests clean package"
mvn -q -B -DskipTests clean package
first=$(sha256sum "${jars[@]}")
echo "$first"

# The JDK build 1 found, as baked into the launcher.
jdk=$(sed -n "s/^jdk='\(.*\)'$/\1/p" target/parley)
[ -x "$jdk/bin/java" ] || { echo "[check] cannot read the JDK from target/parley"; exit 1; }

poison=$(mktemp -d)
trap 'rm -rf "$poison"' EXIT
for tool in java jar javac javadoc jlink; do
    printf '#!/bin/sh\necho "the build ran %s from PATH, not from the JDK it found" >&2\nexit 1\n' "$tool" > "$poison/$tool"
    chmod +x "$poison/$tool"
done

echo "[check] build 2: the same, with Maven on $jdk, TZ=Pacific/Chatham, and failing java, jar, javac, javadoc, jlink first on PATH"
JAVA_HOME=$jdk TZ=Pacific/Chatham PATH="$poison:$PATH" mvn -q -B -DskipTests clean package
second=$(sha256sum "${jars[@]}")
echo "$second"
if [ "$first" != "$second" ]; then
    echo "[check] FAILED: two builds of the same commit gave different jars"
    exit 1
fi

manifest=$(cd "$poison" && "$jdk/bin/jar" --extract --file "$OLDPWD/target/parley.jar" META-INF/MANIFEST.MF && cat META-INF/MANIFEST.MF)
feature=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
project=$(sed -n 's|^  <version>\(.*\)</version>$|\1|p' pom.xml | head -1)
for line in "Build-Jdk-Spec: $feature" "Implementation-Version: $project"; do
    if ! grep -qxF "$line" <<< "${manifest//$'\r'/}"; then
        echo "[check] FAILED: the manifest lacks '$line':"; echo "$manifest"; exit 1
    fi
done
echo "[check] manifest: Build-Jdk-Spec: $feature, Implementation-Version: $project"
module=$("$jdk/bin/java" -p target/parley.jar -m dev.parley --version)
[[ "$module" == "parley "* ]] || { echo "[check] FAILED: java -m dev.parley --version printed: $module"; exit 1; }

version=$(PATH="$poison:$PATH" target/parley --version)
case "$version" in
    "parley "*) echo "[check] target/parley --version: $version" ;;
    *) echo "[check] FAILED: target/parley --version printed: $version"; exit 1 ;;
esac
echo "[check] build checks passed: javadoc clean, reproducible jars, tools from the found JDK, launcher runs"
