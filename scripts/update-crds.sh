#!/usr/bin/env bash
# Regenerates the ServiceRegistration CRD from the Java model and refreshes the checked-in copies.
# The CRD is never edited by hand: change the model in operator/.../customresource, then run this.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl operator -am process-classes
generated=operator/target/classes/META-INF/fabric8/serviceregistrations.registrar.dev-v1.yml
for target in crds helm/registrar/crds; do
  mkdir -p "$target"
  cp "$generated" "$target/serviceregistrations.registrar.dev-v1.yml"
  echo "updated $target/serviceregistrations.registrar.dev-v1.yml"
done
