#!/bin/sh
# The round trip through bpmn.io: each process exported by procmap, opened and saved again
# by bpmn-js's modeler (scripts/bpmnjs-check.py --resave), imported back by procmap, must
# show no change of meaning in `procmap diff`. Part of `make test-interop`.
#   scripts/interop-round-trip.sh PROCMAP SOURCES_DIR RESAVED_DIR WORK_DIR
set -eu
procmap=$1 sources=$2 resaved=$3 work=$4
rm -rf "$work"
count=0
for file in "$resaved"/*.bpmn; do
	"$procmap" import "$file" -o "$work" -q
done
for source in "$sources"/*.yaml; do
	id=$(sed -n 's/^id: *\([a-z0-9-]*\).*/\1/p' "$source" | head -n 1)
	"$procmap" diff "$source" "$work/$id.yaml" > /dev/null || {
		"$procmap" diff "$source" "$work/$id.yaml"
		echo "round trip through bpmn-js changed the meaning of $source" >&2
		exit 1
	}
	count=$((count + 1))
done
echo "bpmn-js round trip: $count processes from $sources, no change of meaning"
