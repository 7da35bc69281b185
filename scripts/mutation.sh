#!/usr/bin/env bash
# Mutation testing (PIT) of the pure code with its unit tests, and the score per package.
#
#   scripts/mutation.sh                      every targeted class (about 2 minutes on 2 cores)
#   scripts/mutation.sh --changed-since REV  only the targeted classes changed since REV (CI)
#
# Targeted: the operator's model package and customresource limits, the client's codec, keys,
# view and picker, the gRPC module's picker, target and addresses (each module's pit.targetClasses).
# Fails when a package scores below 90 % (docs/development.md lists the survivors left and why).
set -euo pipefail
cd "$(dirname "$0")/.."

args=()
if [ "${1:-}" = "--changed-since" ]; then
  since="${2:?--changed-since needs a revision}"
  if ! git rev-parse -q --verify "$since^{commit}" >/dev/null; then
    echo "mutation: $since is not a revision here; testing every targeted class"
  else
    # Changed main classes that a module's pit.targetClasses (in its pom.xml) names.
    globs=$(sed -n 's|.*<pit.targetClasses>\(.*\)</pit.targetClasses>.*|\1|p' operator/pom.xml client/pom.xml client-grpc/pom.xml | tr ',' '\n')
    classes=$(git diff --name-only "$since" HEAD -- operator/src/main/java client/src/main/java client-grpc/src/main/java \
      | while read -r file; do
          [ -f "$file" ] || continue
          class=${file#*/src/main/java/}
          class=${class%.java}
          class=${class//\//.}
          while read -r glob; do
            # shellcheck disable=SC2053 # the glob is a pattern on purpose
            if [[ "$class" == $glob ]]; then echo "$class*"; break; fi
          done <<< "$globs"
        done | paste -sd, -)
    if [ -z "$classes" ]; then
      echo "mutation: no targeted class changed since $since; nothing to mutate"
      exit 0
    fi
    echo "mutation: targeted classes changed since $since: $classes"
    args+=("-Dpit.targetClasses=$classes")
  fi
fi

rm -rf operator/target/pit-reports client/target/pit-reports client-grpc/target/pit-reports
./mvnw -B -q -Pmutation test-compile org.pitest:pitest-maven:mutationCoverage \
  -pl operator,client,client-grpc -am "${args[@]}"
java scripts/MutationScores.java
