#!/usr/bin/env bash
# Regenerate the Terraform fixtures under tests/sources/terraform/ from their .tf sources.
#
# Needs Terraform (1.11) and the AWS provider 5.100.0 in a filesystem mirror (default
# /opt/tf-plugins; set TF_PLUGIN_MIRROR). No AWS access: plans use -refresh=false and a provider
# that skips every credential and account check.
#
# Usage: scripts/regenerate_terraform_fixtures.sh [CASE...]   (default: every case directory)
#
# Each case directory holds main.tf (and modules/); it gets:
#   plan.json   terraform show -json of a plan made with no state (values "known after apply")
# and, when the case has applied.json (what AWS would assign: ids, addresses):
#   state.json        terraform show -json of a state prepared from that plan (scripts/terraform_state_from_plan.py)
#   plan-over-state.json  terraform show -json of a plan (-refresh=false) over that state
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
mirror=${TF_PLUGIN_MIRROR:-/opt/tf-plugins}
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/cli.tfrc" <<RC
provider_installation {
  filesystem_mirror {
    path = "$mirror"
  }
}
RC
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

cases=()
if [ "$#" -gt 0 ]; then
  for name in "$@"; do cases+=("$repo/tests/sources/terraform/$name/"); done
else
  cases=("$repo"/tests/sources/terraform/*/)
fi

for case_dir in "${cases[@]}"; do
  name=$(basename "$case_dir")
  echo "== $name"
  build="$work/$name"
  mkdir -p "$build"
  (cd "$case_dir" && find . -name '*.tf' -print0 | xargs -0 -I{} cp --parents {} "$build")
  (
    cd "$build"
    terraform init -input=false -no-color >/dev/null
    terraform plan -refresh=false -input=false -no-color -out=plan.bin >/dev/null
    terraform show -json plan.bin | "$python" -m json.tool > "$case_dir/plan.json"
    if [ -f "$case_dir/applied.json" ]; then
      "$python" "$repo/scripts/terraform_state_from_plan.py" "$case_dir/plan.json" "$case_dir/applied.json" \
        > terraform.tfstate
      terraform show -json terraform.tfstate | "$python" -m json.tool > "$case_dir/state.json"
      terraform plan -refresh=false -input=false -no-color -out=again.bin > plan-over-state.txt
      grep -q "No changes" plan-over-state.txt || { cat plan-over-state.txt; echo "state does not match $name"; exit 1; }
      terraform show -json again.bin | "$python" -m json.tool > "$case_dir/plan-over-state.json"
    fi
  )
done
