#!/bin/sh
# Copy the site's files from the previous release directory into the new one, keeping
# owner, mode and times (cp -a). What the new release already has is left alone.
#   carry_over.sh PREVIOUS NEW PATH...
set -eu
previous=$1
new=$2
shift 2
for path in "$@"; do
  if { [ -e "$previous/$path" ] || [ -L "$previous/$path" ]; } && [ ! -e "$new/$path" ]; then
    mkdir -p "$(dirname "$new/$path")"
    cp -a "$previous/$path" "$new/$path"
    echo "carried $path"
  fi
done
