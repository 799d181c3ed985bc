#!/usr/bin/env bash
# Runs every benchmark in benchmarks/ and writes benchmarks/results/latest.md.
#   benchmarks/run-all.sh            full run (about 10-15 minutes on 2 cores)
#   benchmarks/run-all.sh --quick    quick run (under 3 minutes)
#   benchmarks/run-all.sh --only chat,stream   a subset: chat, stream, embed, cold, policy
#   benchmarks/run-all.sh --peers    also openai-java, langchain4j-open-ai and simple-openai, side by side
#   benchmarks/run-all.sh --only peers [--quick]   the side-by-side comparison alone
# RunAll options pass through: --rounds N, --jar PATH, --out FILE, --note TEXT (see RunAll.java).
# The peer SDKs are fetched by Maven at benchmark time into target/peers/ (one generated pom
# per SDK); they are never a dependency of the library.
# Finds a JDK 21+ the way the build does: JAVA_HOME if it is 21 or newer, else the newest
# under /usr/lib/jvm. Builds target/parley.jar if it is missing (and, for a full run,
# the jlink image target/image).
set -euo pipefail
cd "$(dirname "$0")/.."

feature() { # the feature version of the JDK at $1, or 0
    local v
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    echo "${v:-0}"
}

JDK=""
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" && $(feature "$JAVA_HOME") -ge 21 ]]; then
    JDK="$JAVA_HOME"
else
    best=0
    for d in /usr/lib/jvm/*/; do
        d=${d%/}
        [[ -x "$d/bin/java" && -x "$d/bin/javac" ]] || continue
        f=$(feature "$d")
        if (( f >= 21 && f > best )); then best=$f; JDK=$d; fi
    done
fi
if [[ -z "$JDK" ]]; then
    echo "run-all.sh: no JDK 21 or newer found (set JAVA_HOME, or install one under /usr/lib/jvm)" >&2
    exit 1
fi
echo "JDK: $JDK ($(feature "$JDK"))"

quick=0
for a in "$@"; do [[ "$a" == "--quick" ]] && quick=1; done
if [[ ! -f target/parley.jar ]]; then
    echo "building target/parley.jar"
    mvn -q -B package -DskipTests
fi
# The jlink image: built for a full run when missing, rebuilt whenever it is older than the jar.
if [[ -x target/image/bin/parley && target/parley.jar -nt target/image/lib/modules ]] \
        || [[ $quick == 0 && ! -x target/image/bin/parley ]]; then
    echo "building the jlink image target/image"
    mvn -q -B -Pimage package 2>&1 | grep -v 'warning\]\[cds\]' || true
fi
exec "$JDK/bin/java" benchmarks/RunAll.java "$@"
