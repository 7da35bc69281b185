#!/usr/bin/env bash
# Regenerates the ServiceRegistration CRD from the Java model and refreshes the checked-in copies.
# The CRD is never edited by hand: change the model in operator/.../customresource, then run this.
# fabric8's generator writes it (process-classes); CrdDriftTest, in its update mode, then puts the
# printer columns in the model's order (CrdPrinterColumns) and writes crds/ and helm/registrar/crds/.
# Without the update mode the same test fails the build when a checked-in copy differs.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl operator -am test -Dtest=CrdDriftTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dregistrar.updateCrds=true
