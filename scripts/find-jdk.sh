#!/usr/bin/env bash
# Sourced by Nabla's scripts: exports JAVA_HOME pointing at a JDK 25 or newer, or exits with a message.
# Order: $JAVA_HOME if it is 25+, then JDKs installed in the usual places, newest first.
nabla_java_major() { # prints the feature version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}
nabla_find_jdk() {
  local cand major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    major=$(nabla_java_major "$JAVA_HOME/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then echo "$JAVA_HOME"; return 0; fi
  fi
  for cand in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [ -x "$cand/bin/javac" ] || continue
    major=$(nabla_java_major "$cand/bin/java")
    [ -n "$major" ] || continue
    if [ "$major" -ge 25 ] && [ "$major" -gt "$best_major" ]; then best="$cand"; best_major=$major; fi
  done
  if [ -n "$best" ]; then echo "$best"; return 0; fi
  return 1
}
if ! NABLA_JDK=$(nabla_find_jdk); then
  echo "nabla: no JDK 25 or newer found (looked at \$JAVA_HOME and /usr/lib/jvm, /opt, ~/.sdkman, ~/.jdks)." >&2
  echo "nabla: install one, e.g. Temurin 25 (https://adoptium.net), or point JAVA_HOME at it." >&2
  exit 1
fi
export JAVA_HOME="$NABLA_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
